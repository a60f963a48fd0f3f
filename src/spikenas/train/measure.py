"""Test-set evaluation with the spike monitor on: accuracy, loss, spikes per sample and energy."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from spikenas.data import DeviceBatches
from spikenas.devices import autocast_for
from spikenas.energy import energy_per_sample_uj
from spikenas.snn import SpikeMonitor
from spikenas.train.encoding import encode


@torch.no_grad()
def measure(model: nn.Module, batches: DeviceBatches, timesteps: int, encoding: str, amp: bool = True,
             e_mac_pj: float = 4.6, e_ac_pj: float = 0.9, cpu_amp: bool = False) -> dict:
    model.eval()
    correct = torch.zeros((), device=batches.device)
    loss_sum = torch.zeros((), device=batches.device, dtype=torch.float64)
    n = 0
    with SpikeMonitor(model) as mon:
        for xb, yb in batches.epoch(0):
            with autocast_for(batches.device, amp, cpu_amp):
                out = model(encode(xb, timesteps, encoding)).float()
            loss_sum += F.cross_entropy(out, yb, reduction="sum")
            correct += (out.argmax(1) == yb).sum()
            n += len(yb)
            mon.add_samples(len(yb))
    s = mon.summary()
    return {
        "accuracy": float(correct) / max(n, 1),
        "loss": float(loss_sum) / max(n, 1),
        "samples": n,
        **s,
        "energy_per_sample_uj": energy_per_sample_uj(s, e_mac_pj, e_ac_pj),
    }
