"""IDX files (MNIST, Fashion-MNIST): raw or gzip, validated so a bad file is named, never half-read.

Format: 2 zero bytes, a type byte (0x08 = uint8), the number of dimensions, each dimension as a
big-endian uint32, then the data in row-major order.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from spikenas.errors import InputError
from spikenas.limits import available_memory, gib

_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (gzip if it starts with the gzip magic) into a numpy array."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from None
    if raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPES:
        raise InputError(f"{path}: not an IDX file (bad magic {raw[:4].hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise InputError(f"{path}: truncated IDX header")
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    dtype = np.dtype(_TYPES[raw[2]])
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(raw) - header != expected:
        raise InputError(f"{path}: truncated or oversized IDX data: {len(raw) - header} bytes for "
                         f"shape {tuple(dims)}, expected {expected}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims)


def _gunzip(raw: bytes, path: Path) -> bytes:
    """The gzip stream decompressed, refused before it outgrows the memory that is free."""
    limit = available_memory() // 2
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(raw, limit)
        if d.unconsumed_tail:
            raise InputError(f"{path}: decompresses to more than {gib(limit)}, half the memory free here")
        out += d.flush()
    except zlib.error as e:
        raise InputError(f"{path}: corrupt gzip stream ({e})") from None
    if not d.eof:
        raise InputError(f"{path}: corrupt gzip stream (truncated)")
    return out


def write_idx(path: str | Path, array: np.ndarray, compress: bool | None = None) -> None:
    """Write `array` (uint8) as IDX; gzip when `compress` or the name ends in .gz. Used by tests and tools."""
    path = Path(path)
    array = np.ascontiguousarray(array, dtype=np.uint8)
    data = bytes([0, 0, 0x08, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    data += array.tobytes()
    if compress or (compress is None and path.suffix == ".gz"):
        data = gzip.compress(data, compresslevel=1)
    path.write_bytes(data)
