"""Layers that let ordinary (stateless) torch modules run on time-first spike tensors."""

from __future__ import annotations

import torch
from torch import nn

from spikenas.snn.batchnorm_over import run_chain


class SeqFold(nn.Module):
    """Apply `module` to [T, B, ...] by folding time into the batch: one big kernel, not T small ones.
    Several modules run as a chain (snn.batchnorm_over.run_chain: a batch norm after a convolution written
    over the convolution's output where no gradient is carried)."""

    def __init__(self, *modules: nn.Module) -> None:
        super().__init__()
        self.module = modules[0] if len(modules) == 1 else nn.Sequential(*modules)

    def forward(self, x_seq: torch.Tensor) -> torch.Tensor:
        return fold(lambda x: run_chain(self.module, x), x_seq)


def fold(module: nn.Module, x_seq: torch.Tensor) -> torch.Tensor:
    """`module` applied to [T, B, ...] with time folded into the batch."""
    return module(x_seq.flatten(0, 1)).unflatten(0, x_seq.shape[:2])


def repeat_time(x: torch.Tensor, timesteps: int) -> torch.Tensor:
    """Direct encoding: the same analog tensor [B, ...] at each of `timesteps` steps -> [T, B, ...]."""
    return x.unsqueeze(0).expand(timesteps, *x.shape)


class TimeDropout(nn.Module):
    """Dropout on [T, B, ...]. By default one mask per sample is shared by every timestep, so a dropped unit
    stays silent for the whole sequence: SpikingJelly's layer.Dropout, which the SNASNet paper's classifier
    uses (its mask is drawn at the first step and kept until the network is reset). `per_step=True` draws a
    new mask at every step (torch's nn.Dropout called once per step, as benchmarks built on plain PyTorch
    loops do)."""

    def __init__(self, p: float = 0.5, per_step: bool = False) -> None:
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"dropout must be in [0, 1), not {p}")
        self.p, self.per_step = p, per_step

    def forward(self, x_seq: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x_seq
        mask = torch.empty_like(x_seq if self.per_step else x_seq[0]).bernoulli_(1 - self.p) / (1 - self.p)
        return x_seq * mask

    def extra_repr(self) -> str:
        return f"p={self.p}, per_step={self.per_step}"


def reset_parts(model: nn.Module) -> None:
    """Fresh weights in place for every part of `model` that can reset itself (PyTorch's default
    initialisation of each layer; PLIF's tau; per-step BN statistics)."""
    for m in model.modules():
        if m is not model and hasattr(m, "reset_parameters"):
            m.reset_parameters()
