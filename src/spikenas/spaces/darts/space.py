"""The DARTS space: discrete genotypes (sample, mutate, cross, encode: any strategy runs here) and the
supernet a differentiable search trains (Relaxable).

Options shape both: intermediate nodes per cell, cells, which cells reduce, attention on cell outputs, and
for the supernet how candidates mix, the partial-channel factor, and whether the network level (how many
cells, which reduce) is searched too (lattice.py) or fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from spikenas.cells import OpPool
from spikenas.cells.attention import ATTENTIONS
from spikenas.errors import InputError
from spikenas.options import Options, option
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.spaces.base import SpaceBase
from spikenas.spaces.darts.genotype import MAX_LAYERS, MAX_NODES, PRIMITIVES, DartsGenotype, check_genotype
from spikenas.spaces.darts.lattice import MacroSupernet
from spikenas.spaces.darts.network import DartsNet, default_channels
from spikenas.spaces.darts.supernet import MIXINGS, Supernet

CHOICES = PRIMITIVES[1:]  # a discrete cell has no `none` edge


def int_list(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v != ""]
    except ValueError:
        raise ValueError(f"expected comma-separated cell numbers, not {text!r}") from None


@dataclass
class DartsOptions(Options):
    nodes: int = option(4, "darts: intermediate nodes per cell", low=1, high=MAX_NODES)
    layers: int = option(8, "darts: cells in the network", low=1, high=MAX_LAYERS)
    reduce_at: list | None = option(None, "darts: the cells that reduce, comma-separated (none: at 1/3 and 2/3 "
                                          "of the cells)", int_list, kind=list)
    attention: str = option("", "darts: attention on cell outputs, comma-separated among eca, cbam, temporal")
    mixing: str = option("membrane", "darts supernet: mix candidates at the membrane or their spikes",
                         choices=MIXINGS)
    partial: int = option(1, "darts supernet: 1/K of the channels through the candidates (PC-DARTS; 1: all)",
                          low=1, high=64)
    macro: str = option("fixed", "darts supernet: the network level fixed by --layers and --reduce-at, or "
                                 "searched (search: where the cells reduce, as many times as --reduce-at lists, "
                                 "and how many cells, --min-layers .. --layers)", choices=("fixed", "search"))
    min_layers: int = option(0, "darts macro search: fewest cells the searched network may have (0: half of "
                                "--layers, at least one per reduction)", low=0, high=MAX_LAYERS)

    def check(self) -> None:
        if self.reduce_at is None:
            self.reduce_at = sorted({self.layers // 3, 2 * self.layers // 3} - {0}) if self.layers >= 3 else []
        if not isinstance(self.reduce_at, list) or any(isinstance(r, bool) or not isinstance(r, int)
                                                       for r in self.reduce_at):
            raise InputError(f"--reduce-at must list cell numbers, not {self.reduce_at!r}")
        if any(not 0 <= r < self.layers for r in self.reduce_at) or len(set(self.reduce_at)) != len(self.reduce_at):
            raise InputError(f"--reduce-at must list distinct cells among 0 .. {self.layers - 1}, "
                             f"not {self.reduce_at}")
        bad = [a for a in self.attention_list() if a not in ATTENTIONS]
        if bad:
            raise InputError(f"--attention: unknown {bad[0]!r}; known: {', '.join(ATTENTIONS)}")
        if self.macro == "fixed" and self.min_layers:
            raise InputError("--min-layers applies to --macro search only")
        low = max(len(self.reduce_at), 1)
        if self.macro == "search":
            self.min_layers = self.min_layers or max(low, self.layers // 2)
            if not low <= self.min_layers <= self.layers:
                raise InputError(f"--min-layers must be in {low} .. {self.layers} (one cell per reduction at "
                                 f"least, at most --layers), not {self.min_layers}")

    def attention_list(self) -> tuple[str, ...]:
        return tuple(a for a in self.attention.split(",") if a)


class DartsSpace(SpaceBase):
    name = "darts"
    Options = DartsOptions

    def __init__(self, options: DartsOptions | None = None) -> None:
        self.options = options or DartsOptions()
        if options is None:
            self.options.check()
        n = self.options.nodes
        # encoding: per (op, source) pair, the op among CHOICES and the source among the nodes before it
        self.bounds = np.array([b for _ in range(2) for k in range(2 * n) for b in (len(CHOICES) - 1, 1 + k // 2)],
                               dtype=np.int64)

    def _make(self, normal, reduce) -> DartsGenotype:
        o = self.options
        return DartsGenotype(tuple(normal), tuple(reduce), o.layers, tuple(o.reduce_at), o.attention_list())

    def _sample_cell(self, rng: np.random.Generator) -> list[tuple[str, int]]:
        pairs = []
        for i in range(self.options.nodes):
            for src in sorted(rng.choice(2 + i, 2, replace=False)):
                pairs.append((CHOICES[int(rng.integers(len(CHOICES)))], int(src)))
        return pairs

    def sample(self, rng: np.random.Generator) -> DartsGenotype:
        return self._make(self._sample_cell(rng), self._sample_cell(rng))

    def mutate(self, g: DartsGenotype, rng: np.random.Generator) -> DartsGenotype:
        """One (op, source) pair of one cell redrawn to something else."""
        cells = [list(g.normal), list(g.reduce)]
        while True:
            c, k = int(rng.integers(2)), int(rng.integers(2 * g.nodes))
            op, src = cells[c][k]
            if rng.integers(2):
                new = (CHOICES[int(rng.integers(len(CHOICES)))], src)
            else:
                new = (op, int(rng.integers(2 + k // 2)))
            if new != (op, src):
                cells[c][k] = new
                return self._make(*cells)

    def crossover(self, a: DartsGenotype, b: DartsGenotype, rng: np.random.Generator) -> DartsGenotype:
        """Each node's two inputs, in each cell, from one parent or the other."""
        cells = []
        for x, y in ((a.normal, b.normal), (a.reduce, b.reduce)):
            out = []
            for i in range(a.nodes):
                out += (x if rng.integers(2) else y)[2 * i:2 * i + 2]
            cells.append(out)
        return self._make(*cells)

    def encode(self, g: DartsGenotype) -> np.ndarray:
        return np.array([v for op, src in g.normal + g.reduce for v in (CHOICES.index(op), src)], dtype=np.int64)

    def decode(self, vector) -> DartsGenotype:
        v = [int(x) for x in vector]
        pairs = [(CHOICES[v[2 * k]], v[2 * k + 1]) for k in range(len(v) // 2)]
        n = 2 * self.options.nodes
        return self._make(pairs[:n], pairs[n:])

    def genotype_from_dict(self, d: dict) -> DartsGenotype:
        return check_genotype(d)

    def build(self, genotype: DartsGenotype, input_shape, num_classes: int, timesteps: int,
              channels: int | None = None, neuron: NeuronConfig | None = None, pool: OpPool | None = None,
              **kw) -> nn.Module:
        return DartsNet(genotype, tuple(input_shape), num_classes, timesteps, channels, neuron, pool=pool, **kw)

    def supernet(self, input_shape, num_classes: int, timesteps: int, channels: int | None = None,
                 neuron: NeuronConfig | None = None) -> Supernet | MacroSupernet:
        o = self.options
        if o.macro == "search":
            return MacroSupernet(tuple(input_shape), num_classes, timesteps,
                                 channels or default_channels(tuple(input_shape)), o.nodes, o.layers,
                                 len(o.reduce_at), o.min_layers, o.attention_list(), o.mixing, o.partial, neuron)
        return Supernet(tuple(input_shape), num_classes, timesteps, channels or default_channels(tuple(input_shape)),
                        o.nodes, o.layers, o.reduce_at, o.attention_list(), o.mixing, o.partial, neuron)
