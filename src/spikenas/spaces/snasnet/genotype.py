"""The SNASNet cell genotype: a 4x4 matrix of operation codes over nodes 0 (input) .. 3 (output).

Entry [i][j] above the diagonal is a forward edge i -> j in the same timestep; below the diagonal it is a
backward edge from node i to node j (i > j) that delivers at t+1 what node i held at t. A node pair has a
forward or a backward edge, never both. Op codes: 0 zero (no edge), 1 identity, 2 LIF -> conv1x1 -> BN,
3 LIF -> conv3x3 -> BN, 4 avg-pool 3x3 stride 1 (OPS: their names in the shared op table, cells.ops).

`hidden` is the width of the network's spiking hidden layer before its voting readout (the paper's 1024, left
out of the JSON and the hash so that every genotype written before the option keeps its identity), or 0: no
hidden layer, a linear readout from the pooled spikes straight to the classes, as the baseline's.

`step_bn`: a cell with backward edges steps through time, and its batch norms keep running statistics per
timestep (snn.timestep_bn) instead of one set averaged over the steps, so that evaluation normalises each step
as training did (false, the paper's, is left out of the JSON and the hash as `hidden`'s default is). It
changes nothing in a cell without backward edges, which runs all timesteps at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from spikenas.cells.graph import CellGraph, Edge, prune_edges
from spikenas.errors import InputError
from spikenas.spaces.genotype import stable_hash

NODES = 4
PAPER_HIDDEN = 1024
MAX_HIDDEN = 65_536
STEP_BN_CODE = "tbn"
OPS = ("zero", "identity", "lif_conv1x1_bn", "lif_conv3x3_bn", "avgpool3x3")


@dataclass(frozen=True)
class SnasGenotype:
    matrix: tuple[tuple[int, ...], ...]
    hidden: int = PAPER_HIDDEN
    step_bn: bool = False

    def to_dict(self) -> dict:
        d = {"space": "snasnet", "matrix": [list(r) for r in self.matrix]}
        if self.hidden != PAPER_HIDDEN:
            d["hidden"] = self.hidden
        return {**d, "step_bn": True} if self.step_bn else d

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def hash(self) -> str:
        return stable_hash(self.to_dict())

    def init_hash(self) -> str:
        """What seeds the network's weights when a search scores it (search.scoring): the network at
        initialisation, which `step_bn` does not change (it decides only which statistics are kept for
        evaluation), so a cell scores the same with it or without it."""
        return replace(self, step_bn=False).hash()

    def training_note(self) -> str | None:
        """A line for whoever trains this network, where its settings are known to cost accuracy."""
        if self.backward_edges() and not self.step_bn:
            return ("this cell has feedback edges and its batch norms share one set of statistics over the "
                    "timesteps, which can cost it much of its accuracy in evaluation; \"step_bn\": true in the "
                    "genotype (a search's --step-bn true) keeps them per timestep (docs/search.md)")
        return None

    def code(self) -> str:
        """The paper's notation, rows joined by spaces: '0303 0030 2002 0200' (then ' h64' for another hidden
        width, ' tbn' for per-timestep batch-norm statistics)."""
        code = " ".join("".join(map(str, r)) for r in self.matrix)
        code = code if self.hidden == PAPER_HIDDEN else f"{code} h{self.hidden}"
        return f"{code} {STEP_BN_CODE}" if self.step_bn else code

    def forward_edges(self) -> list[tuple[int, int, int]]:
        return [(i, j, self.matrix[i][j]) for j in range(NODES) for i in range(j) if self.matrix[i][j]]

    def backward_edges(self) -> list[tuple[int, int, int]]:
        return [(i, j, self.matrix[i][j]) for i in range(NODES) for j in range(i) if self.matrix[i][j]]

    def cell_graph(self) -> CellGraph:
        """Forward edges (j-major), then backward ones, in the order the cell runs and registers them."""
        edges = [Edge(i, j, OPS[c]) for i, j, c in self.forward_edges()]
        edges += [Edge(i, j, OPS[c], delay=True) for i, j, c in self.backward_edges()]
        return CellGraph(NODES, tuple(edges), (NODES - 1,))

    def alive(self) -> list[int]:
        """Nodes that carry information: the input, and every node with an edge in or out."""
        return [n for n in range(NODES) if n == 0 or any(self.matrix[n]) or any(r[n] for r in self.matrix)]


def prune(matrix) -> tuple[tuple[int, ...], ...]:
    """Remove nodes that cannot be reached from the input or cannot reach the output (over forward and
    backward edges alike), until nothing changes."""
    edges = [(i, j, v) for i, r in enumerate(matrix) for j, v in enumerate(r) if v]
    m = [[0] * NODES for _ in range(NODES)]
    for i, j, v in prune_edges(edges, 0, NODES - 1, ends=lambda e: (e[0], e[1])):
        m[i][j] = v
    return tuple(tuple(r) for r in m)


def check_matrix(matrix, where: str = "genotype") -> tuple[tuple[int, ...], ...]:
    """A well-formed 4x4 op matrix or an InputError saying what is wrong."""
    if not isinstance(matrix, (list, tuple)) or len(matrix) != NODES or any(
            not isinstance(r, (list, tuple)) or len(r) != NODES for r in matrix):
        raise InputError(f"{where}: matrix must be 4 rows of 4 op codes")
    for i, r in enumerate(matrix):
        for j, v in enumerate(r):
            if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < len(OPS):
                raise InputError(f"{where}: matrix[{i}][{j}] = {v!r} is not an op code 0..{len(OPS) - 1}")
        if r[i] != 0:
            raise InputError(f"{where}: matrix[{i}][{i}] must be 0 (no self edge)")
    for i in range(NODES):
        for j in range(i + 1, NODES):
            if matrix[i][j] and matrix[j][i]:
                raise InputError(f"{where}: nodes {i} and {j} have both a forward and a backward edge")
    return tuple(tuple(r) for r in matrix)


def check_hidden(hidden, where: str = "genotype") -> int:
    """A hidden-layer width in [0, MAX_HIDDEN] or an InputError."""
    if not isinstance(hidden, int) or isinstance(hidden, bool) or not 0 <= hidden <= MAX_HIDDEN:
        raise InputError(f"{where}: hidden must be an integer in [0, {MAX_HIDDEN}] (0: no hidden layer), "
                         f"not {hidden!r}")
    return hidden


def check_step_bn(step_bn, where: str = "genotype") -> bool:
    if not isinstance(step_bn, bool):
        raise InputError(f"{where}: step_bn must be true or false, not {step_bn!r}")
    return step_bn


def make_genotype(matrix, where: str = "genotype", hidden: int = PAPER_HIDDEN,
                  step_bn: bool = False) -> SnasGenotype:
    """Validate, prune, and require a path from the input to the output. (The paper's sampler also requires
    the direct forward edge 0 -> 3; a genotype read from a file need not have it.)"""
    g = SnasGenotype(prune(check_matrix(matrix, where)), check_hidden(hidden, where), check_step_bn(step_bn, where))
    if not any(any(r) for r in g.matrix):
        raise InputError(f"{where}: no path from the input (node 0) to the output (node {NODES - 1})")
    return g


def from_code(code: str) -> SnasGenotype:
    """'0303 0030 2002 0200', then optionally a hidden width ('h64') and per-timestep statistics ('tbn'), in
    that order -> genotype."""
    rows = code.split()
    step_bn = len(rows) > NODES and rows[-1] == STEP_BN_CODE
    if step_bn:
        rows.pop()
    hidden = PAPER_HIDDEN
    if len(rows) == NODES + 1 and rows[-1][:1] == "h" and rows[-1][1:].isdigit():
        hidden = int(rows.pop()[1:])
    if len(rows) != NODES or any(len(r) != NODES or not r.isdigit() for r in rows):
        raise InputError(f"cell code {code!r}: expected 4 groups of 4 digits, then optionally h and a hidden width, "
                         f"then optionally {STEP_BN_CODE}")
    return make_genotype([[int(c) for c in r] for r in rows], f"cell {code!r}", hidden, step_bn)
