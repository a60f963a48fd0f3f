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


def autocast_for(device: torch.device, amp: bool, cpu: bool = False):
    """bf16 autocast on CUDA when `amp`, on the CPU when `cpu`, else nothing. On the CPU it is asked for
    by name only: its convolutions take oneDNN's bf16 kernels, up to 4x quicker where the CPU has AMX or
    AVX-512 BF16 (docs/benchmarks.md, "bf16 on the CPU") and slower where it has neither, and its
    rounding changes which membranes cross the threshold."""
    if amp and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    if cpu and device.type == "cpu":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def channels_last_for(device: torch.device, cpu_bf16: bool = False) -> bool:
    """Whether a network runs channels-last: on CUDA (the layout tensor cores read), and under bf16 autocast
    on the CPU (oneDNN's bf16 convolutions skip a reorder per call: 1.2-1.3x measured). In fp32 on the CPU
    it stays contiguous: there a train-mode batch norm of a channels-last tensor differs in the last bits,
    enough to flip spikes, and recorded runs were made that way."""
    return device.type == "cuda" or (device.type == "cpu" and cpu_bf16)
