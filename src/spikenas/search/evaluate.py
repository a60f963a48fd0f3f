"""Scoring one candidate at initialisation: build it with a seed of its own, run the score's batches
through it in train mode with no gradient, and read the score and the spike count off the neurons."""

from __future__ import annotations

import time

import torch
from torch import nn

from spikenas.scores import RDMKernel, SAHDKernel
from spikenas.scores.rdm import DEFAULT_DISSIMILARITY, DEFAULT_REDUCTION
from spikenas.snn import is_neuron
from spikenas.train.evaluate import autocast_for


class _Recorder:
    """Neuron sink: feeds the score's kernel and counts spikes, on the device."""

    def __init__(self, kernel, readout=None) -> None:
        self.kernel, self.readout = kernel, readout
        self.spikes = None
        self.readout_spikes = None

    def record(self, neuron, spikes: torch.Tensor) -> None:
        self.kernel.record(neuron, spikes)
        total = spikes.detach().sum(dtype=torch.float64)
        self.spikes = total if self.spikes is None else self.spikes + total
        if neuron is self.readout:
            self.readout_spikes = total if self.readout_spikes is None else self.readout_spikes + total


SCORES = ("sahd", "rdm")


def make_kernel(score: str, options: dict | None = None, labels: torch.Tensor | None = None):
    """The accumulator of one batch's score. Options (rdm): dissimilarity, reduction (see scores.rdm)."""
    options = options or {}
    if score == "sahd":
        return SAHDKernel()
    if score == "rdm":
        return RDMKernel(options.get("dissimilarity") or DEFAULT_DISSIMILARITY,
                         options.get("reduction") or DEFAULT_REDUCTION, labels)
    raise ValueError(f"unknown score {score!r}; known: {', '.join(SCORES)}")


def score_network(model: nn.Module, batches: list[torch.Tensor], score: str = "sahd", precision: str = "fp32",
                  options: dict | None = None, labels: list[torch.Tensor] | None = None) -> tuple[float, float]:
    """(mean score over the batches, spikes per sample). Each batch starts from fresh neuron state.
    precision "bf16" runs the network under bf16 autocast on CUDA (the kernel itself stays exact).
    A network that names its `readout_neuron` fails (ValueError) when that layer never fires on any batch:
    its output is constant, so no gradient can reach it and it cannot be trained."""
    neurons = [m for m in model.modules() if is_neuron(m)]
    readout = getattr(model, "readout_neuron", None)
    model.train()
    values, spikes, samples, readout_spikes = [], 0.0, 0, 0.0
    try:
        for b, x in enumerate(batches):
            rec = _Recorder(make_kernel(score, options, labels[b] if labels else None), readout)
            for n in neurons:
                n.monitor = rec
            with torch.no_grad(), autocast_for(x.device, precision == "bf16"):
                model(x)
            values.append(rec.kernel.value())
            spikes += float(rec.spikes) if rec.spikes is not None else 0.0
            readout_spikes += float(rec.readout_spikes) if rec.readout_spikes is not None else 0.0
            samples += x.shape[1] if x.dim() == 5 else x.shape[0]
    finally:
        for n in neurons:
            n.monitor = None
    if readout is not None and readout_spikes == 0:
        raise ValueError("the readout neurons never fire at initialisation: the output is constant, untrainable")
    return sum(values) / len(values), spikes / max(samples, 1)


def candidate_seed(seed: int, genotype_hash: str) -> int:
    """Weights depend on the search seed and the genotype only, not on the order of evaluation."""
    return (seed * 1_000_003 + int(genotype_hash[:12], 16)) % (2**63 - 1)


class Networks:
    """Hands out the network for each candidate. A space whose networks can be rewired in place
    (`set_genotype`) gets one network per worker, rewired and re-initialised for every candidate, instead of
    a new one built in Python each time; `reuse=False` builds every one afresh (the reference path). Either
    way the weights are drawn by `reset_parameters()` right after seeding, so they are the same. A network is
    built on the meta device (no memory, no initialisation) and then given empty storage on the scoring
    device: `reset_parameters()` fills every parameter and buffer (tests/test_meta_build.py), so drawing
    weights at construction as well would only be thrown away."""

    def __init__(self, space, build_kwargs: dict, device: torch.device, reuse: bool = True) -> None:
        self.space, self.build_kwargs, self.device, self.reuse = space, build_kwargs, device, reuse
        self.model: nn.Module | None = None

    def get(self, genotype, seed: int) -> nn.Module:
        if self.reuse and self.model is not None:
            self.model.set_genotype(genotype)
            model = self.model
        else:
            with torch.device("meta"):  # no weights drawn at construction: reset_parameters() draws them
                model = self.space.build(genotype, **self.build_kwargs)
            model.to_empty(device=self.device)
            if self.reuse and hasattr(model, "set_genotype"):
                self.model = model
        if self.device.type == "cuda":  # NHWC convolutions: the layout tensor cores read without transposes
            model.to(memory_format=torch.channels_last)
        torch.manual_seed(candidate_seed(seed, genotype.hash()))
        model.reset_parameters()
        return model


def evaluate(networks: Networks, genotype, batches: list[torch.Tensor], seed: int, score: str = "sahd",
             precision: str = "fp32", options: dict | None = None, labels: list[torch.Tensor] | None = None) -> dict:
    t0 = time.perf_counter()
    model = networks.get(genotype, seed)
    value, spikes = score_network(model, batches, score, precision, options, labels)
    if networks.device.type == "cuda":
        torch.cuda.synchronize()
    return {"score": value, "spikes": spikes, "params": sum(p.numel() for p in model.parameters()),
            "seconds": time.perf_counter() - t0}
