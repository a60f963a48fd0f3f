"""A DARTS genotype: for each intermediate node of the normal and the reduction cell, its two inputs as (op,
source). Sources 0 and 1 are the cell's inputs (the outputs of the cells two and one before it), 2.. the
earlier intermediate nodes; the cell's output concatenates every intermediate node. The macro part (how many
cells, which ones reduce) and the attention on cell outputs travel with it, so a derived network trains
exactly as it was searched.

Derivation from architecture weights (DARTS): for every node keep the two incoming edges whose strongest
op other than `none` is strongest, each with that op.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import torch

from spikenas.cells.graph import CellGraph, Edge
from spikenas.errors import InputError
from spikenas.spaces.genotype import stable_hash

PRIMITIVES = ("none", "skip", "lif_conv3x3_bn", "lif_conv5x5_bn", "lif_dilconv3x3_bn", "avgpool3x3", "maxpool3x3")
SHORT = {"skip": "skip", "lif_conv3x3_bn": "c3", "lif_conv5x5_bn": "c5", "lif_dilconv3x3_bn": "d3",
         "avgpool3x3": "avg", "maxpool3x3": "max"}
MAX_NODES, MAX_LAYERS = 16, 64  # far past any searched network; a genotype file may not ask for more


def edges_of(nodes: int) -> list[tuple[int, int]]:
    """(source, node) of every supernet edge, node-major: node k (2.. nodes+1) reads 0 .. k-1."""
    return [(j, 2 + i) for i in range(nodes) for j in range(2 + i)]


@dataclass(frozen=True)
class DartsGenotype:
    normal: tuple[tuple[str, int], ...]
    reduce: tuple[tuple[str, int], ...]
    layers: int = 8
    reduce_at: tuple[int, ...] = (2, 5)
    attention: tuple[str, ...] = ()

    @property
    def nodes(self) -> int:
        return len(self.normal) // 2

    def to_dict(self) -> dict:
        return {"space": "darts", "normal": [list(p) for p in self.normal], "reduce": [list(p) for p in self.reduce],
                "layers": self.layers, "reduce_at": list(self.reduce_at), "attention": list(self.attention)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def hash(self) -> str:
        return stable_hash(self.to_dict())

    def code(self) -> str:
        def cell(pairs):
            return " ".join(f"{SHORT[op]}<{src}" for op, src in pairs)
        return f"N[{cell(self.normal)}] R[{cell(self.reduce)}]"

    def cell_graph(self, reduction: bool) -> CellGraph:
        pairs = self.reduce if reduction else self.normal
        edges = []
        for k, (op, src) in enumerate(pairs):
            node = 2 + k // 2
            params = (("stride", 2),) if reduction and src < 2 else ()
            edges.append(Edge(src, node, op, key=f"{src}_{node}_{k % 2}", params=params))
        return CellGraph(2 + self.nodes, tuple(edges), tuple(range(2, 2 + self.nodes)), inputs=2, combine="concat")


def check_genotype(d: dict, where: str = "genotype") -> DartsGenotype:
    """A well-formed DARTS genotype or an InputError saying what is wrong."""
    cells = {}
    for kind in ("normal", "reduce"):
        pairs = d.get(kind)
        if not isinstance(pairs, list) or not pairs or len(pairs) % 2 or len(pairs) > 2 * MAX_NODES:
            raise InputError(f"{where}: '{kind}' must be a list of (op, source) pairs, two per node, at most "
                             f"{MAX_NODES} nodes")
        out = []
        for k, p in enumerate(pairs):
            if not (isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], str) and _integer(p[1])):
                raise InputError(f"{where}: {kind}[{k}] must be [op, source], not {p!r}")
            op, src = p
            if op not in PRIMITIVES or op == "none":
                raise InputError(f"{where}: {kind}[{k}]: unknown op {op!r}; known: {', '.join(PRIMITIVES[1:])}")
            if not 0 <= src < 2 + k // 2:
                raise InputError(f"{where}: {kind}[{k}]: node {2 + k // 2} cannot read node {src}")
            out.append((op, src))
        cells[kind] = tuple(out)
    if len(cells["normal"]) != len(cells["reduce"]):
        raise InputError(f"{where}: the normal and the reduction cell must have as many nodes")
    layers = d.get("layers", 8)
    if not (_integer(layers) and 1 <= layers <= MAX_LAYERS):
        raise InputError(f"{where}: 'layers' must be an integer in 1 .. {MAX_LAYERS}, not {layers!r}")
    reduce_at = d["reduce_at"] if "reduce_at" in d else [layers // 3, 2 * layers // 3]
    if not (isinstance(reduce_at, list) and all(_integer(r) and 0 <= r < layers for r in reduce_at)
            and len(set(reduce_at)) == len(reduce_at)):
        raise InputError(f"{where}: 'reduce_at' must list distinct cells among 0 .. {layers - 1}, not {reduce_at!r}")
    from spikenas.cells.attention import ATTENTIONS

    attention = d.get("attention", [])
    if not isinstance(attention, list) or any(a not in ATTENTIONS for a in attention):
        raise InputError(f"{where}: 'attention' must list some of {', '.join(ATTENTIONS)}, not {attention!r}")
    return DartsGenotype(cells["normal"], cells["reduce"], layers, tuple(sorted(reduce_at)), tuple(attention))


def _integer(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def derive_cell(weights: torch.Tensor, nodes: int, primitives=PRIMITIVES) -> tuple[tuple[str, int], ...]:
    """weights [edges, ops] (softmaxed architecture weights, edges as `edges_of`) -> (op, source) pairs."""
    none = primitives.index("none") if "none" in primitives else None
    pairs, row = [], 0
    for i in range(nodes):
        n_in = 2 + i
        w = weights[row:row + n_in]
        row += n_in
        best_op = []
        for j in range(n_in):
            scores = [(float(w[j, k]), k) for k in range(len(primitives)) if k != none]
            best_op.append(max(scores))  # (weight, op): ties to the later op index, deterministically
        top = sorted(range(n_in), key=lambda j: (-best_op[j][0], j))[:2]
        for j in sorted(top):
            pairs.append((primitives[best_op[j][1]], j))
    return tuple(pairs)
