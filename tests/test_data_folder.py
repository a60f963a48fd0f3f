"""`--dataset folder`: your own PNG / JPEG images in DIR/{train,test}/<class>/, classes from the folder names,
decoded once and cached; a bad image, a size that differs or a test class train does not have is refused
naming the file."""

import numpy as np
import pytest

from spikenas import data
from spikenas.errors import InputError

Image = pytest.importorskip("PIL.Image")


def image_folder(root, n=(3, 2), size=(6, 5), mode="RGB", classes=("cat", "dog")):
    rng = np.random.default_rng(0)
    written = {}
    for split, count in zip(("train", "test"), n, strict=True):
        for k, c in enumerate(classes):
            (root / split / c).mkdir(parents=True, exist_ok=True)
            for i in range(count):
                shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
                a = rng.integers(0, 256, shape, dtype=np.uint8)
                Image.fromarray(a, mode=mode).save(root / split / c / f"{i}.png")
                written[(split, k, i)] = a
    return written


def test_images_load_with_classes_from_folder_names(tmp_path):
    written = image_folder(tmp_path / "d")
    x, y = data.load("folder", tmp_path / "d", "train")
    assert tuple(x.shape) == (6, 3, 5, 6) and y.tolist() == [0, 0, 0, 1, 1, 1]
    assert np.array_equal(x[4].numpy(), written[("train", 1, 1)].transpose(2, 0, 1))  # PNG is lossless
    again, _ = data.load("folder", tmp_path / "d", "train")  # from the cache
    assert np.array_equal(again.numpy(), x.numpy())
    xt, yt = data.load("folder", tmp_path / "d", "test")
    assert tuple(xt.shape) == (4, 3, 5, 6) and yt.tolist() == [0, 0, 1, 1]


def test_grey_images_keep_one_channel(tmp_path):
    image_folder(tmp_path / "g", mode="L")
    x, _ = data.load("folder", tmp_path / "g", "train")
    assert tuple(x.shape) == (6, 1, 5, 6)


def test_bad_folders_are_refused_naming_the_file(tmp_path):
    image_folder(tmp_path / "a")
    (tmp_path / "a" / "train" / "dog" / "9.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(InputError, match="9.jpg: not a readable image"):
        data.load("folder", tmp_path / "a", "train")
    image_folder(tmp_path / "b")
    Image.fromarray(np.zeros((7, 7, 3), np.uint8)).save(tmp_path / "b" / "train" / "dog" / "8.png")
    with pytest.raises(InputError, match="8.png: 7x7 pixels"):
        data.load("folder", tmp_path / "b", "train")
    image_folder(tmp_path / "c")
    (tmp_path / "c" / "test" / "bird").mkdir()
    with pytest.raises(InputError, match="bird: a class that train/ does not have"):
        data.load("folder", tmp_path / "c", "test")
    with pytest.raises(InputError, match="no train/ folder"):
        data.load("folder", tmp_path / "nowhere", "train")


def test_a_network_trains_on_a_folder(cli, tmp_path):
    image_folder(tmp_path / "d", n=(8, 4), size=(8, 8))
    out = cli("train", "--dataset", "folder", "--data-root", tmp_path / "d", "--epochs", "1", "--width", "4",
              "--timesteps", "2", "--batch-size", "8", "--quiet", "--run", tmp_path / "t")
    assert out.returncode == 0, out.stderr
    assert "test accuracy" in out.stdout
