"""TorchScript by tracing the network on an example batch (the spike step is traced as the
comparison it computes, snn.surrogate.spike): the exported model takes the same input as the PyTorch one
(images [B, C, H, W] under direct encoding, event frames [T, B, 2, H, W]) and returns the same logits, for
any batch size."""

from __future__ import annotations

import warnings
from pathlib import Path

import torch
from torch import nn


def example_input(about: dict, batch: int = 2) -> torch.Tensor:
    shape = tuple(about["input_shape"])
    if about.get("events"):
        return torch.zeros(about["timesteps"], batch, *shape)
    return torch.zeros(batch, *shape)


def to_torchscript(model: nn.Module, about: dict, path: Path) -> None:
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit.trace still works in torch 2.13
        traced = torch.jit.trace(model.cpu().eval(), example_input(about), check_trace=False)
    traced.save(str(path))
