"""Which cells can only ever output zero: a sign analysis of a decoded network.

Each value is summarised by the signs it can take: positive, negative, both, or none (it is zero). The
stem's output takes both. An excitatory edge keeps the positive part, an inhibitory one the negative part.
A LIF -> conv -> BN edge fires only on positive input: fed a value that is never positive, its neurons
never spike, its convolution is zero and its BN outputs its learned shift, a constant that says nothing
about the input, so the analysis counts it as zero; fed a value that can be positive, it can output either
sign before its own sign applies. A node can take every sign any of its inputs (same-step or feedback)
can; feedback makes the graph cyclic, so the signs are propagated until nothing changes.

A cell whose output is zero passes nothing on: its readers, and the readout when it is the last cell, see
a constant (the digits search of docs/benchmarks.md discarded 62 of 200 candidates whose readout never
fired before this rule, 19 with it). genome.decode rejects such genomes, so the space holds none.
"""

from __future__ import annotations

from spikenas.cells.ops import OPS

POS, NEG = 1, 2  # bit flags: 0 the value is zero, POS | NEG it can take either sign


def edge_signs(op: str, sign: str | None, x: int) -> int:
    """The signs an edge's output can take when its input can take `x` (op: a name in cells.ops)."""
    if op == "zero":
        return 0
    if OPS[op].spiking:
        x = POS | NEG if x & POS else 0
    if sign == "E":
        return x & POS
    if sign == "I":
        return x & NEG
    return x


def output_signs(graph, x: int) -> int:
    """The signs a cell's output can take when its input can take `x` (graph: cells.graph.CellGraph)."""
    val = [0] * graph.nodes
    val[0] = x
    changed = True
    while changed:
        changed = False
        for e in graph.edges:
            v = val[e.dst] | edge_signs(e.op, e.param("sign"), val[e.src])
            if v != val[e.dst]:
                val[e.dst], changed = v, True
    out = 0
    for o in graph.outputs:
        out |= val[o]
    return out


def silent_cells(graphs, reads) -> list[int]:
    """The cells whose output is zero whatever the network's input. reads[c]: what cell c reads (0 the
    stem, k cell k-1)."""
    outs, silent = [POS | NEG], []
    for c, (graph, r) in enumerate(zip(graphs, reads, strict=True)):
        x = 0
        for k in r:
            x |= outs[k]
        y = output_signs(graph, x)
        if y == 0:
            silent.append(c)
        outs.append(y)
    return silent
