"""CIFAR-10 and CIFAR-100 from the python pickle folders (`cifar-10-batches-py`, `cifar-100-python`)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch

from spikenas.data.roots import candidate_dirs, find_files
from spikenas.data.static import check_labels
from spikenas.errors import InputError

CIFAR10_FILES = {"train": [f"data_batch_{i}" for i in range(1, 6)], "test": ["test_batch"]}
CIFAR100_FILES = {"train": ["train"], "test": ["test"]}


def _unpickle(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            d = pickle.load(f, encoding="bytes")
    except Exception as e:  # noqa: BLE001 - whatever a damaged pickle raises, the file is not a CIFAR batch
        raise InputError(f"{path}: not a CIFAR pickle batch ({type(e).__name__}: {e})") from None
    if not isinstance(d, dict):
        raise InputError(f"{path}: not a CIFAR pickle batch (holds {type(d).__name__})")
    return {k.decode() if isinstance(k, bytes) else k: v for k, v in d.items()}


def _images(path: Path, d: dict) -> np.ndarray:
    if "data" not in d:
        raise InputError(f"{path}: no 'data' entry")
    try:
        a = np.asarray(d["data"])
    except (ValueError, TypeError):
        raise InputError(f"{path}: 'data' is not an array of equal rows") from None
    if a.dtype != np.uint8 or a.ndim != 2 or a.shape[1] != 3072:
        raise InputError(f"{path}: 'data' must be uint8 [N, 3072], got {a.dtype} {a.shape}")
    return a.reshape(-1, 3, 32, 32)


def load_cifar(name: str, root, split: str, coarse: bool = False):
    """CIFAR-10 (`data_batch_1..5`, `test_batch`) or CIFAR-100 (`train`, `test`; fine labels by default)."""
    ten = name == "cifar10"
    files = (CIFAR10_FILES if ten else CIFAR100_FILES)[split]
    sub = "cifar-10-batches-py" if ten else "cifar-100-python"
    dirs = candidate_dirs(name, root, (sub, f"{name}/{sub}"))
    paths = find_files(name, dirs, [(f,) for f in files])
    xs, ys = [], []
    key = "labels" if ten else ("coarse_labels" if coarse else "fine_labels")
    classes = 10 if ten else (20 if coarse else 100)
    for path in paths:
        d = _unpickle(path)
        x = _images(path, d)
        if key not in d:
            raise InputError(f"{path}: no '{key}' entry")
        try:
            y = np.asarray(d[key], dtype=np.int64)
        except (ValueError, TypeError, OverflowError):
            raise InputError(f"{path}: '{key}' must be a list of integer labels") from None
        check_labels(path, y, len(x), classes)
        xs.append(x)
        ys.append(y)
    if sum(len(x) for x in xs) == 0:
        raise InputError(f"{paths[0].parent}: the {split} batches hold no images")
    return torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys))
