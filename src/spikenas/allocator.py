"""Keep freed memory in the process for reuse, instead of handing it back to the system at every free.

A training step on the CPU allocates and frees tensors of tens of megabytes (a layer's activations over
T x batch). glibc's malloc serves blocks above its mmap threshold (at most 32 MiB) with fresh mappings
and unmaps them when freed, so every step faults in and zero-fills those pages again: measured as about a
third of the Fashion-MNIST baseline's CPU training step (docs/benchmarks.md, "CPU training step"). Turning
mmap-served blocks off and raising the trim threshold makes freed blocks go back to malloc's heap, where
the next step's tensors of the same sizes find them. The price is that a process keeps its peak heap until
it ends, and more: blocks of several sizes freed and reused in one heap fragment it. With tensors of hundreds
of megabytes that multiplies the peak: scoring the SNASNet paper's network (C = 256, T = 5, 32x32 inputs) at
batch 128 took 14.3 GB with the setting against 4.4 GB without, and at the paper's batch of 256 the process
was killed for memory (docs/benchmarks.md, "Against the official SNASNet code"). So the setting is applied
only where the work's largest tensor (a layer's output over T x batch, from a meta-device pass) is at most
KEEP_UP_TO: the small tensors whose page faults cost the time, not the large ones whose fragments cost the
memory.

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
_DEFAULTS = {_M_MMAP_MAX: 65536, _M_TRIM_THRESHOLD: 128 * 1024}  # glibc's, restored for large work
_KEPT = {_M_MMAP_MAX: 0, _M_TRIM_THRESHOLD: 2**31 - 1}

KEEP_UP_TO = 64 * 2**20  # bytes of the largest tensor; the Fashion-MNIST baseline's step: 51 MB


def keep_freed_memory(largest_tensor: int = 0) -> bool:
    """Set malloc for the work ahead in this process: freed memory kept when `largest_tensor` (bytes) is at
    most KEEP_UP_TO, glibc's defaults otherwise (a payoff trains small and large networks in one process).
    True where freed memory is now kept."""
    libc = _libc()
    if libc is None:
        return False
    keep = largest_tensor <= KEEP_UP_TO
    for option, value in (_KEPT if keep else _DEFAULTS).items():
        if not libc.mallopt(option, value):
            return False
    return keep


@functools.cache
def _libc():
    """glibc, where the setting applies and is not switched off; None elsewhere."""
    if os.environ.get("SPIKENAS_KEEP_FREED_MEMORY", "1") == "0":
        return None
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
