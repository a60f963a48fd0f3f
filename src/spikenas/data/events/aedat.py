"""AEDAT readers: 3.1 (jAER/cAER packets; DVS128 Gesture) and 2.0 (big-endian address + timestamp;
CIFAR10-DVS). Both skip the `#` header lines; a malformed file is an InputError naming it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spikenas.errors import InputError

POLARITY_EVENT = 1
_PACKET_HEADER = np.dtype([("type", "<i2"), ("source", "<i2"), ("size", "<i4"), ("ts_offset", "<i4"),
                           ("ts_overflow", "<i4"), ("capacity", "<i4"), ("number", "<i4"), ("valid", "<i4")])


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e})") from None


def _body_start(raw: bytes, path: Path, end_marker: bytes | None) -> int:
    """Offset of the first byte after the header: after `end_marker`, or after the last '#' line."""
    if end_marker is not None:
        i = raw.find(end_marker)
        if i < 0:
            raise InputError(f"{path}: no {end_marker.decode().strip()} line: not an AEDAT 3.1 file")
        return i + len(end_marker)
    pos = 0
    while raw.startswith(b"#", pos):
        nl = raw.find(b"\n", pos)
        if nl < 0:
            raise InputError(f"{path}: header never ends")
        pos = nl + 1
    return pos


def read_aedat31(path: Path) -> dict[str, np.ndarray]:
    """Polarity events of an AEDAT 3.1 file: x, y, t (us, with overflow), p; other event types skipped."""
    raw = _read(path)
    if not raw.startswith(b"#!AER-DAT3"):
        raise InputError(f"{path}: not an AEDAT 3.x file (first line {raw[:16]!r})")
    pos = _body_start(raw, path, b"#!END-HEADER\r\n")
    xs, ys, ts, ps = [], [], [], []
    n = len(raw)
    while pos < n:
        if pos + 28 > n:
            raise InputError(f"{path}: truncated packet header at byte {pos}")
        h = np.frombuffer(raw, _PACKET_HEADER, 1, pos)[0]
        size, number = int(h["size"]), int(h["number"])
        end = pos + 28 + size * number
        if size <= 0 or number < 0 or end > n:
            raise InputError(f"{path}: truncated or corrupt packet at byte {pos} ({number} events of {size} bytes)")
        if int(h["type"]) == POLARITY_EVENT:
            if size != 8:
                raise InputError(f"{path}: polarity events of {size} bytes at byte {pos}, expected 8")
            ev = np.frombuffer(raw, "<u4", 2 * number, pos + 28).reshape(-1, 2)
            data, stamp = ev[:, 0].astype(np.int64), ev[:, 1].astype(np.int64)
            valid = (data & 1) == 1
            xs.append((data >> 17) & 0x7FFF)
            ys.append((data >> 2) & 0x7FFF)
            ps.append((data >> 1) & 1)
            ts.append(stamp | (int(h["ts_overflow"]) << 31))
            for lst in (xs, ys, ps, ts):
                lst[-1] = lst[-1][valid]
        pos = end
    if not ts or not sum(len(t) for t in ts):
        raise InputError(f"{path}: no polarity events after the header")
    return {"x": np.concatenate(xs), "y": np.concatenate(ys), "t": np.concatenate(ts),
            "p": np.concatenate(ps).astype(np.uint8)}


def read_aedat2(path: Path) -> dict[str, np.ndarray]:
    """Events of an AEDAT 2.0 DVS128 file: big-endian (uint32 address, uint32 timestamp us) pairs with
    x = (addr >> 1) & 0x7F, y = (addr >> 8) & 0x7F, polarity = addr & 1 (sensor coordinates, unflipped)."""
    raw = _read(path)
    pos = _body_start(raw, path, None)
    if len(raw) == pos:
        raise InputError(f"{path}: no events after the header")
    if (len(raw) - pos) % 8:
        raise InputError(f"{path}: {len(raw) - pos} data bytes is not a whole number of 8-byte AEDAT 2.0 events")
    ev = np.frombuffer(raw, ">u4", offset=pos).reshape(-1, 2).astype(np.int64)
    addr, t = ev[:, 0], ev[:, 1]
    dvs = (addr & 0x80000000) == 0  # external (non-DVS) events have the top bit set
    addr, t = addr[dvs], t[dvs]
    return {"x": (addr >> 1) & 0x7F, "y": (addr >> 8) & 0x7F, "t": t, "p": (addr & 1).astype(np.uint8)}
