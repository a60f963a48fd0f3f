"""Where tensors run, shared by search and training: the autocast rule."""

from __future__ import annotations

import contextlib

import torch


def autocast_for(device: torch.device, amp: bool):
    """bf16 autocast on CUDA when asked; nothing on the CPU (where it only slows the reference path)."""
    if amp and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()
