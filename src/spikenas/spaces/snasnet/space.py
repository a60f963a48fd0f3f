"""The SNASNet search space: sampling as the paper's code, mutation, crossover, an integer encoding (so
NSGA-II runs here too), JSON, and building.

Encoding: one gene per node pair (i < j), in the order of PAIRS: 0 no edge, 1..4 a forward edge i -> j with
that op code, 5..8 a backward edge j -> i with op code gene - 4 (forward-only space: 0..4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from spikenas.cells import OpPool
from spikenas.errors import InputError
from spikenas.options import Options, option
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.spaces.base import SpaceBase
from spikenas.spaces.snasnet.genotype import (
    MAX_HIDDEN,
    NODES,
    OPS,
    PAPER_HIDDEN,
    SnasGenotype,
    make_genotype,
    prune,
)
from spikenas.spaces.snasnet.network import PAPER_DROPOUT, PAPER_NEURON, SnasNet

PAIRS = [(i, j) for j in range(NODES) for i in range(j)]


@dataclass
class SnasnetOptions(Options):
    """The SNASNet space's options, both carried in every genotype: the classifier's hidden width (the paper's
    1024 by default) and per-timestep batch-norm statistics in cells with backward edges (off, as the paper)."""

    hidden: int = option(PAPER_HIDDEN, "snasnet: units of the spiking hidden layer before the voting readout, "
                                       "carried in every genotype (0: none, a linear readout to the classes as "
                                       "the baseline's; the paper's 1024 holds most of a network's parameters)",
                         low=0, high=MAX_HIDDEN)
    step_bn: bool = option(False, "snasnet: cells with backward edges keep batch-norm statistics per timestep, "
                                  "so that evaluation normalises each step as training did (the paper's one set "
                                  "averaged over the steps can cost such a cell tens of points in evaluation); "
                                  "carried in every genotype; such networks cannot be exported as NIR")


class SnasnetSpace(SpaceBase):
    """`backward=True`: each node pair draws a forward or a backward edge (the paper's backward cell);
    `backward=False`: forward edges only."""

    Options = SnasnetOptions
    dropout = PAPER_DROPOUT
    neuron = PAPER_NEURON

    def __init__(self, options: SnasnetOptions | None = None, backward: bool = True) -> None:
        self.options = options or SnasnetOptions()
        self.backward = backward
        self.name = "snasnet" if backward else "snasnet-forward"
        top = len(OPS) - 1
        self.bounds = np.full(len(PAIRS), 2 * top if backward else top, dtype=np.int64)

    def encode(self, g: SnasGenotype) -> np.ndarray:
        m = g.matrix
        return np.array([m[i][j] if m[i][j] or not m[j][i] else len(OPS) - 1 + m[j][i] for i, j in PAIRS],
                        dtype=np.int64)

    def decode(self, vector) -> SnasGenotype:
        m = [[0] * NODES for _ in range(NODES)]
        for (i, j), v in zip(PAIRS, (int(v) for v in vector), strict=True):
            if v >= len(OPS):
                m[j][i] = v - (len(OPS) - 1)
            else:
                m[i][j] = v
        return make_genotype(m, "encoded genotype", self.options.hidden, self.options.step_bn)

    def _valid(self, m) -> SnasGenotype | None:
        m = prune(m)
        return SnasGenotype(m, self.options.hidden, self.options.step_bn) if m[0][NODES - 1] else None

    def sample(self, rng: np.random.Generator) -> SnasGenotype:
        """Ops uniform over the 5 codes per pair, direction a fair coin (backward cells); pruned; redrawn
        until the input -> output edge exists."""
        while True:
            m = [[0] * NODES for _ in range(NODES)]
            for i, j in PAIRS:
                op = int(rng.integers(len(OPS)))
                if self.backward and rng.integers(2) == 0:
                    m[j][i] = op
                else:
                    m[i][j] = op
            g = self._valid(m)
            if g is not None:
                return g

    def mutate(self, g: SnasGenotype, rng: np.random.Generator) -> SnasGenotype:
        """Redraw one node pair's edge (op and, for backward cells, direction) to something different."""
        while True:
            m = [list(r) for r in g.matrix]
            i, j = PAIRS[int(rng.integers(len(PAIRS)))]
            before = (m[i][j], m[j][i])
            op = int(rng.integers(len(OPS)))
            back = self.backward and rng.integers(2) == 0
            m[i][j], m[j][i] = (0, op) if back else (op, 0)
            if (m[i][j], m[j][i]) == before:
                continue
            child = self._valid(m)
            if child is not None and child != g:
                return child

    def crossover(self, a: SnasGenotype, b: SnasGenotype, rng: np.random.Generator) -> SnasGenotype:
        """Each node pair's edge from one parent or the other; falls back to parent `a` if never valid."""
        for _ in range(20):
            m = [[0] * NODES for _ in range(NODES)]
            for i, j in PAIRS:
                src = a if rng.integers(2) == 0 else b
                m[i][j], m[j][i] = src.matrix[i][j], src.matrix[j][i]
            child = self._valid(m)
            if child is not None:
                return child
        return a

    def genotype_from_dict(self, d: dict) -> SnasGenotype:
        if "matrix" not in d:
            raise InputError("genotype: expected an object with a 'matrix' of 4x4 op codes")
        g = make_genotype(d["matrix"], hidden=d.get("hidden", PAPER_HIDDEN), step_bn=d.get("step_bn", False))
        if not self.backward and g.backward_edges():
            raise InputError("genotype: backward edges in a forward-only space")
        return g

    def build(self, genotype: SnasGenotype, input_shape, num_classes: int, timesteps: int,
              channels: int | None = None, neuron: NeuronConfig | None = None, pool: OpPool | None = None,
              **kw) -> nn.Module:
        return SnasNet(genotype, tuple(input_shape), num_classes, timesteps, channels, neuron, pool=pool, **kw)
