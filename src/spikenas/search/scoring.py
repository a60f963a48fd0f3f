"""Scoring one candidate at initialisation: build it with a seed of its own, run the score's batches
through it in train mode with no gradient, and read its scores and its spike count off the neurons (every
score of a candidate from the same forward pass)."""

from __future__ import annotations

import itertools
import time

import torch
from torch import nn

from spikenas.cells import OpPool
from spikenas.devices import autocast_for, channels_last_for
from spikenas.scores import get_score
from spikenas.snn import is_neuron
from spikenas.snn.monitor import count_ones
from spikenas.snn.timestep_bn import TimestepBatchNorm2d


class _Recorder:
    """Neuron sink: feeds every score's accumulator the layers it reads (`reads`: a set of neuron ids per
    accumulator, None for every layer) and counts spikes, on the device (one op per layer)."""

    def __init__(self, accumulators: list, readout=None, reads: list | None = None) -> None:
        self.accumulators, self.readout = accumulators, readout
        self.reads = reads or [None] * len(accumulators)
        self.totals: list[torch.Tensor] = []
        self.readout_totals: list[torch.Tensor] = []

    def record(self, neuron, spikes: torch.Tensor) -> None:
        for acc, keep in zip(self.accumulators, self.reads, strict=True):
            if keep is None or id(neuron) in keep:
                acc.record(neuron, spikes)
        total = count_ones(spikes)
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


def make_accumulator(score: str, options=None, labels: torch.Tensor | None = None):
    """The accumulator of one batch's score (options: the score's Options; None for its defaults)."""
    info = get_score(score)
    return info.make(info.options_or_defaults(options), labels)


def layers_read(model: nn.Module, score: str, options=None) -> frozenset | None:
    """The ids of the neurons of `model` whose spikes a score reads (None: every spiking layer)."""
    info = get_score(score)
    return info.reads(info.options_or_defaults(options), model)


def label_readers(pairs) -> list[str]:
    """The scores among (name, options) pairs (options None: the score's defaults) that read the batches'
    labels, as RDM's default reduction (rsa) does."""
    return [name for name, options in pairs
            if get_score(name).needs_labels(get_score(name).options_or_defaults(options))]


def _check_labels(pairs: list, batches: list, labels) -> None:
    """A score that reads the batch's labels (RDM's default rsa) is given one label tensor per batch."""
    readers = label_readers(pairs)
    if labels is None and readers:
        name = readers[0]
        raise ValueError(f"the {name} score with these options reads each batch's labels: pass labels= (one "
                         f"tensor per batch){', or a label-free rdm_reduction' if name == 'rdm' else ''}")
    if labels is not None and len(labels) != len(batches):
        raise ValueError(f"{len(labels)} label tensors for {len(batches)} batches")


def score_network(model: nn.Module, batches: list[torch.Tensor], score="sahd", precision: str = "fp32",
                  options=None, labels: list[torch.Tensor] | None = None):
    """(mean score over the batches, spikes per sample). Each batch starts from fresh neuron state.
    `score` a name (options: its Options), or a list of (name, options) pairs: then the first value is a
    dict name -> mean score, all from the same forward passes.
    precision "bf16" runs the network under bf16 autocast, on CUDA or the CPU (the accumulators themselves
    stay exact).
    `labels` (a tensor per batch) are needed by a score that reads them: RDM with its default reduction, rsa.
    Each score is fed the layers it reads (RDM's default: the network's last cell, where it names one).
    A training score (early-loss) is computed after that pass, from the same batches; it trains `model`.
    A network that names its `readout_neuron` fails (ValueError) when that layer never fires on any batch:
    its output is constant, so no gradient can reach it and it cannot be trained."""
    several = not isinstance(score, str)
    pairs = list(score) if several else [(score, options)]
    _check_labels(pairs, batches, labels)
    neurons = [m for m in model.modules() if is_neuron(m)]
    readout = getattr(model, "readout_neuron", None)
    monitored = [(n, o) for n, o in pairs if get_score(n).trains is None]
    reads = [layers_read(model, n, o) for n, o in monitored]
    model.train()
    values: list[list[float]] = [[] for _ in monitored]
    spikes, samples, readout_spikes = 0.0, 0, 0.0
    try:
        for b, x in enumerate(batches):
            y = labels[b] if labels is not None else None
            rec = _Recorder([make_accumulator(n, o, y) for n, o in monitored], readout, reads)
            for n in neurons:
                n.monitor = rec
            with torch.no_grad(), autocast_for(x.device, precision == "bf16", cpu=precision == "bf16"):
                model(x)
            for k, acc in enumerate(rec.accumulators):
                values[k].append(acc.value())
            layer_spikes, ro_spikes = rec.counts()
            spikes += layer_spikes
            readout_spikes += ro_spikes
            samples += x.shape[1] if x.dim() == 5 else x.shape[0]
    finally:
        for n in neurons:
            n.monitor = None
    if readout is not None and readout_spikes == 0:
        raise ValueError("the readout neurons never fire at initialisation: the output is constant, untrainable")
    found = {n: sum(v) / len(v) for (n, _), v in zip(monitored, values, strict=True)}
    for n, o in pairs:
        info = get_score(n)
        if info.trains is not None:
            found[n] = info.trains(model, batches, labels, info.options_or_defaults(o), precision)
    per_sample = spikes / max(samples, 1)
    return ({n: found[n] for n, _ in pairs} if several else found[pairs[0][0]]), per_sample


def candidate_seed(seed: int, genotype_hash: str) -> int:
    """Weights depend on the search seed and the genotype only, not on the order of evaluation."""
    return (seed * 1_000_003 + int(genotype_hash[:12], 16)) % (2**63 - 1)


def init_hash(genotype) -> str:
    """The genotype's hash for seeding its weights: `init_hash()` where a genotype has one (the part of it that
    sets the network at initialisation: SNASNet's leaves out `step_bn`), else its hash."""
    own = getattr(genotype, "init_hash", None)
    return own() if callable(own) else genotype.hash()


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
    """Hands out the network for each candidate. Each network is built on the meta device (no memory, no
    initialisation) and then given empty storage on the scoring device: `reset_parameters()`, right after
    seeding, fills every parameter and buffer (tests/test_meta_build.py), so drawing weights at construction
    as well would only be thrown away. Its batch norms keep no running statistics (`drop_running_stats`): a
    network handed out here is for scoring in train mode only. With `reuse` (the default) every space's
    build gets one pool of edge operations (cells.pool): each network is built from the parts of the one
    before where it can, and only its new parts get storage; the previous network is then not to be used.
    `reuse=False` builds every part afresh (the reference path); the weights are the same either way.
    `channels_last` (default: on CUDA) lays the networks out channels-last."""

    def __init__(self, space, build_kwargs: dict, device: torch.device, reuse: bool = True,
                 channels_last: bool | None = None) -> None:
        self.space, self.build_kwargs, self.device, self.reuse = space, build_kwargs, device, reuse
        self.channels_last = channels_last_for(device) if channels_last is None else channels_last
        self.pool = OpPool() if reuse else None

    def get(self, genotype, seed: int) -> nn.Module:
        with torch.device("meta"):  # no weights drawn at construction: reset_parameters() draws them
            model = self.space.build(genotype, **self.build_kwargs, pool=self.pool)
        drop_running_stats(model)
        for m in model.modules():  # storage for the parts just built; parts from the pool have theirs
            if any(t.is_meta for t in itertools.chain(m.parameters(False), m.buffers(False))):
                m.to_empty(device=self.device, recurse=False)
        if self.channels_last:  # NHWC convolutions (devices.channels_last_for)
            model.to(memory_format=torch.channels_last)
        torch.manual_seed(candidate_seed(seed, init_hash(genotype)))
        model.reset_parameters()
        return model


def score_candidate(networks: Networks, genotype, batches: list[torch.Tensor], seed: int, score="sahd",
             precision: str = "fp32", options=None, labels: list[torch.Tensor] | None = None) -> dict:
    """One candidate's result: {"score", "spikes", "params", "seconds"}; with a list of (name, options)
    scores, "score" is the first one's and "scores" holds them all."""
    t0 = time.perf_counter()
    model = networks.get(genotype, seed)
    value, spikes = score_network(model, batches, score, precision, options, labels)
    extra = {}
    if isinstance(value, dict):
        extra, value = {"scores": value}, next(iter(value.values()))
    if networks.device.type == "cuda":
        torch.cuda.synchronize()
    return {"score": value, "spikes": spikes, "params": sum(p.numel() for p in model.parameters()),
            "seconds": time.perf_counter() - t0, **extra}
