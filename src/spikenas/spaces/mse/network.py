"""The MSE-NAS network: stem conv3x3 + BN (once, direct encoding) -> cells -> BN -> LIF -> the readout, a
linear layer over those spikes at every position (the genotype's readout "flat") or over their global
average ("pool"); the output is averaged over T. The BN before the readout neurons keeps them firing whatever
the sign of the last cell's output (an inhibitory output would otherwise silence them, and a network whose
readout never fires cannot learn: measured, 9 of 24 sampled networks without it stayed at chance). The flat
readout costs more parameters (channels x positions per class) and learns much faster: docs/mse.md.

Widths double where resolution halves: the stem and the cells before the first reduction have C channels,
a cell after one reduction 2C, after two 4C (the cost of a cell's convolutions stays about the same at every
level, as in DARTS and SNASNet). A cell's input is the sum of the sources it reads (the stem, earlier cells,
macro scale), each average-pooled by 2 once for every reducing cell between it and the reader and padded
with zero channels to the reader's width: a read costs no parameters and no multiply-accumulates, and the
reader's first convolutions mix the new channels in.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from spikenas.cells import DirectStem, GraphCell, OpPool, total
from spikenas.snn import fold, is_neuron
from spikenas.snn.layers import reset_parts
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.spaces.mse.genome import cell_graph
from spikenas.spaces.mse.genotype import MseGenotype


def default_channels(in_shape: tuple[int, int, int]) -> int:
    """32 at 32x32, scaled to the input's area; a multiple of 8 in [8, 64]."""
    c = 32 * in_shape[1] * in_shape[2] / (32 * 32)
    return int(min(64, max(8, 8 * round(c / 8))))


def halve(x_seq: torch.Tensor, times: int) -> torch.Tensor:
    for _ in range(times):
        x_seq = fold(lambda z: F.avg_pool2d(z, 2), x_seq)
    return x_seq


def widen(x_seq: torch.Tensor, channels: int) -> torch.Tensor:
    """[T, B, C, H, W] padded with zero channels to `channels`."""
    return F.pad(x_seq, (0, 0, 0, 0, 0, channels - x_seq.shape[2]))


class MseNet(nn.Module):
    def __init__(self, genotype: MseGenotype, in_shape: tuple[int, int, int], num_classes: int, timesteps: int,
                 channels: int | None = None, neuron: NeuronConfig | None = None, pool: OpPool | None = None) -> None:
        super().__init__()
        if pool is not None:  # this network takes over the edge operations of the one built before it
            pool.start()
        neuron = neuron or NeuronConfig()
        C = channels or default_channels(in_shape)
        self.timesteps = timesteps
        self.stem = DirectStem(in_shape[0], C, timesteps)
        specs = genotype.structure
        levels, level = [0], 0  # resolution level of the stem and of each cell's output
        for s in specs:
            level += s.reduce
            levels.append(level)
        self.levels = levels
        self.widths = [C * 2**lv for lv in levels]
        cells = zip(specs, self.widths[1:], strict=True)
        # a stepped cell's BNs keep running statistics per timestep (snn.timestep_bn says why)
        self.cells = nn.ModuleList(GraphCell(cell_graph(s), w, neuron, timesteps, per_step_bn=True, pool=pool)
                                   for s, w in cells)
        self.reads = [s.reads for s in specs]
        self.head_bn = nn.BatchNorm2d(self.widths[-1])
        self.head_lif = neuron.make()
        self.flat = genotype.readout == "flat"
        h, w = in_shape[1:]
        for _ in range(levels[-1]):  # avg_pool2d(2) floors
            h, w = h // 2, w // 2
        self.fc = nn.Linear(self.widths[-1] * (h * w if self.flat else 1), num_classes)

    @property
    def readout_neuron(self) -> nn.Module:
        """Scoring fails a network whose readout never fires (search.scoring.score_network)."""
        return self.head_lif

    def last_cell_neurons(self) -> list[nn.Module]:
        """The neurons of the deepest cell that has any (the readout's where none has): the layers RDM reads by
        default (scores.layers)."""
        for cell in reversed(self.cells):
            found = [m for m in cell.modules() if is_neuron(m)]
            if found:
                return found
        return [self.head_lif]

    def reset_parameters(self) -> None:
        """Fresh weights in place (PyTorch's default initialisation of every layer)."""
        reset_parts(self)

    def _at_level(self, outs: list, pooled: dict, k: int, level: int) -> torch.Tensor:
        """Output k halved and widened to `level`, pooled once however many later cells read it there.

        A method, not a closure in forward: a recursive closure refers to itself, and that cycle would keep
        every activation (and its autograd graph) alive until Python's cyclic collector happened to run.
        """
        if level == self.levels[k]:
            return outs[k]
        if (k, level) not in pooled:
            pooled[(k, level)] = widen(halve(self._at_level(outs, pooled, k, level - 1), 1),
                                       self.widths[0] * 2**level)
        return pooled[(k, level)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outs = [self.stem(x)]
        pooled: dict[tuple[int, int], torch.Tensor] = {}  # (source, level) -> its output at that level
        for c, cell in enumerate(self.cells):
            inputs = [self._at_level(outs, pooled, k, self.levels[c + 1]) for k in self.reads[c]]
            outs.append(cell(total(inputs)))
        return self.classify(outs[-1])

    def classify(self, last: torch.Tensor) -> torch.Tensor:
        """The readout: the last cell's output [T, B, C, H, W] -> BN -> LIF -> linear (flat or pooled) -> the
        logits averaged over T."""
        s = self.head_lif(fold(self.head_bn, last))
        return self.fc(s.flatten(2) if self.flat else s.mean((-2, -1))).mean(0)
