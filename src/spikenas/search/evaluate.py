"""Scoring one candidate at initialisation: build it with a seed of its own, run the score's batches
through it in train mode with no gradient, and read the score and the spike count off the neurons."""

from __future__ import annotations

import itertools
import time

import torch
from torch import nn

from spikenas.scores import RDMKernel, SAHDKernel
from spikenas.scores.rdm import DEFAULT_DISSIMILARITY, DEFAULT_REDUCTION
from spikenas.snn import is_neuron
from spikenas.snn.timestep_bn import TimestepBatchNorm2d
from spikenas.train.evaluate import autocast_for


class _Recorder:
    """Neuron sink: feeds the score's kernel and counts spikes, on the device (one op per layer)."""

    def __init__(self, kernel, readout=None) -> None:
        self.kernel, self.readout = kernel, readout
        self.totals: list[torch.Tensor] = []
        self.readout_totals: list[torch.Tensor] = []

    def record(self, neuron, spikes: torch.Tensor) -> None:
        self.kernel.record(neuron, spikes)
        total = spikes.sum(dtype=torch.float64)
        self.totals.append(total)
        if neuron is self.readout:
            self.readout_totals.append(total)

    def counts(self) -> tuple[float, float]:
        """(spikes of every layer, spikes of the readout): integers, so exact in float64 in any order."""
        if not self.totals:
            return 0.0, 0.0
        ro = torch.stack(self.readout_totals).sum() if self.readout_totals else self.totals[0].new_zeros(())
        both = torch.stack([torch.stack(self.totals).sum(), ro]).tolist()  # one copy to the host
        return both[0], both[1]


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
            layer_spikes, ro_spikes = rec.counts()
            spikes += layer_spikes
            readout_spikes += ro_spikes
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


def drop_running_stats(model: nn.Module) -> None:
    """Strip every batch norm's running statistics (before the network gets storage). Scoring runs in train
    mode, where a batch norm normalises by the batch's statistics and only updates its running ones, which
    nothing reads: the outputs are the same, and each layer has three tensors fewer to allocate, fill and
    update (tests/test_meta_build.py)."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.track_running_stats = False
            m.running_mean = m.running_var = m.num_batches_tracked = None
        elif isinstance(m, TimestepBatchNorm2d):
            m.running_mean = m.running_var = None


class Networks:
    """Hands out the network for each candidate. A space whose networks can be rewired in place
    (`set_genotype`) gets one network per worker, rewired and re-initialised for every candidate, instead of
    a new one built in Python each time; `reuse=False` builds every one afresh (the reference path). Either
    way the weights are drawn by `reset_parameters()` right after seeding, so they are the same. A network is
    built on the meta device (no memory, no initialisation) and then given empty storage on the scoring
    device: `reset_parameters()` fills every parameter and buffer (tests/test_meta_build.py), so drawing
    weights at construction as well would only be thrown away. Its batch norms keep no running statistics
    (`drop_running_stats`): a network handed out here is for scoring in train mode only. A space that offers
    a pool of parts (`new_pool`, spaces.mse.pool) gets one: each network is built from the parts of the one
    before where it can, and only its new parts get storage; the previous network is then not to be used."""

    def __init__(self, space, build_kwargs: dict, device: torch.device, reuse: bool = True) -> None:
        self.space, self.build_kwargs, self.device, self.reuse = space, build_kwargs, device, reuse
        self.model: nn.Module | None = None
        self.pool = space.new_pool() if reuse and hasattr(space, "new_pool") else None

    def get(self, genotype, seed: int) -> nn.Module:
        if self.reuse and self.model is not None:
            self.model.set_genotype(genotype)
            model = self.model
            drop_running_stats(model)  # of the ops the rewiring made
        else:
            pooled = {} if self.pool is None else {"pool": self.pool}
            with torch.device("meta"):  # no weights drawn at construction: reset_parameters() draws them
                model = self.space.build(genotype, **self.build_kwargs, **pooled)
            drop_running_stats(model)
            for m in model.modules():  # storage for the parts just built; parts from the pool have theirs
                if any(t.is_meta for t in itertools.chain(m.parameters(False), m.buffers(False))):
                    m.to_empty(device=self.device, recurse=False)
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
