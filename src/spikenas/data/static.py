"""Static image sets held as uint8 [N, C, H, W]: digits (built in), MNIST and Fashion-MNIST (IDX)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from spikenas.data.idx import read_idx
from spikenas.data.roots import candidate_dirs, find_files
from spikenas.errors import InputError

IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def check_labels(path: Path | str, y: np.ndarray, n_images: int, classes: int) -> None:
    """Labels must be one per image and within [0, classes): else the file is named as mislabelled."""
    if y.ndim != 1 or len(y) != n_images:
        raise InputError(f"{path}: {len(y)} labels for {n_images} images")
    if len(y) and (y.min() < 0 or y.max() >= classes):
        raise InputError(f"{path}: label {int(y.max())} outside 0..{classes - 1}")


def idx_paths(name: str, root, split: str, subdirs: tuple[str, ...], defaults: tuple[str, ...] = ()):
    """The (images, labels) IDX files of a split, raw or .gz, from the first folder holding both."""
    dirs = candidate_dirs(name, root, subdirs, defaults)
    return find_files(name, dirs, [(s + ".gz", s) for s in IDX_FILES[split]])


def load_idx_set(name: str, root, split: str, subdirs: tuple[str, ...], defaults: tuple[str, ...] = (),
                 size: tuple[int, int] = (28, 28), classes: int = 10) -> tuple[torch.Tensor, torch.Tensor]:
    """An IDX image set split from the first folder that holds both of its files (raw or .gz): unsigned-byte
    images [N, H, W] of the set's size, N >= 1, and as many unsigned-byte labels below `classes`."""
    img_path, lbl_path = idx_paths(name, root, split, subdirs, defaults)
    images, labels = read_idx(img_path), read_idx(lbl_path)
    if images.ndim != 3 or images.shape[1:] != size:
        raise InputError(f"{img_path}: expected {name} images [N, {size[0]}, {size[1]}], got shape {images.shape}")
    for path, a in ((img_path, images), (lbl_path, labels)):
        if a.dtype != np.uint8:
            raise InputError(f"{path}: expected unsigned bytes (IDX type 0x08), got {a.dtype}")
    if len(images) == 0:
        raise InputError(f"{img_path}: holds no images")
    check_labels(lbl_path, labels.astype(np.int64), len(images), classes)
    x = torch.from_numpy(images.copy()).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


IDX_SETS = {  # name -> (sub-folders searched below the root, default folders)
    "mnist": (("MNIST/raw",), ()),
    "fashion-mnist": (("FashionMNIST/raw",), ("/usr/share/datasets/fashion-mnist",)),
}


def load_idx_named(name: str, root, split: str):
    return load_idx_set(name, root, split, *IDX_SETS[name])


def load_digits(root, split):
    """scikit-learn's 8x8 digits (1797 images, pixel values 0..16 scaled to 0..255); seeded 80/20 split."""
    try:
        from sklearn.datasets import load_digits as sk_digits
    except ImportError:
        raise InputError("dataset 'digits' needs scikit-learn: pip install 'spikenas[digits]'") from None
    d = sk_digits()
    x = np.round(d.images * (255.0 / 16.0)).astype(np.uint8)[:, None]
    y = d.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(y))
    cut = int(0.8 * len(y))
    idx = order[:cut] if split == "train" else order[cut:]
    return torch.from_numpy(x[idx]), torch.from_numpy(y[idx])
