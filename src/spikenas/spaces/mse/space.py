"""The MSE-NAS search space: sampling, mutation and crossover that keep genomes valid, JSON, building.

Most of validity splits into independent blocks (each motif's genes; the macro genes of all cells
together), so sampling draws each block until it is valid, then redraws the whole genome if a cell turns
out silent (the one rule that spans blocks): uniform over the valid genomes. Mutation redraws one gene (to
another value) until the network changes and stays valid. Crossover takes each motif block from one parent
or the other, and each cell's macro genes likewise, falling back to one parent's whole macro part when the
mix breaks a macro rule, and draws again when the child has a silent cell (after MAX_TRIES, a copy of the
first parent).

`reductions` narrows the search to networks that halve the resolution exactly that many times (default
DEFAULT_REDUCTIONS, fewer when there are fewer cells; "any": any count a genome allows, 0 to MAX_REDUCTIONS);
where they happen is still evolved. With a fixed count, a mutation that lands on a reduce gene moves a
reduction to another cell rather than adding or removing one. This constrains what the search proposes, not
what a genotype may be: any valid genotype still loads and builds.

`readout` is the readout of every network the search proposes (genotype.py): "flat" unless asked otherwise; a
search begun before the choice existed resumes with "pool" (search.config).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from spikenas.cells import OpPool
from spikenas.errors import InputError
from spikenas.options import Options, option
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.spaces.base import SpaceBase
from spikenas.spaces.mse.genome import MAX_REDUCTIONS, InvalidGenome, Layout, check_macro, decode, decode_motif
from spikenas.spaces.mse.genotype import LEGACY_READOUT, READOUTS, MseGenotype
from spikenas.spaces.mse.network import MseNet

MAX_TRIES = 1000
DEFAULT_REDUCTIONS = 2  # docs/mse.md says why
MAX_CELLS, MAX_MOTIFS = 64, 16  # a network far past these does not fit a machine; a genotype file may not ask


def _passes(check, *args) -> bool:
    try:
        check(*args)
        return True
    except InvalidGenome:
        return False


def count_or_any(text: str) -> int | str:
    if text == "any":
        return text
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"expected a number or 'any', not {text!r}") from None


@dataclass
class MseOptions(Options):
    cells: int = option(4, "mse: cells in the network", low=1, high=MAX_CELLS)
    motifs: int = option(3, "mse: motif slots per cell", low=1, high=MAX_MOTIFS)
    reductions: int | str | None = option(None, "mse: how many cells halve the resolution, where being evolved "
                                          "(none: 2, fewer with fewer cells), or any (the count evolved too, 0 to 2)",
                                          count_or_any, kind=object)
    readout: str = option("flat", "mse: the classifier reads the last cell's spikes at every position (flat) or "
                                  "their global average (pool, the first releases')", choices=READOUTS)


class MseSpace(SpaceBase):
    name = "mse"
    Options = MseOptions
    # RDM's best score beat random draws by more than their spread on two search seeds, the knee on neither
    # (docs/benchmarks.md, "Does the search pay with RSA over the last cell?")
    pick = "primary"

    def __init__(self, options: MseOptions | None = None, *, cells: int = 4, motifs: int = 3,
                 reductions: int | str | None = None, readout: str = "flat") -> None:
        if options is not None:
            cells, motifs, reductions, readout = options.cells, options.motifs, options.reductions, options.readout
        for name, v in (("cells", cells), ("motifs", motifs)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise InputError(f"--{name} must be a positive integer, not {v!r}")
        most = min(cells, MAX_REDUCTIONS)
        if reductions is None:
            reductions = min(DEFAULT_REDUCTIONS, cells)
        if reductions != "any" and not (isinstance(reductions, int) and 0 <= reductions <= most):
            raise InputError(f"--reductions must be 'any' or a number between 0 and {most} for {cells} cells, "
                             f"not {reductions!r}")
        if readout not in READOUTS:
            raise InputError(f"--readout must be {' or '.join(READOUTS)}, not {readout!r}")
        self.layout = Layout(cells, motifs)
        self.readout = readout
        self.reductions = reductions  # a count, or "any"
        self._count = None if reductions == "any" else reductions
        self.upper = self.layout.upper()
        self.bounds = self.upper  # the Encoded protocol: a genome is its own encoding
        self.options = MseOptions(cells, motifs, reductions, readout)
        self.macro = [p for c in range(cells) for p in self.layout.macro_positions(c)]  # every cell's macro genes
        self.reduce_genes = [self.layout.cell_start(c) for c in range(cells)]

    def genotype(self, genome) -> MseGenotype:
        return MseGenotype(self.layout.cells, self.layout.motifs, tuple(int(v) for v in genome), self.readout)

    decode = genotype

    def encode(self, g: MseGenotype) -> np.ndarray:
        return np.array(g.genome, dtype=np.int64)

    def _draw(self, rng: np.random.Generator, positions) -> np.ndarray:
        pos = list(positions)
        return rng.integers(0, self.upper[pos] + 1)

    def _count_ok(self, g: np.ndarray) -> bool:
        """The search's reduction count, the one rule of this space beyond a genome's validity."""
        return self._count is None or int(g[self.reduce_genes].sum()) == self._count

    def _macro_valid(self, g: np.ndarray) -> bool:
        return self._count_ok(g) and _passes(check_macro, self.layout, g)

    def _motif_valid(self, block: np.ndarray) -> bool:
        return _passes(decode_motif, block)

    def _valid(self, g: np.ndarray) -> bool:
        return self._count_ok(g) and _passes(decode, self.layout, g)  # decode checks the macro rules

    def _draw_blocks(self, rng: np.random.Generator) -> np.ndarray:
        L = self.layout
        g = np.zeros(len(L), dtype=np.int64)
        for _ in range(MAX_TRIES):
            g[self.macro] = self._draw(rng, self.macro)
            if self._macro_valid(g):
                break
        for c in range(L.cells):
            for m in range(L.motifs):
                pos = list(L.motif_positions(c, m))
                for _ in range(MAX_TRIES):
                    g[pos] = self._draw(rng, pos)
                    if self._motif_valid(g[pos]):
                        break
        return g

    def sample_genome(self, rng: np.random.Generator) -> np.ndarray:
        for _ in range(MAX_TRIES):
            g = self._draw_blocks(rng)
            if self._valid(g):
                return g
        raise RuntimeError(f"no valid genome in {MAX_TRIES} draws")

    def sample(self, rng: np.random.Generator) -> MseGenotype:
        return self.genotype(self.sample_genome(rng))

    def mutate_genome(self, genome, rng: np.random.Generator) -> np.ndarray:
        base = self.genotype(genome).hash()
        for _ in range(MAX_TRIES):
            g = np.array(genome, dtype=np.int64)
            i = int(rng.integers(len(g)))
            if self.upper[i] == 0:
                continue
            if self._count is not None and i in self.reduce_genes:  # move a reduction: the count is kept
                others = [j for j in self.reduce_genes if g[j] != g[i]]
                if not others:
                    continue
                j = others[int(rng.integers(len(others)))]
                g[i], g[j] = g[j], g[i]
            else:
                g[i] = (g[i] + 1 + rng.integers(self.upper[i])) % (self.upper[i] + 1)  # any other value
            try:
                if self.genotype(g).hash() != base:  # decoding checks validity
                    return g
            except InvalidGenome:
                continue
        return np.array(genome, dtype=np.int64)

    def mutate(self, genotype: MseGenotype, rng: np.random.Generator) -> MseGenotype:
        return self.genotype(self.mutate_genome(genotype.genome, rng))

    def crossover_genome(self, a, b, rng: np.random.Generator) -> np.ndarray:
        L = self.layout
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        for _ in range(MAX_TRIES):
            child = a.copy()
            for c in range(L.cells):
                for m in range(L.motifs):
                    if rng.integers(2):
                        pos = list(L.motif_positions(c, m))
                        child[pos] = b[pos]
                if rng.integers(2):
                    pos = list(L.macro_positions(c))
                    child[pos] = b[pos]
            if not self._macro_valid(child):
                child[self.macro] = (a if rng.integers(2) == 0 else b)[self.macro]
            if self._valid(child):
                return child
        return a.copy()

    def crossover(self, a: MseGenotype, b: MseGenotype, rng: np.random.Generator) -> MseGenotype:
        return self.genotype(self.crossover_genome(a.genome, b.genome, rng))

    def genotype_from_dict(self, d: dict) -> MseGenotype:
        if not isinstance(d.get("genome"), list):
            raise InputError("genotype: expected an object with a 'genome' list of integers")
        cells, motifs = d.get("cells", self.layout.cells), d.get("motifs", self.layout.motifs)
        for name, v, most in (("cells", cells, MAX_CELLS), ("motifs", motifs, MAX_MOTIFS)):
            if not (isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= most):
                raise InputError(f"genotype: '{name}' must be an integer in 1 .. {most}, not {v!r}")
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**31 for v in d["genome"]):
            raise InputError("genotype: the genome must hold non-negative integers (genes) only")
        readout = d.get("readout", LEGACY_READOUT)  # a file without one was written before flat existed
        try:
            return MseGenotype(cells, motifs, tuple(d["genome"]), readout)
        except InvalidGenome as e:
            raise InputError(f"genotype: {e}") from None

    def build(self, genotype: MseGenotype, input_shape, num_classes: int, timesteps: int,
              channels: int | None = None, neuron: NeuronConfig | None = None, pool: OpPool | None = None,
              **kw) -> nn.Module:
        return MseNet(genotype, tuple(input_shape), num_classes, timesteps, channels, neuron, pool=pool, **kw)
