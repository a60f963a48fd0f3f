"""The spike monitor's counts against counts made by hand, and the energy formula."""

import pytest
import torch
from torch import nn

from spikenas.energy import energy_per_sample_uj
from spikenas.snn import LIF, SeqFold, SpikeMonitor


def test_counts_spikes_per_layer_and_synaptic_ops():
    torch.manual_seed(0)
    T, B = 3, 5
    first, second = nn.Linear(6, 8), nn.Linear(8, 4)
    l1, l2 = LIF(backend="torch"), LIF(backend="torch")
    model = nn.Sequential(SeqFold(first), l1, SeqFold(second), l2)
    x = torch.randn(T, B, 6) * 3
    with SpikeMonitor(model) as mon:
        model(x)
        mon.add_samples(B)
    s1 = l1(first(x))
    s2 = l2(second(s1))
    summary = mon.summary()
    assert summary["spikes_per_sample_per_layer"] == {"1": pytest.approx(s1.sum().item() / B),
                                                      "3": pytest.approx(s2.sum().item() / B)}
    assert summary["firing_rate_per_layer"]["1"] == pytest.approx(s1.mean().item())
    assert summary["macs_per_sample"] == pytest.approx(T * 6 * 8)  # the analog first layer, dense
    assert summary["sops_per_sample"] == pytest.approx(s1.sum().item() * 4 / B)  # each spike fans out to 4
    e = energy_per_sample_uj(summary, 4.6, 0.9)
    assert e == pytest.approx((4.6 * T * 48 + 0.9 * s1.sum().item() * 4 / B) * 1e-6)
    assert l1.monitor is None  # detached on exit


def test_conv_fan_out():
    conv = nn.Conv2d(2, 3, 3, padding=1)
    model = nn.Sequential(nn.Conv2d(1, 2, 1), SeqFold(conv))
    x = torch.ones(1, 1, 4, 4)
    with SpikeMonitor(model) as mon:
        h = model[0](x)
        model[1](h.unsqueeze(0))
        mon.add_samples(1)
    nnz = (h != 0).sum().item()
    assert mon.summary()["sops_per_sample"] == pytest.approx(nnz * (3 * 2 * 9 * 16) / (2 * 16))


def test_count_ones_is_exact_beyond_float32s_integers():
    from spikenas.snn.monitor import count_ones

    for n in (0, 5, 2**24 - 1, 2**24, 2**24 + 7, 2 * 2**24 + 5):
        x = (torch.rand(n, generator=torch.Generator().manual_seed(n)) > 0.3).float()
        assert count_ones(x).item() == x.sum(dtype=torch.float64).item()
    assert count_ones(torch.ones(2 * 2**24 + 3)).item() == 2 * 2**24 + 3  # a float32 sum would round this
