"""Your own images: `--dataset folder --data-root DIR` reads DIR/train/<class>/* and DIR/test/<class>/*
(PNG or JPEG, decoded with Pillow), the classes being train/'s folder names in sorted order. Every image of
a set has the size and colour of the first one read (grey stays one channel, anything else becomes RGB).
The decoded set is cached like framed events (data.cache), keyed by every file's size and time, so it is
decoded once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from spikenas.data.cache import cached
from spikenas.data.roots import candidate_dirs
from spikenas.errors import InputError
from spikenas.limits import require_memory

EXTENSIONS = (".png", ".jpg", ".jpeg")
LAYOUT = "DIR/train/<class>/*.png|*.jpg and DIR/test/<class>/* (the test classes among train's)"


def _base(root) -> Path:
    dirs = candidate_dirs("folder", root)
    if not dirs:
        raise InputError(f"--dataset folder needs --data-root DIR (or $SPIKENAS_DATA), laid out as {LAYOUT}")
    base = dirs[0]
    if not (base / "train").is_dir():
        raise InputError(f"{base}: no train/ folder; --dataset folder reads {LAYOUT}")
    return base


def classes_of(base: Path) -> list[str]:
    classes = sorted(d.name for d in (base / "train").iterdir() if d.is_dir())
    if not classes:
        raise InputError(f"{base / 'train'}: no class folders; --dataset folder reads {LAYOUT}")
    return classes


def image_files(base: Path, split: str) -> list[tuple[Path, int]]:
    classes = classes_of(base)
    folder = base / split
    if not folder.is_dir():
        raise InputError(f"{base}: no {split}/ folder; --dataset folder reads {LAYOUT}")
    unknown = sorted(d.name for d in folder.iterdir() if d.is_dir() and d.name not in classes)
    if unknown:
        raise InputError(f"{folder / unknown[0]}: a class that train/ does not have")
    files = [(f, k) for k, c in enumerate(classes) if (folder / c).is_dir()
             for f in sorted((folder / c).iterdir()) if f.suffix.lower() in EXTENSIONS and f.is_file()]
    if not files:
        raise InputError(f"{folder}: no .png or .jpg images in its class folders")
    return files


def _decode(files: list[tuple[Path, int]]) -> tuple[np.ndarray, np.ndarray]:
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise InputError("--dataset folder needs Pillow: pip install 'spikenas[images]'") from None

    def read(path: Path, mode: str | None):
        try:
            with Image.open(path) as im:
                return im.convert(mode or ("L" if im.mode in ("L", "1", "I;16") else "RGB"))
        except (UnidentifiedImageError, OSError, ValueError) as e:
            raise InputError(f"{path}: not a readable image ({type(e).__name__})") from None

    first = read(files[0][0], None)
    mode, (w, h) = first.mode, first.size
    c = 1 if mode == "L" else 3
    require_memory(len(files) * c * h * w, f"{len(files)} images of {c}x{h}x{w}")
    x = np.empty((len(files), c, h, w), np.uint8)
    for i, (path, _) in enumerate(files):
        im = first if i == 0 else read(path, mode)
        if im.size != (w, h):
            raise InputError(f"{path}: {im.size[0]}x{im.size[1]} pixels, but {files[0][0]} has {w}x{h}; "
                             f"every image of the set must have one size")
        a = np.asarray(im, dtype=np.uint8)
        x[i] = a[None] if c == 1 else a.transpose(2, 0, 1)
    return x, np.array([k for _, k in files], np.int64)


def load_folder(root, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    base = _base(root)
    files = image_files(base, split)
    x, y = cached("folder", split, {"classes": classes_of(base), "format": 1}, [f for f, _ in files],
                  lambda: _decode(files))
    return torch.from_numpy(x), torch.from_numpy(y)
