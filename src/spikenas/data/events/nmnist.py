"""N-MNIST (Orchard et al., 2015): `Train/<digit>/*.bin` and `Test/<digit>/*.bin`, 34x34 sensor.

Each event is 40 bits, big-endian: byte 0 x, byte 1 y, bit 23 polarity, bits 22..0 timestamp in us.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spikenas.errors import InputError


def read_nmnist_bin(path: Path) -> dict[str, np.ndarray]:
    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e})") from None
    if raw.size == 0:
        raise InputError(f"{path}: empty file (no events)")
    if raw.size % 5:
        raise InputError(f"{path}: {raw.size} bytes is not a whole number of 5-byte N-MNIST events")
    ev = raw.reshape(-1, 5).astype(np.int64)
    x, y = ev[:, 0], ev[:, 1]
    p = (ev[:, 2] >> 7).astype(np.uint8)
    t = ((ev[:, 2] & 0x7F) << 16) | (ev[:, 3] << 8) | ev[:, 4]
    return {"x": x, "y": y, "t": t, "p": p}
