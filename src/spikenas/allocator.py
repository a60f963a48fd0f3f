"""Keep freed memory in the process for reuse, instead of handing it back to the system at every free.

A training step on the CPU allocates and frees tensors of tens of megabytes (a layer's activations over
T x batch). glibc's malloc serves blocks above its mmap threshold (at most 32 MiB) with fresh mappings
and unmaps them when freed, so every step faults in and zero-fills those pages again: measured as about a
third of the Fashion-MNIST baseline's CPU training step (docs/benchmarks.md, "CPU training step"). Turning
mmap-served blocks off and raising the trim threshold makes freed blocks go back to malloc's heap, where
the next step's tensors of the same sizes find them. The price is that a process keeps its peak heap until
it ends, which a training or search process reaches anyway.

Linux with glibc only (elsewhere nothing is changed); set SPIKENAS_KEEP_FREED_MEMORY=0 to leave malloc as
it is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import platform

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4


@functools.cache
def keep_freed_memory() -> bool:
    """Apply the setting to this process (once); True where it was applied."""
    if os.environ.get("SPIKENAS_KEEP_FREED_MEMORY", "1") == "0":
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    return bool(libc.mallopt(_M_MMAP_MAX, 0)) and bool(libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1))
