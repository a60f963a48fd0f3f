"""The macro (network-level) search of the DARTS space: where the cells reduce and how many cells there are,
searched with architecture weights of their own (`--macro search`), after Auto-DeepLab's lattice, downward only.

The lattice has a state per (cell k, level r), r = the reductions made so far (0 .. R, R = len(reduce_at)),
at C * 2^r channels per node and 1 / 2^r of the stem's resolution. State (k, r) mixes, by the softmax of its
two macro weights `beta[k, r]`, a normal cell from state (k-1, r) and a reduction cell from state (k-1, r-1)
(one of them when the other does not exist); both are cells of the supernet's shared normal / reduction
architecture weights, each with weights of its own. A cell's older input follows how its newer input's
state was reached: the state two cells back at the same level when it was reached by a normal cell, the
level below (made half as large) when by a reduction cell, mixed by that state's own beta. With one-hot
weights the lattice is exactly the fixed supernet of the path it selects (tested). The head reads the mix,
by the softmax of the depth weights `gamma`, of the states (d-1, R) for every exit depth d in
min_layers .. layers.

Derivation: the depth of largest gamma, then the most probable path of cells to it (Viterbi over the beta
weights); the cells on it that reduce are `reduce_at`. Mixing outputs are currents (the cells' node sums),
so the spikes of the neurons that read them stay binary, as in the cell-level mix.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from spikenas.cells import DirectStem
from spikenas.cells.attention import make_attention
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.spaces.darts.genotype import PRIMITIVES, DartsGenotype
from spikenas.spaces.darts.network import Head, preprocess
from spikenas.spaces.darts.supernet import CellWeights, mix_nodes, mixed_edges

KINDS = ("normal", "reduce")  # beta[k, r, 0]: arrive by a normal cell; beta[k, r, 1]: by a reduction cell


def exists(k: int, r: int, reductions: int) -> bool:
    """Whether state (k, r) is in the lattice; k < 0 is the stem (level 0)."""
    return r == 0 if k < 0 else 0 <= r <= min(k + 1, reductions)


def derive_macro(beta: torch.Tensor, gamma: torch.Tensor, reductions: int, min_layers: int) -> tuple[int, tuple]:
    """(layers, reduce_at) from the macro weights' probabilities: beta [L, R+1, 2], gamma [L] (index d-1)."""
    layers = min_layers + int(torch.argmax(gamma[min_layers - 1:]))
    best, back = {(-1, 0): 0.0}, {}
    for k in range(layers):
        for r in range(min(k + 1, reductions) + 1):
            options = [(best[(k - 1, q)] + math.log(max(float(beta[k, r, i]), 1e-30)), q)
                       for i, q in enumerate((r, r - 1)) if (k - 1, q) in best]
            best[(k, r)], back[(k, r)] = max(options)
    reduce_at, r = [], reductions
    for k in range(layers - 1, -1, -1):
        q = back[(k, r)]
        if q != r:
            reduce_at.append(k)
        r = q
    return layers, tuple(sorted(reduce_at))


class LatticeCell(nn.Module):
    """A search cell at (k, r) reached from state (k-1, q): its newer input preprocessed once, its older input
    by one preprocessing per way (k-1, q) was reached (`older`: (way, width, stride) each)."""

    def __init__(self, nodes: int, c: int, reduction: bool, newer_width: int, older, neuron: NeuronConfig,
                 primitives, mixing: str, partial: int) -> None:
        super().__init__()
        self.nodes, self.ways = nodes, [way for way, _, _ in older]
        self.pre0 = nn.ModuleList(preprocess(width, c, stride, neuron) for _, width, stride in older)
        self.pre1 = preprocess(newer_width, c, 1, neuron)
        self.mixed = mixed_edges(nodes, c, reduction, neuron, primitives, mixing, partial)

    def forward(self, olders, way_weights, s1: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        p0 = None
        for pre, s0, w in zip(self.pre0, olders, way_weights, strict=True):
            p = w * pre(s0)
            p0 = p if p0 is None else p0 + p
        return mix_nodes(self.mixed, self.nodes, p0, self.pre1(s1), weights)


class MacroSupernet(CellWeights):
    """A supernet whose macro layout is searched too: the cell weights (alpha) of supernet.Supernet, plus
    `beta` (how each lattice state is reached) and `gamma` (the exit depth), all in `arch_parameters()`."""

    def __init__(self, in_shape: tuple[int, int, int], num_classes: int, timesteps: int, channels: int,
                 nodes: int = 4, layers: int = 8, reductions: int = 2, min_layers: int = 4, attention=(),
                 mixing: str = "membrane", partial: int = 1, neuron: NeuronConfig | None = None,
                 primitives=PRIMITIVES) -> None:
        super().__init__()
        if not max(reductions, 1) <= min_layers <= layers:
            raise ValueError(f"min_layers must be in {max(reductions, 1)} .. {layers}, not {min_layers}")
        neuron = neuron or NeuronConfig()
        self.nodes, self.layers, self.reductions, self.min_layers = nodes, layers, reductions, min_layers
        self.attention_names, self.primitives, self.timesteps = tuple(attention), tuple(primitives), timesteps
        self.stem = DirectStem(in_shape[0], channels, timesteps)

        def width(k: int, r: int) -> int:  # channels of state (k, r)
            return channels if k < 0 else nodes * channels * 2 ** r

        self.cells, self.attention = nn.ModuleDict(), nn.ModuleDict()
        mask = torch.zeros(layers, reductions + 1, 2, dtype=torch.bool)
        for k in range(layers):
            for r in range(min(k + 1, reductions) + 1):
                for i, q in enumerate((r, r - 1)):
                    if not exists(k - 1, q, reductions):
                        continue
                    older = [(way, width(k - 2, o), 1 + (o != q)) for way, o in self.older_ways(k, q)]
                    self.cells[f"{k}_{r}_{KINDS[i]}"] = LatticeCell(
                        nodes, channels * 2 ** r, q != r, width(k - 1, q), older, neuron, primitives, mixing, partial)
                    mask[k, r, i] = True
                self.attention[f"{k}_{r}"] = make_attention(attention, width(k, r), timesteps)
        self.head = Head(width(layers - 1, reductions), num_classes, neuron)
        self.register_buffer("beta_mask", mask, persistent=False)
        self._add_cell_weights(nodes, primitives)
        self.beta = nn.Parameter(1e-3 * torch.randn(layers, reductions + 1, 2))
        self.gamma = nn.Parameter(1e-3 * torch.randn(layers))

    def older_ways(self, k: int, q: int) -> list[tuple[int, int]]:
        """(way, level of the older input) for a cell at k whose newer input is state (k-1, q): way 0 when
        (k-1, q) was reached by a normal cell (older at level q), 1 by a reduction cell (level q-1); the first
        cell's inputs are both the stem's."""
        return [(i, o) for i, o in enumerate((q, q - 1)) if exists(k - 2, o, self.reductions)]

    def arch_parameters(self) -> list[nn.Parameter]:
        return super().arch_parameters() + [self.beta, self.gamma]

    def macro_weights(self) -> tuple[torch.Tensor, torch.Tensor]:
        """beta's probabilities per state (0 where a way in does not exist) and gamma's over exit depths (0
        below min_layers; index d-1)."""
        beta = F.softmax(self.beta.masked_fill(~self.beta_mask, float("-inf")), -1).nan_to_num(0.0)
        exits = torch.arange(self.layers, device=self.gamma.device) >= self.min_layers - 1
        return beta, F.softmax(self.gamma.masked_fill(~exits, float("-inf")), -1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        normal, reduce = self.arch_weights()
        beta, gamma = self.macro_weights()
        stem = self.stem(x)
        states: dict[tuple[int, int], torch.Tensor] = {}

        def state(k: int, r: int) -> torch.Tensor:
            return stem if k < 0 else states[(k, r)]

        head_in = None
        for k in range(self.layers):
            for r in range(min(k + 1, self.reductions) + 1):
                mix = None
                for i, q in enumerate((r, r - 1)):
                    if not self.beta_mask[k, r, i]:
                        continue
                    cell = self.cells[f"{k}_{r}_{KINDS[i]}"]
                    ways = self.older_ways(k, q)
                    olders = [state(k - 2, o) for _, o in ways]
                    way_weights = [1.0] if k == 0 else [beta[k - 1, q, way] for way, _ in ways]
                    y = cell(olders, way_weights, state(k - 1, q), reduce if i else normal)
                    mix = beta[k, r, i] * y if mix is None else mix + beta[k, r, i] * y
                states[(k, r)] = self.attention[f"{k}_{r}"](mix)
            if k >= self.min_layers - 1:
                out = gamma[k] * states[(k, self.reductions)]
                head_in = out if head_in is None else head_in + out
        return self.head(head_in)

    def derive(self) -> DartsGenotype:
        beta, gamma = (w.detach().cpu() for w in self.macro_weights())
        return self._genotype(*derive_macro(beta, gamma, self.reductions, self.min_layers))
