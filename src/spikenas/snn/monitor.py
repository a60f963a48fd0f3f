"""Spike monitor: number of spikes (NoS) per spiking layer per sample, firing rates and synaptic ops.

Counts accumulate in device tensors and are read back once, when asked: nothing is copied to the host
per step. Synaptic operations are counted for every Conv/Linear: the first one the input reaches is an
analog multiply-accumulate layer (MACs, dense); every later one is driven by spikes, so it costs one
accumulate per non-zero input per outgoing synapse (SOPs = non-zeros x fan-out).
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from spikenas.snn.neurons import is_neuron


def _fan_out(module: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Average outgoing synapses per input element: dense MACs of this call / input elements."""
    if isinstance(module, nn.Conv2d):
        macs = y.numel() * (module.in_channels // module.groups) * module.kernel_size[0] * module.kernel_size[1]
    else:
        macs = y.numel() * module.in_features
    return macs / x.numel()


_EXACT = 2**24  # float32 holds every integer up to here: a sum of this many 0/1 values is exact


def count_ones(x: torch.Tensor) -> torch.Tensor:
    """Exact sum of a tensor of zeros and ones (spikes), as a float64 scalar (`count_ones_per_row`)."""
    return count_ones_per_row(x.detach().reshape(1, -1))[0]


def count_ones_per_row(x: torch.Tensor) -> torch.Tensor:
    """Exact sums of the rows of x [..., N] of zeros and ones, float64 [...]: float32 sums over blocks of 2^24
    elements (exact, and over ten times quicker on the CPU than summing in float64, which first copies the
    whole tensor to float64), then the blocks' sums in float64."""
    n = x.shape[-1]
    whole = n - n % _EXACT
    counts = x[..., whole:].sum(-1, dtype=torch.float32).double()
    if whole:
        blocks = x[..., :whole].reshape(*x.shape[:-1], -1, _EXACT)
        counts = counts + blocks.sum(-1, dtype=torch.float32).sum(-1, dtype=torch.float64)
    return counts


class SpikeMonitor:
    """Context manager over a model: `with SpikeMonitor(model) as mon: model(x); mon.add_samples(B)`."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.names = {m: n for n, m in model.named_modules() if is_neuron(m)}
        self.synapses = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        self.reset()
        self._hooks: list = []

    def reset(self) -> None:
        self.spikes: dict[str, torch.Tensor] = OrderedDict()
        self.neuron_steps: dict[str, int] = OrderedDict()
        self.samples = 0
        self.first_synapse: nn.Module | None = None
        self.macs = 0.0
        self.sops: torch.Tensor | float = 0.0

    def __enter__(self) -> SpikeMonitor:
        for m in self.names:
            m.monitor = self
        self._hooks = [m.register_forward_hook(self._count_synapses) for m in self.synapses]
        return self

    def __exit__(self, *exc) -> None:
        for m in self.names:
            m.monitor = None
        for h in self._hooks:
            h.remove()
        self._hooks = []

    def add_samples(self, n: int) -> None:
        self.samples += int(n)

    def record(self, neuron: nn.Module, spikes: torch.Tensor) -> None:
        """Called by a neuron with its output [T, B, ...]."""
        name = self.names.get(neuron, "?")
        total = count_ones(spikes)
        self.spikes[name] = self.spikes[name] + total if name in self.spikes else total
        self.neuron_steps[name] = self.neuron_steps.get(name, 0) + spikes.numel()

    def _count_synapses(self, module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        x = inputs[0]
        if self.first_synapse is None:
            self.first_synapse = module
        if module is self.first_synapse:
            self.macs += _fan_out(module, x, output) * x.numel()
        else:
            nnz = torch.count_nonzero(x.detach()).double()
            self.sops = self.sops + nnz * _fan_out(module, x, output)

    def summary(self) -> dict:
        """Host-side numbers (one sync): NoS per layer per sample, firing rates, MACs and SOPs per sample."""
        n = max(self.samples, 1)
        per_layer = {k: float(v) / n for k, v in self.spikes.items()}
        rates = {k: float(v) / max(self.neuron_steps[k], 1) for k, v in self.spikes.items()}
        return {
            "spikes_per_sample": sum(per_layer.values()),
            "spikes_per_sample_per_cell": per_cell(per_layer),
            "spikes_per_sample_per_layer": per_layer,
            "firing_rate_per_layer": rates,
            "macs_per_sample": self.macs / n,
            "sops_per_sample": float(self.sops) / n,
        }


def per_cell(per_layer: dict[str, float]) -> dict[str, float]:
    """Spikes summed by cell: layers named `cells.K.…` (every searched network's cells) count for cell K;
    the rest by their first name ("stem", "head", ...)."""
    out: dict[str, float] = {}
    for name, v in per_layer.items():
        parts = name.split(".")
        key = ".".join(parts[:2]) if parts[0] == "cells" and len(parts) > 1 else parts[0]
        out[key] = out.get(key, 0.0) + v
    return out
