"""The registry of dataset names: what each is, its sample shape, classes and how its files are read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spikenas.data import cifar, folder, static
from spikenas.data.emulated import load_emulated
from spikenas.data.events.load import load_recorded
from spikenas.errors import InputError


@dataclass(frozen=True)
class DatasetInfo:
    """One named dataset: `reader(root, split, timesteps, framing)` returns (x, y)."""

    name: str
    kind: str  # "static": x [N, C, H, W] uint8; "events": frames [N, T, 2, H, W] uint8 or raw EventSet
    shape: tuple[int, int, int]  # one frame: (C, H, W)
    classes: int
    reader: Callable
    description: str
    files: str


REGISTRY: dict[str, DatasetInfo] = {}


def _add(name, kind, shape, classes, reader, description, files) -> None:
    REGISTRY[name] = DatasetInfo(name, kind, shape, classes, reader, description, files)


_add("digits", "static", (1, 8, 8), 10, lambda r, s, t, f: static.load_digits(r, s),
     "scikit-learn's 8x8 handwritten digits, built in (1437 train / 360 test, seeded split)",
     "none: ships with scikit-learn")
_add("mnist", "static", (1, 28, 28), 10, lambda r, s, t, f: static.load_idx_named("mnist", r, s),
     "MNIST handwritten digits, 60000 train / 10000 test",
     "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (IDX, "
     "raw or .gz), in the root, root/mnist or root/MNIST/raw")
_add("fashion-mnist", "static", (1, 28, 28), 10, lambda r, s, t, f: static.load_idx_named("fashion-mnist", r, s),
     "Fashion-MNIST (Zalando), 60000 train / 10000 test",
     "the MNIST IDX names, in the root, root/fashion-mnist, root/FashionMNIST/raw or "
     "/usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)")
_add("cifar10", "static", (3, 32, 32), 10, lambda r, s, t, f: cifar.load_cifar("cifar10", r, s),
     "CIFAR-10, 50000 train / 10000 test",
     "cifar-10-batches-py/data_batch_1..5 and test_batch (the python pickle version)")
_add("cifar100", "static", (3, 32, 32), 100, lambda r, s, t, f: cifar.load_cifar("cifar100", r, s),
     "CIFAR-100 (fine labels), 50000 train / 10000 test",
     "cifar-100-python/train and test (the python pickle version)")
_add("folder", "static", (0, 0, 0), 0, lambda r, s, t, f: folder.load_folder(r, s),
     "your own images, classes from the folder names (PNG or JPEG; needs Pillow)",
     "train/<class>/*.png|*.jpg and test/<class>/* under --data-root")
_add("nmnist", "events", (2, 34, 34), 10, lambda r, s, t, f: load_recorded("nmnist", r, s, t, f),
     "N-MNIST recorded with an ATIS sensor (Orchard et al. 2015), 60000 / 10000",
     "Train/<digit>/*.bin and Test/<digit>/*.bin (40-bit events)")
_add("dvs-gesture", "events", (2, 128, 128), 11, lambda r, s, t, f: load_recorded("dvs-gesture", r, s, t, f),
     "DVS128 Gesture (Amir et al. 2017), 11 gestures, one sample per labelled gesture",
     "DvsGesture/userNN_<lighting>.aedat (AEDAT 3.1), *_labels.csv, trials_to_train.txt, trials_to_test.txt")
_add("cifar10-dvs", "events", (2, 128, 128), 10, lambda r, s, t, f: load_recorded("cifar10-dvs", r, s, t, f),
     "CIFAR10-DVS (Li et al. 2017); no official split: seeded 9:1 per class",
     "<class>/*.aedat (AEDAT 2.0) for the ten CIFAR-10 class names")
_add("npz-events", "events", (2, 0, 0), 0, lambda r, s, t, f: load_recorded("npz-events", r, s, t, f),
     "any event data as train|test/<class>/*.npz with arrays x, y, t (us), p",
     "<split>/<class>/*.npz, optional sensor.txt 'height width'")
_add("nmnist-emulated", "events", (2, 34, 34), 10, lambda r, s, t, f: load_emulated("mnist", r, s, t, f),
     "EMULATED events from MNIST images moved along N-MNIST saccades (not the recorded N-MNIST)",
     "the MNIST IDX files (see mnist)")
_add("fashion-mnist-emulated", "events", (2, 34, 34), 10,
     lambda r, s, t, f: load_emulated("fashion-mnist", r, s, t, f),
     "EMULATED events from Fashion-MNIST images moved along N-MNIST saccades",
     "the Fashion-MNIST IDX files (see fashion-mnist)")


def get_info(name: str) -> DatasetInfo:
    if name not in REGISTRY:
        raise InputError(f"unknown dataset {name!r}; known: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def load(name: str, root=None, split: str = "train", timesteps: int | None = None, framing: str = "count"):
    """Load a dataset split as (x, y). Static sets: x uint8 [N, C, H, W]. Event sets: frames uint8
    [N, T, 2, H, W] when `timesteps` is set (binned by equal event `count` or equal `time`), else the raw
    events as an EventSet."""
    info = get_info(name)
    if split not in ("train", "test"):
        raise InputError(f"split must be 'train' or 'test', not {split!r}")
    if timesteps is not None and timesteps < 1:
        raise InputError(f"timesteps must be >= 1, not {timesteps}")
    x, y = info.reader(root, split, timesteps, framing)
    if len(y) == 0:
        raise InputError(f"dataset {name!r}: its {split} split holds no samples")
    return x, y

