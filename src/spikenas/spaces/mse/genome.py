"""The MSE-NAS genome: a fixed-length integer vector, its documented layout, and its decoding.

For a network of `cells` cells with `motifs` motif slots each, the genome holds, cell by cell (c = 0, 1, ...):

    cell{c}.reduce             0/1  halve the resolution before this cell (avg-pool 2); at most 2 per network
    cell{c}.reads.{k}          0/1  for k = 0 .. c: read the stem (k = 0) or cell k-1's output (macro scale)
    for each motif slot m = 0 .. motifs-1 (meso scale):
      cell{c}.motif{m}.template    index into motifs.MOTIFS
      cell{c}.motif{m}.source      0: the cell's input; s in 1..m: the output of motif slot s-1
      for each edge slot e = 0 .. MAX_EDGES-1 of the template (micro scale; slots past the template's edges are
      unused):
        ...edge{e}.op          0 none, 1 identity, 2 LIF -> conv3x3 -> BN, 3 LIF -> conv5x5 -> BN
        ...edge{e}.sign        0 excitatory (keep the positive part), 1 inhibitory (keep the negative part);
                               applies to convolutions; a template's fixed sign overrides it (and then also
                               applies to identity)
        ...edge{e}.delay       1: the edge becomes a feedback edge: it runs from its later node back to its
                               earlier one and delivers at t+1 (template edges that point backwards
                               always are feedback edges)

A genome is valid when every gene is within its bounds, every cell reads at least one source, every cell
but the last is read by a later one, at most 2 cells reduce, in every motif the output can be reached from
the input through same-step edges that are not "none" (so every input reaches the network's output within
the same timestep), and no cell's output is zero whatever the input (silence.py: a sign analysis; an
excitatory edge after an inhibitory one, say, passes nothing). Decoding prunes motif nodes that cannot be
reached from the input or cannot reach the output (with their edges), so a decoded network has no dead
nodes; the cell's output is the sum of the outputs of the motifs no later motif reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spikenas.cells.graph import CellGraph, Edge, live_nodes, reach
from spikenas.spaces.mse.motifs import MAX_EDGES, MOTIF_BY_NAME, MOTIFS
from spikenas.spaces.mse.silence import silent_cells

OPS = ("none", "identity", "conv3x3", "conv5x5")
SIGNS = ("E", "I")
MAX_REDUCTIONS = 2
EDGE_GENES = ("op", "sign", "delay")
MOTIF_GENES = 2 + len(EDGE_GENES) * MAX_EDGES


class InvalidGenome(ValueError):
    pass


@dataclass(frozen=True)
class Layout:
    """Where each gene sits in the vector and its inclusive upper bound (every lower bound is 0)."""

    cells: int
    motifs: int

    def cell_start(self, c: int) -> int:
        return sum(1 + (k + 1) + self.motifs * MOTIF_GENES for k in range(c))

    def motif_start(self, c: int, m: int) -> int:
        return self.cell_start(c) + 1 + (c + 1) + m * MOTIF_GENES

    def __len__(self) -> int:
        return self.cell_start(self.cells)

    def genes(self) -> list[tuple[str, int]]:
        out = []
        for c in range(self.cells):
            out.append((f"cell{c}.reduce", 1))
            out += [(f"cell{c}.reads.{k}", 1) for k in range(c + 1)]
            for m in range(self.motifs):
                out += [(f"cell{c}.motif{m}.template", len(MOTIFS) - 1), (f"cell{c}.motif{m}.source", m)]
                for e in range(MAX_EDGES):
                    out += [(f"cell{c}.motif{m}.edge{e}.op", len(OPS) - 1), (f"cell{c}.motif{m}.edge{e}.sign", 1),
                            (f"cell{c}.motif{m}.edge{e}.delay", 1)]
        return out

    def upper(self) -> np.ndarray:
        return np.array([u for _, u in self.genes()], dtype=np.int64)

    def macro_positions(self, c: int) -> range:
        s = self.cell_start(c)
        return range(s, s + 1 + c + 1)

    def motif_positions(self, c: int, m: int) -> range:
        s = self.motif_start(c, m)
        return range(s, s + MOTIF_GENES)


@dataclass(frozen=True)
class MotifEdge:
    src: int  # template node numbers
    dst: int
    op: str  # identity | conv3x3 | conv5x5
    sign: str | None  # E | I | None (identity without a fixed sign)
    delay: bool


@dataclass(frozen=True)
class MotifSpec:
    template: str
    source: int  # 0: the cell's input; s: the output of motif s-1
    edges: tuple[MotifEdge, ...]

    @property
    def nodes(self) -> int:
        return MOTIF_BY_NAME[self.template].nodes


@dataclass(frozen=True)
class CellSpec:
    reduce: bool
    reads: tuple[int, ...]  # 0: the stem; k: cell k-1
    motifs: tuple[MotifSpec, ...]
    outputs: tuple[int, ...]  # motif slots whose outputs are summed into the cell's output


TABLE_OPS = {"identity": "identity", "conv3x3": "lif_conv3x3_bn", "conv5x5": "lif_conv5x5_bn"}  # -> cells.ops


def cell_graph(cell: CellSpec) -> CellGraph:
    """A cell's motifs joined into one graph: node 0 is the cell's input; each motif adds its kept nodes
    (its node 0 is the node it reads); the output sums the motifs no later motif reads. Edge keys name the
    motif slot and its template nodes ("m0_0_1"); a second edge between the same two nodes (a template edge
    turned into feedback beside the template's own feedback edge: recurrent-3, lateral-3, ei-recurrent-4)
    is "m0_2_1_b", so that each edge has its own operation."""
    edges, motif_out, count = [], [], 1
    for m, motif in enumerate(cell.motifs):
        node = {0: 0 if motif.source == 0 else motif_out[motif.source - 1]}
        for n in range(1, motif.nodes):
            if any(e.dst == n or e.src == n for e in motif.edges):
                node[n], count = count, count + 1
        keys: set[str] = set()
        for e in motif.edges:
            key = f"m{m}_{e.src}_{e.dst}"
            key = f"{key}_b" if key in keys else key
            keys.add(key)
            edges.append(Edge(node[e.src], node[e.dst], TABLE_OPS[e.op], e.delay, key,
                              (("sign", e.sign),) if e.sign else ()))
        motif_out.append(node[motif.nodes - 1])
    return CellGraph(count, tuple(edges), tuple(motif_out[m] for m in cell.outputs))


def decode_motif(genes, where: str = "") -> MotifSpec:
    """One motif block (MOTIF_GENES integers) -> its pruned spec; InvalidGenome if its output is cut off."""
    t, source = int(genes[0]), int(genes[1])
    motif = MOTIFS[t]
    live = []
    for e, (src, dst, fixed) in enumerate(motif.edges):
        op, sign, delay = (int(v) for v in genes[2 + 3 * e: 5 + 3 * e])
        if op == 0:
            continue
        name = OPS[op]
        s = fixed if fixed is not None else (SIGNS[sign] if name != "identity" else None)
        if src < dst and delay:  # turned into feedback: from the later node back to the earlier one, at t+1
            src, dst = dst, src
        live.append(MotifEdge(src, dst, name, s, src > dst))
    out = motif.nodes - 1
    if out not in reach([(e.src, e.dst) for e in live if not e.delay], 0):
        raise InvalidGenome(f"{where}{motif.name}: its output cannot be reached from its input")
    keep = live_nodes([(e.src, e.dst) for e in live], 0, out)
    return MotifSpec(motif.name, source, tuple(e for e in live if e.src in keep and e.dst in keep))


def check_bounds(layout: Layout, genome) -> np.ndarray:
    g = np.asarray(genome)
    if g.ndim != 1 or len(g) != len(layout):
        raise InvalidGenome(f"expected {len(layout)} genes for {layout.cells} cells of {layout.motifs} motifs, "
                            f"got {g.size}")
    if not np.issubdtype(g.dtype, np.integer):
        if not np.all(np.equal(np.mod(g, 1), 0)):
            raise InvalidGenome("genes must be integers")
        g = g.astype(np.int64)
    upper = layout.upper()
    bad = np.flatnonzero((g < 0) | (g > upper))
    if len(bad):
        name, hi = layout.genes()[bad[0]]
        raise InvalidGenome(f"gene {bad[0]} ({name}) is {g[bad[0]]}, outside 0..{hi}")
    return g


def check_macro(layout: Layout, g: np.ndarray) -> None:
    reads_of = [[k for k in range(c + 1) if g[layout.cell_start(c) + 1 + k]] for c in range(layout.cells)]
    for c, reads in enumerate(reads_of):
        if not reads:
            raise InvalidGenome(f"cell {c} reads nothing")
    for c in range(layout.cells - 1):
        if not any(c + 1 in reads for reads in reads_of[c + 1:]):
            raise InvalidGenome(f"cell {c}'s output is read by no later cell")
    reductions = sum(int(g[layout.cell_start(c)]) for c in range(layout.cells))
    if reductions > MAX_REDUCTIONS:
        raise InvalidGenome(f"{reductions} cells reduce the resolution; at most {MAX_REDUCTIONS} may")


def decode(layout: Layout, genome) -> tuple[CellSpec, ...]:
    """The network a genome describes; InvalidGenome (with what and where) if it is not valid."""
    cells = decode_cells(layout, genome)
    silent = silent_cells([cell_graph(c) for c in cells], [c.reads for c in cells])
    if silent:
        raise InvalidGenome(f"cell {silent[0]}: its output is zero whatever the input (the signs of its edges "
                            "and of what it reads silence every path to it)")
    return cells


def decode_cells(layout: Layout, genome) -> tuple[CellSpec, ...]:
    """decode without the silence rule (every rule that holds block by block)."""
    g = check_bounds(layout, genome)
    check_macro(layout, g)
    cells = []
    for c in range(layout.cells):
        s = layout.cell_start(c)
        reads = tuple(k for k in range(c + 1) if g[s + 1 + k])
        motifs = tuple(decode_motif(g[list(layout.motif_positions(c, m))], f"cell {c} motif {m}: ")
                       for m in range(layout.motifs))
        used = {mo.source for mo in motifs}
        outputs = tuple(m for m in range(layout.motifs) if m + 1 not in used)
        cells.append(CellSpec(bool(g[s]), reads, motifs, outputs))
    return tuple(cells)


def structure_dict(cells: tuple[CellSpec, ...]) -> list[dict]:
    """The decoded network as plain JSON: what the hash covers and what `show` prints."""
    return [{"reduce": c.reduce, "reads": ["stem" if k == 0 else f"cell{k - 1}" for k in c.reads],
             "motifs": [{"template": m.template, "source": "input" if m.source == 0 else f"motif{m.source - 1}",
                         "edges": [[e.src, e.dst, e.op, e.sign, int(e.delay)] for e in m.edges]}
                        for m in c.motifs],
             "outputs": [f"motif{m}" for m in c.outputs]} for c in cells]


def is_valid(layout: Layout, genome) -> bool:
    try:
        decode(layout, genome)
        return True
    except InvalidGenome:
        return False
