"""Cells that step through time record each neuron's spikes once per pass, as a sequence; the monitors'
totals must be those of recording every step as it happens (the reference path, restored here by
replacing `steps_recorded_once` with a block that gathers nothing)."""

import contextlib

import numpy as np
import pytest
import torch

from spikenas import spaces
from spikenas.cells import GraphCell, graph_cell
from spikenas.scores import RDMAccumulator, SAHDAccumulator
from spikenas.snn import SpikeMonitor, is_neuron


def _stepped_network(space_name: str):
    space = spaces.get(space_name)
    rng = np.random.default_rng(0)
    while True:
        g = space.sample(rng)
        torch.manual_seed(0)
        net = space.build(g, (1, 12, 12), 10, 4, channels=8)
        if any(isinstance(m, GraphCell) and m.stepped for m in net.modules()):
            return net


class _Counting:
    def __init__(self, kernels) -> None:
        self.kernels, self.calls = kernels, 0

    def record(self, neuron, spikes) -> None:
        self.calls += 1
        for k in self.kernels:
            k.record(neuron, spikes)


def _measure(net, x):
    rdm, sahd = RDMAccumulator("hamming", "mean"), SAHDAccumulator()
    sink = _Counting([rdm, sahd])
    neurons = [m for m in net.modules() if is_neuron(m)]
    for n in neurons:
        n.monitor = sink
    torch.manual_seed(0)  # the SNASNet classifier's dropout draws the same masks on both paths
    with torch.no_grad():
        net.train()
        net(x)
    for n in neurons:
        n.monitor = None
    torch.manual_seed(0)
    with SpikeMonitor(net) as mon, torch.no_grad():
        net(x)
        mon.add_samples(len(x))
    return rdm.value(), sahd.logdet(), mon.summary(), sink.calls


@pytest.mark.parametrize("space_name", ["mse", "snasnet"])
def test_gathered_step_records_equal_step_by_step(space_name, monkeypatch):
    net = _stepped_network(space_name)
    x = torch.randn(6, 1, 12, 12, generator=torch.Generator().manual_seed(1))
    rdm_once, sahd_once, summary_once, calls_once = _measure(net, x)

    @contextlib.contextmanager
    def every_step(neurons):
        yield

    monkeypatch.setattr(graph_cell, "steps_recorded_once", every_step)
    rdm_each, sahd_each, summary_each, calls_each = _measure(net, x)
    assert calls_once < calls_each  # fewer monitor calls ...
    assert rdm_once == rdm_each  # ... the same integer statistics
    assert sahd_once == pytest.approx(sahd_each, rel=1e-12)  # float64 sums in another order
    assert summary_once == summary_each
