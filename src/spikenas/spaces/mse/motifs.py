"""The meso scale: a library of circuit motifs, small DAG templates that a cell instantiates.

A motif has nodes 0 .. n-1: node 0 is what it reads (the cell's input or an earlier motif's output) and
node n-1 is its output. Each template edge (src, dst, sign) carries an operation chosen by genes. An edge
with src < dst delivers in the same timestep unless its delay gene turns it into a feedback edge (it then
runs from dst back to src and delivers at t+1); an edge with src > dst is always a feedback edge. `sign`
fixes an edge as excitatory ("E", keeps the positive part) or inhibitory ("I", keeps the negative part);
None leaves the sign to the edge's gene.
A feedback edge may end at node 0: it adds into what the motif reads (the cell's input or an earlier
motif's output) at the next step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Motif:
    name: str
    nodes: int
    edges: tuple[tuple[int, int, str | None], ...]
    doc: str


MOTIFS: tuple[Motif, ...] = (
    Motif("feedforward-2", 2, ((0, 1, None),), "one projection"),
    Motif("feedforward-3", 3, ((0, 1, None), (1, 2, None)), "a chain of two projections"),
    Motif("shortcut-3", 3, ((0, 1, None), (1, 2, None), (0, 2, None)), "a chain with a direct path beside it"),
    Motif("recurrent-3", 3, ((0, 1, None), (1, 2, None), (2, 1, None)),
          "a chain whose output feeds its middle node back at the next step"),
    Motif("lateral-3", 3, ((0, 1, None), (0, 2, None), (1, 2, None), (2, 1, None)),
          "two populations driven by the input and coupled laterally (1 -> 2 now, 2 -> 1 at the next step)"),
    Motif("ff-inhibition-3", 3, ((0, 1, "E"), (0, 2, "E"), (1, 2, "I")),
          "feed-forward inhibition: the input excites the output directly and inhibits it through node 1"),
    Motif("diamond-4", 4, ((0, 1, None), (0, 2, None), (1, 3, None), (2, 3, None)),
          "two parallel pathways merging"),
    Motif("ei-recurrent-4", 4, ((0, 1, "E"), (0, 2, "E"), (1, 3, "E"), (2, 3, "I"), (3, 2, "E")),
          "an excitatory and an inhibitory pathway; the output excites the inhibitory one at the next step"),
    Motif("loop-4", 4, ((0, 1, None), (1, 2, None), (2, 3, None), (3, 1, None)),
          "a three-stage chain closed by feedback from the output to its first stage"),
)
MAX_EDGES = max(len(m.edges) for m in MOTIFS)
MOTIF_BY_NAME = {m.name: m for m in MOTIFS}
