"""Finite resources: the largest settings spikenas accepts, and the check that a request fits in memory
before anything is allocated for it (a dataset's declared size, a network's weights)."""

from __future__ import annotations

import os

from spikenas.errors import InputError

MAX_TIMESTEPS = 1000
MAX_SEED = 2**32 - 1
MAX_CHANNELS = 1024  # cell or stage channels
MAX_BATCH = 65_536
MAX_EPOCHS = 100_000


def available_memory(device=None) -> int:
    """Bytes that can still be allocated: free memory of a CUDA device, else the host's MemAvailable."""
    if device is not None and str(device).startswith("cuda"):
        import torch

        return int(torch.cuda.mem_get_info(torch.device(device))[0])
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def gib(nbytes: float) -> str:
    return f"{nbytes / 2**30:.1f} GiB" if nbytes >= 2**29 else f"{nbytes / 2**20:.0f} MiB"


def require_memory(nbytes: float, what: str, device=None) -> None:
    """An InputError with both figures when `what` needs more memory than is available."""
    free = available_memory(device)
    if nbytes > free:
        where = "this machine" if device is None or not str(device).startswith("cuda") else str(device)
        raise InputError(f"{what} needs {gib(nbytes)}; {where} has {gib(free)} available")
