"""The SNASNet skeleton around two cells that share the genotype (each with its own weights):

stem conv3x3 + BN (once, direct encoding) -> cell(C) -> BN -> LIF -> conv3x3 (C -> 2C) -> BN -> avg-pool 2 ->
cell(2C) -> BN -> LIF -> avg-pool 2 -> dropout (the paper's 0.5 unless built with another p; one mask for all
timesteps) -> linear -> hidden -> LIF -> linear -> k x classes, voting by averaging each class's k outputs;
outputs averaged over T. The genotype's `hidden` sets the hidden width (the paper's 1024); 0 leaves the hidden
layer out: one linear readout from the pooled spikes to the classes, no voting, as the baseline's. The
genotype's `step_bn`: the batch norms inside cells with backward edges keep statistics per timestep, so the
network is built for `timesteps`.
Initialisation follows the paper's code: conv kaiming-uniform (a=2), BN weight 1, linear N(0, 0.01), except
that the first classifier layer's std is 0.01 * sqrt(16384 / fan_in): the paper's value at its CIFAR shape
(fan-in 256 x 8 x 8 = 16384), and the same pre-activation scale at any other input size (with the paper's
0.01 at 8x8 inputs that layer never fires and the network cannot learn).
"""

from __future__ import annotations

import torch
from torch import nn

from spikenas.cells import DirectStem, GraphCell, OpPool
from spikenas.snn import SeqFold, is_neuron
from spikenas.snn.layers import TimeDropout
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.snn.timestep_bn import TimestepBatchNorm2d
from spikenas.spaces.snasnet.genotype import SnasGenotype

PAPER_FC1_FAN_IN = 16384
PAPER_NEURON = NeuronConfig(kind="lif", tau=4 / 3, threshold=1.0, reset="hard", surrogate="atan")
PAPER_DROPOUT = 0.5


def default_channels(in_shape: tuple[int, int, int]) -> int:
    """C scaled to the input's area: the paper's 256 at 32x32, 16 at 8x8; a multiple of 8 in [8, 256]."""
    c = 256 * in_shape[1] * in_shape[2] / (32 * 32)
    return int(min(256, max(8, 8 * round(c / 8))))


def votes_per_class(num_classes: int) -> int:
    return 10 if num_classes <= 10 else 5


class SnasNet(nn.Module):
    def __init__(self, genotype: SnasGenotype, in_shape: tuple[int, int, int], num_classes: int, timesteps: int,
                 channels: int | None = None, neuron: NeuronConfig | None = None, hidden: int | None = None,
                 dropout: float = PAPER_DROPOUT, dropout_per_step: bool = False, pool: OpPool | None = None) -> None:
        super().__init__()
        neuron = neuron or PAPER_NEURON
        c_in, h, w = in_shape
        C = channels or default_channels(in_shape)
        self.timesteps = timesteps
        self.num_classes = num_classes
        self.hidden = genotype.hidden if hidden is None else hidden
        self.k = votes_per_class(num_classes) if self.hidden else 1
        if pool is not None:  # this network takes over the edge operations of the one built before it
            pool.start()
        graph = genotype.cell_graph()
        self.stem = DirectStem(c_in, C, timesteps)
        step_bn = dict(timesteps=timesteps, per_step_bn=genotype.step_bn)
        self.cell1 = GraphCell(graph, C, neuron, **step_bn, pool=pool, stacked_sums=True)
        self.down_bn = SeqFold(nn.BatchNorm2d(C))
        self.down_lif = neuron.make()
        self.down = SeqFold(nn.Conv2d(C, 2 * C, 3, padding=1, bias=False), nn.BatchNorm2d(2 * C), nn.AvgPool2d(2))
        self.cell2 = GraphCell(graph, 2 * C, neuron, **step_bn, pool=pool, stacked_sums=True)
        self.last_bn = SeqFold(nn.BatchNorm2d(2 * C))
        self.last_lif = neuron.make()
        self.pool = SeqFold(nn.AvgPool2d(2), nn.Flatten())
        self.dropout = TimeDropout(dropout, per_step=dropout_per_step)
        features = 2 * C * (h // 4) * (w // 4)
        self.fc1 = SeqFold(nn.Linear(features, self.hidden, bias=False)) if self.hidden else None
        self.fc_lif = neuron.make() if self.hidden else None
        self.fc2 = SeqFold(nn.Linear(self.hidden or features, self.k * num_classes))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Fresh weights in place, as the paper's code initialises them (no rebuild needed)."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_uniform_(m.weight, a=2)
            elif isinstance(m, nn.BatchNorm2d):
                m.reset_running_stats()
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, TimestepBatchNorm2d):
                m.reset_parameters()
            elif isinstance(m, nn.Linear):
                first = self.fc1 is not None and m is self.fc1.module
                std = 0.01 * (PAPER_FC1_FAN_IN / m.in_features) ** 0.5 if first else 0.01
                nn.init.normal_(m.weight, 0, std)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif is_neuron(m) and hasattr(m, "reset_parameters"):  # PLIF's learnable tau
                m.reset_parameters()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.cell1(self.stem(x))
        x = self.down(self.down_lif(self.down_bn(x)))
        x = self.cell2(x)
        x = self.pool(self.last_lif(self.last_bn(x)))
        x = self.dropout(x)
        if self.fc1 is not None:
            x = self.fc_lif(self.fc1(x))
        x = self.fc2(x)
        T, B = x.shape[:2]
        return x.view(T, B, self.num_classes, self.k).mean(-1).mean(0)
