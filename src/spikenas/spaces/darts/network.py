"""The network around DARTS cells, shared by the derived network and the supernet:

stem conv3x3 + BN (direct encoding) -> cells -> BN -> LIF -> global average pool -> linear, averaged over T.
Cell k reads the outputs of cells k-2 and k-1 (the stem's for the first), each first made C_k channels wide
by LIF -> conv1x1 -> BN (stride 2 for the older one when the cell before reduced); a reducing cell doubles C
and halves the resolution on the edges from its inputs. A cell's output concatenates its intermediate nodes
(nodes x C_k channels), then goes through the chosen attention (cells.attention): currents in, currents
out, so the next neurons still fire binary spikes.
"""

from __future__ import annotations

import torch
from torch import nn

from spikenas.cells import DirectStem, GraphCell
from spikenas.cells.attention import make_attention
from spikenas.cells.ops import EdgeOp
from spikenas.snn import fold
from spikenas.snn.layers import reset_parts
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.spaces.darts.genotype import DartsGenotype


def default_channels(in_shape: tuple[int, int, int]) -> int:
    """16 at 32x32 (DARTS's search width), scaled to the input's area; a multiple of 4 in [8, 64]."""
    c = 16 * in_shape[1] * in_shape[2] / (32 * 32)
    return int(min(64, max(8, 4 * round(c / 4))))


def macro_plan(layers: int, reduce_at, C: int, nodes: int) -> list[tuple[int, int, int, bool, bool]]:
    """(C of cell k-2's output, C of cell k-1's output, C_k, reduces, the cell before reduced) per cell."""
    plan, c_pp, c_p, c, before = [], C, C, C, False
    for k in range(layers):
        red = k in reduce_at
        c = 2 * c if red else c
        plan.append((c_pp, c_p, c, red, before))
        c_pp, c_p, before = c_p, nodes * c, red
    return plan


def preprocess(c_in: int, c_out: int, stride: int, neuron: NeuronConfig) -> EdgeOp:
    return EdgeOp("conv", c_in, neuron, kernel=1, stride=stride, c_out=c_out)


class Head(nn.Module):
    """BN -> LIF -> global average pool -> linear, averaged over time (the BN keeps the readout firing)."""

    def __init__(self, channels: int, num_classes: int, neuron: NeuronConfig) -> None:
        super().__init__()
        self.bn, self.lif, self.fc = nn.BatchNorm2d(channels), neuron.make(), nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.lif(fold(self.bn, x)).mean((-2, -1))).mean(0)


class DartsCell(nn.Module):
    """A derived cell: its two inputs preprocessed, then its graph run by GraphCell."""

    def __init__(self, genotype: DartsGenotype, plan, neuron: NeuronConfig, pool=None) -> None:
        super().__init__()
        c_pp, c_p, c, red, before = plan
        self.pre0 = preprocess(c_pp, c, 2 if before else 1, neuron)
        self.pre1 = preprocess(c_p, c, 1, neuron)
        self.body = GraphCell(genotype.cell_graph(red), c, neuron, pool=pool)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        return self.body(self.pre0(s0), self.pre1(s1))


class DartsNet(nn.Module):
    def __init__(self, genotype: DartsGenotype, in_shape: tuple[int, int, int], num_classes: int, timesteps: int,
                 channels: int | None = None, neuron: NeuronConfig | None = None, pool=None) -> None:
        super().__init__()
        if pool is not None:
            pool.start()
        neuron = neuron or NeuronConfig()
        C = channels or default_channels(in_shape)
        self.timesteps = timesteps
        self.stem = DirectStem(in_shape[0], C, timesteps)
        plan = macro_plan(genotype.layers, genotype.reduce_at, C, genotype.nodes)
        self.cells = nn.ModuleList(DartsCell(genotype, p, neuron, pool) for p in plan)
        self.attention = nn.ModuleList(make_attention(genotype.attention, genotype.nodes * p[2], timesteps)
                                       for p in plan)
        self.head = Head(genotype.nodes * plan[-1][2], num_classes, neuron)

    @property
    def readout_neuron(self) -> nn.Module:
        return self.head.lif

    def reset_parameters(self) -> None:
        reset_parts(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s0 = s1 = self.stem(x)
        for cell, attend in zip(self.cells, self.attention, strict=True):
            s0, s1 = s1, attend(cell(s0, s1))
        return self.head(s1)
