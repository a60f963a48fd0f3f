"""The recorded event datasets as folders of files: which files make a split, and their labels.

Each finder returns a Plan: the source files (cheap to list; they key the frame cache) and `read()`,
which parses them into a Recording only when the cache misses or raw events are wanted.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spikenas.data.events.aedat import read_aedat2, read_aedat31
from spikenas.data.events.nmnist import read_nmnist_bin
from spikenas.data.events.types import EventSet, check_events
from spikenas.data.roots import candidate_dirs
from spikenas.errors import InputError

MAX_SENSOR = 4096  # pixels a side; the largest event cameras have 1280 x 720
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


@dataclass
class Recording:
    events: EventSet
    labels: np.ndarray


@dataclass
class Plan:
    sources: list[Path]
    read: Callable[[], Recording]


def _recording(samples: list[dict], labels: list[int], sensor: tuple[int, int]) -> Recording:
    return Recording(EventSet.concat(samples, sensor), np.array(labels, np.int64))


def _base(name: str, root, subdirs: tuple[str, ...], test: Callable[[Path], bool], what: str) -> Path:
    dirs = candidate_dirs(name, root, subdirs)
    for d in dirs:
        if d.is_dir() and test(d):
            return d
    where = ", ".join(str(d) for d in dirs) or "(no folder: pass --data-root or set SPIKENAS_DATA)"
    raise InputError(f"dataset {name!r} not found: looked for {what} in {where}")


def _files(folder: Path, pattern: str) -> list[Path]:
    """The regular files matching `pattern` in `folder`, by name (a folder or a device named *.bin is not one)."""
    return sorted(f for f in folder.glob(pattern) if f.is_file())


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not readable text ({type(e).__name__})") from None


def _npz_sample(f: Path) -> dict[str, np.ndarray]:
    """Arrays x, y, t, p of one .npz: one-dimensional integers (p may be boolean)."""
    try:
        z = np.load(f, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"{f}: not an npz archive ({type(e).__name__})") from None
    if not isinstance(z, np.lib.npyio.NpzFile):
        raise InputError(f"{f}: a single array, not an npz archive with x, y, t, p")
    try:
        with z:
            sample = {k: np.asarray(z[k]) for k in "xytp"}
    except (KeyError, ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"{f}: not an npz with arrays x, y, t, p ({type(e).__name__}: {e})") from None
    for k, a in sample.items():
        if a.ndim != 1 or not (np.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_):
            raise InputError(f"{f}: array {k} must be one-dimensional integers, got {a.dtype} of shape {a.shape}")
    return sample


def _sensor(path: Path) -> tuple[int, int]:
    parts = _text(path).split()
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]) or not all(
            1 <= int(p) <= MAX_SENSOR for p in parts[:2]):
        raise InputError(f"{path}: expected 'height width', two whole numbers in 1 .. {MAX_SENSOR}")
    return int(parts[0]), int(parts[1])


def nmnist(root, split: str) -> Plan:
    """`Train/0..9/*.bin` and `Test/0..9/*.bin` (the extracted Train.zip / Test.zip), 34x34 sensor."""
    sub = "Train" if split == "train" else "Test"
    base = _base("nmnist", root, ("N-MNIST", "NMNIST"), lambda d: (d / sub / "0").is_dir(),
                 f"{sub}/0/*.bin .. {sub}/9/*.bin")
    files = [(f, digit) for digit in range(10) for f in _files(base / sub / str(digit), "*.bin")]
    if not files:
        raise InputError(f"{base / sub}: no .bin files in the digit folders 0..9")

    def read() -> Recording:
        return _recording([check_events(f, read_nmnist_bin(f), (34, 34)) for f, _ in files],
                          [d for _, d in files], (34, 34))

    return Plan([f for f, _ in files], read)


def _gesture_trials(base: Path, split: str) -> list[Path]:
    listing = base / ("trials_to_train.txt" if split == "train" else "trials_to_test.txt")
    if listing.is_file():
        trials = [base / ln.strip() for ln in _text(listing).splitlines() if ln.strip()]
    else:  # the official split without the listing: users 1-23 train, 24-29 test
        trials = [f for f in _files(base, "user*_*.aedat")
                  if f.name[4:6].isdigit() and (int(f.name[4:6]) <= 23) == (split == "train")]
    if not trials:
        raise InputError(f"{listing if listing.is_file() else base}: no {split} trials")
    return trials


def _gesture_labels(path: Path) -> list[tuple[int, int, int]]:
    rows = []
    for i, row in enumerate(csv.reader(_text(path).splitlines())):
        if i == 0 or not row:
            continue  # header: class,startTime_usec,endTime_usec
        try:
            cls, start, end = (int(v) for v in row[:3])
        except ValueError:
            raise InputError(f"{path}: line {i + 1} is not 'class,start_us,end_us': {row}") from None
        if not 1 <= cls <= 11 or end <= start:
            raise InputError(f"{path}: line {i + 1}: class {cls} not in 1..11 or end {end} <= start {start}")
        rows.append((cls, start, end))
    return rows


def dvs_gesture(root, split: str) -> Plan:
    """DvsGesture: `userNN_<lighting>.aedat` (AEDAT 3.1) with `userNN_<lighting>_labels.csv` (class 1..11,
    start and end in us); one sample per labelled gesture; split by trials_to_train/test.txt."""
    base = _base("dvs-gesture", root, ("DvsGesture",), lambda d: any(d.glob("user*_*.aedat")),
                 "user*_*.aedat with user*_*_labels.csv")
    trials = _gesture_trials(base, split)
    pairs = [(a, a.with_name(a.stem + "_labels.csv")) for a in trials]
    for a, c in pairs:
        for f in (a, c):
            if not f.is_file():
                raise InputError(f"{f}: file of a listed trial not found")

    def read() -> Recording:
        samples, labels = [], []
        for aedat, label_csv in pairs:
            ev = check_events(aedat, read_aedat31(aedat), (128, 128))
            for cls, start, end in _gesture_labels(label_csv):
                a, b = np.searchsorted(ev["t"], [start, end])
                samples.append({k: v[a:b] for k, v in ev.items()})
                labels.append(cls - 1)
        return _recording(samples, labels, (128, 128))

    return Plan([f for pair in pairs for f in pair], read)


def cifar10_dvs(root, split: str, seed: int = 0) -> Plan:
    """`<class>/*.aedat` (AEDAT 2.0) per class folder. There is no official split: each class's files, in
    name order, are permuted with a seeded generator and cut 9:1 into train and test."""
    base = _base("cifar10-dvs", root, ("CIFAR10-DVS", "CIFAR10DVS"),
                 lambda d: all((d / c).is_dir() for c in CIFAR10_CLASSES),
                 "class folders " + ", ".join(CIFAR10_CLASSES))
    files: list[tuple[Path, int]] = []
    for label, cls in enumerate(CIFAR10_CLASSES):
        found = _files(base / cls, "*.aedat")
        order = np.random.default_rng(seed + label).permutation(len(found))
        cut = int(round(0.9 * len(found)))
        files += [(found[i], label) for i in sorted(order[:cut] if split == "train" else order[cut:])]
    if not files:
        raise InputError(f"{base}: no .aedat files in the class folders")

    def read() -> Recording:
        return _recording([check_events(f, read_aedat2(f), (128, 128)) for f, _ in files],
                          [lbl for _, lbl in files], (128, 128))

    return Plan([f for f, _ in files], read)


def npz_events(root, split: str) -> Plan:
    """Any other event data: `<split>/<class>/*.npz`, each with integer arrays x, y, t (us), p (0/1).
    Classes are the sorted class folder names of train/; the sensor is `sensor.txt` ("height width")
    or the largest coordinate + 1."""
    base = _base("npz-events", root, (), lambda d: (d / split).is_dir(), f"{split}/<class>/*.npz")
    class_root = base / "train" if (base / "train").is_dir() else base / split
    classes = sorted(d.name for d in class_root.iterdir() if d.is_dir())
    files = [(f, label) for label, cls in enumerate(classes) for f in _files(base / split / cls, "*.npz")]
    if not files:
        raise InputError(f"{base / split}: no .npz files in class folders")
    sensor_file = base / "sensor.txt"
    declared = _sensor(sensor_file) if sensor_file.is_file() else None

    def read() -> Recording:
        samples = [_npz_sample(f) for f, _ in files]
        if declared is not None:
            sensor = declared
        else:
            sensor = (1 + max((int(s["y"].max()) for s in samples if len(s["y"])), default=0),
                      1 + max((int(s["x"].max()) for s in samples if len(s["x"])), default=0))
            if max(sensor) > MAX_SENSOR:
                raise InputError(f"{base / split}: event coordinates up to {sensor[1] - 1}, {sensor[0] - 1} make a "
                                 f"sensor larger than {MAX_SENSOR} pixels a side (write sensor.txt, or check "
                                 f"the files)")
        for (f, _), ev in zip(files, samples, strict=True):
            check_events(f, ev, sensor)
        return _recording(samples, [lbl for _, lbl in files], sensor)

    return Plan([f for f, _ in files] + ([sensor_file] if sensor_file.is_file() else []), read)
