"""The DARTS supernet of spiking cells (quark0/darts model_search.py's shape, with SpikeDHS's mixing).

Every edge is a MixedOp over the candidate ops, weighted by the softmax of its architecture weights.
`mixing="membrane"` (default): the weighted sum of the candidates' outputs (currents, before any neuron)
is the node's value, which the next neurons turn into spikes: every spike stays binary and the mixture is
one of inputs to a neuron, as a derived cell computes. `mixing="spikes"`: each candidate's output first
goes through a neuron of its own and the spikes are mixed, so node values are weighted averages of spikes
(docs/darts.md compares the two). The convolution candidates of an edge read the same input, so they share
one neuron: its spikes are computed once per edge. `partial=K` (PC-DARTS): only 1/K of the channels go
through the candidates, the rest bypass them, and the channels are shuffled; memory and time fall about K
times. Attention on cell outputs and the head are as in the derived network (network.py).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from spikenas.cells import DirectStem
from spikenas.cells.attention import make_attention
from spikenas.cells.ops import OPS, make_op
from spikenas.snn import fold
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.spaces.darts.genotype import PRIMITIVES, DartsGenotype, derive_cell, edges_of
from spikenas.spaces.darts.network import Head, macro_plan, preprocess

MIXINGS = ("membrane", "spikes")


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """[T, B, C, H, W] with its channels interleaved across `groups`."""
    T, B, C, H, W = x.shape
    return x.view(T, B, groups, C // groups, H, W).transpose(2, 3).reshape(T, B, C, H, W)


class MixedOp(nn.Module):
    def __init__(self, C: int, stride: int, neuron: NeuronConfig, primitives=PRIMITIVES, mixing: str = "membrane",
                 partial: int = 1) -> None:
        super().__init__()
        if mixing not in MIXINGS:
            raise ValueError(f"mixing must be one of {', '.join(MIXINGS)}, not {mixing!r}")
        if C % partial:
            raise ValueError(f"partial channels: {C} channels do not split into {partial} parts")
        self.stride, self.partial, self.mixing, self.primitives = stride, partial, mixing, tuple(primitives)
        c = C // partial
        params = {"stride": stride} if stride > 1 else {}
        table = ["zero" if p == "none" else p for p in self.primitives]  # DARTS's `none` is the table's zero
        self.spiking = [OPS[p].spiking for p in table]
        if any(self.spiking):
            self.neuron = neuron.make()  # one neuron for every convolution candidate of this edge
        self.ops = nn.ModuleList(make_op(p, c, neuron, None, {**params, **({"with_neuron": False} if sp else {})})
                                 for p, sp in zip(table, self.spiking, strict=True))
        if mixing == "spikes":
            self.out_neurons = nn.ModuleList(neuron.make() for _ in self.primitives)

    def forward(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        c = x.shape[2] // self.partial
        xa = x[:, :, :c] if self.partial > 1 else x
        s = self.neuron(xa) if any(self.spiking) else None
        y = None
        for k, (p, op) in enumerate(zip(self.primitives, self.ops, strict=True)):
            if p == "none":
                continue  # contributes zeros
            out = op.from_spikes(s) if self.spiking[k] else op(xa)
            if self.mixing == "spikes":
                out = self.out_neurons[k](out)
            y = weights[k] * out if y is None else y + weights[k] * out
        if y is None:
            y = torch.zeros_like(xa[..., ::self.stride, ::self.stride])
        if self.partial == 1:
            return y
        rest = x[:, :, c:]
        if self.stride > 1:
            rest = fold(lambda z: F.avg_pool2d(z, self.stride), rest)
        return channel_shuffle(torch.cat([y, rest], 2), self.partial)


class SearchCell(nn.Module):
    def __init__(self, nodes: int, plan, neuron: NeuronConfig, primitives, mixing: str, partial: int) -> None:
        super().__init__()
        c_pp, c_p, c, red, before = plan
        self.nodes, self.reduction = nodes, red
        self.pre0 = preprocess(c_pp, c, 2 if before else 1, neuron)
        self.pre1 = preprocess(c_p, c, 1, neuron)
        self.mixed = mixed_edges(nodes, c, red, neuron, primitives, mixing, partial)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        return mix_nodes(self.mixed, self.nodes, self.pre0(s0), self.pre1(s1), weights)


def mixed_edges(nodes: int, c: int, reduction: bool, neuron: NeuronConfig, primitives, mixing: str,
                partial: int) -> nn.ModuleList:
    """A MixedOp per edge of a cell (edges_of order); a reduction cell's edges from its inputs have stride 2."""
    return nn.ModuleList(MixedOp(c, 2 if reduction and src < 2 else 1, neuron, primitives, mixing, partial)
                         for src, _ in edges_of(nodes))


def mix_nodes(mixed: nn.ModuleList, nodes: int, p0: torch.Tensor, p1: torch.Tensor,
              weights: torch.Tensor) -> torch.Tensor:
    """A search cell's nodes from its preprocessed inputs: each the sum of its mixed edges; their concat."""
    states = [p0, p1]
    row = 0
    for i in range(nodes):
        n_in = 2 + i
        node = None
        for j in range(n_in):
            y = mixed[row + j](states[j], weights[row + j])
            node = y if node is None else node + y
        states.append(node)
        row += n_in
    return torch.cat(states[2:], 2)


class CellWeights(nn.Module):
    """What every supernet shares: the normal and the reduction cell's architecture weights [edges, ops]
    (`arch_parameters()`; a supernet with more adds to them), everything else (`weight_parameters()`), their
    softmax (`arch_weights()`) and the genotype derived from them for a given macro layout."""

    def _add_cell_weights(self, nodes: int, primitives) -> None:
        n_edges = len(edges_of(nodes))
        self.alpha_normal = nn.Parameter(1e-3 * torch.randn(n_edges, len(primitives)))
        self.alpha_reduce = nn.Parameter(1e-3 * torch.randn(n_edges, len(primitives)))

    def arch_parameters(self) -> list[nn.Parameter]:
        return [self.alpha_normal, self.alpha_reduce]

    def weight_parameters(self) -> list[nn.Parameter]:
        arch = {id(p) for p in self.arch_parameters()}
        return [p for p in self.parameters() if id(p) not in arch]

    def arch_weights(self) -> tuple[torch.Tensor, torch.Tensor]:
        return F.softmax(self.alpha_normal, -1), F.softmax(self.alpha_reduce, -1)

    def _genotype(self, layers: int, reduce_at) -> DartsGenotype:
        normal, reduce = (w.detach().cpu() for w in self.arch_weights())
        return DartsGenotype(derive_cell(normal, self.nodes, self.primitives),
                             derive_cell(reduce, self.nodes, self.primitives), layers, tuple(reduce_at),
                             self.attention_names)


class Supernet(CellWeights):
    """The DARTS supernet on a fixed macro layout; `derive()`: the discrete genotype (genotype.derive_cell)."""

    def __init__(self, in_shape: tuple[int, int, int], num_classes: int, timesteps: int, channels: int,
                 nodes: int = 4, layers: int = 8, reduce_at=(2, 5), attention=(), mixing: str = "membrane",
                 partial: int = 1, neuron: NeuronConfig | None = None, primitives=PRIMITIVES) -> None:
        super().__init__()
        neuron = neuron or NeuronConfig()
        self.nodes, self.layers, self.reduce_at = nodes, layers, tuple(sorted(reduce_at))
        self.attention_names, self.primitives = tuple(attention), tuple(primitives)
        self.timesteps = timesteps
        self.stem = DirectStem(in_shape[0], channels, timesteps)
        plan = macro_plan(layers, self.reduce_at, channels, nodes)
        self.cells = nn.ModuleList(SearchCell(nodes, p, neuron, primitives, mixing, partial) for p in plan)
        self.attention = nn.ModuleList(make_attention(attention, nodes * p[2], timesteps) for p in plan)
        self.head = Head(nodes * plan[-1][2], num_classes, neuron)
        self._add_cell_weights(nodes, primitives)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        normal, reduce = self.arch_weights()
        s0 = s1 = self.stem(x)
        for cell, attend in zip(self.cells, self.attention, strict=True):
            s0, s1 = s1, attend(cell(s0, s1, reduce if cell.reduction else normal))
        return self.head(s1)

    def derive(self) -> DartsGenotype:
        return self._genotype(self.layers, self.reduce_at)
