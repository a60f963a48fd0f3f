"""Where tensors run, shared by search and training: which devices are accepted, the autocast rule."""

from __future__ import annotations

import contextlib

import torch

from spikenas.errors import InputError


def check_device(device: str) -> None:
    """cpu, cuda or cuda:N that exists here; anything else an InputError naming --device."""
    try:
        d = torch.device(device)
    except (RuntimeError, TypeError):
        raise InputError(f"--device must be cpu, cuda or cuda:N, not {device!r}") from None
    if d.type not in ("cpu", "cuda"):
        raise InputError(f"--device must be cpu, cuda or cuda:N, not {device!r}")
    if d.type == "cuda":
        if not torch.cuda.is_available():
            raise InputError(f"--device {device}: no CUDA device on this machine")
        if d.index is not None and d.index >= torch.cuda.device_count():
            raise InputError(f"--device {device}: this machine has {torch.cuda.device_count()} CUDA device(s)")


def autocast_for(device: torch.device, amp: bool):
    """bf16 autocast on CUDA when asked; nothing on the CPU (where it only slows the reference path)."""
    if amp and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()
