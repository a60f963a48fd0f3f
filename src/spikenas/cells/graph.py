"""A cell as a graph: nodes 0 .. n-1 (0 is the cell's input; a cell may have more inputs), edges (source,
target, op name, delay), and the nodes combined into its output. An edge with delay 1 is a feedback edge:
what it computes from its source at step t reaches its target at t+1. Reachability and pruning are written
here once for every space."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Edge:
    src: int
    dst: int
    op: str  # a name in cells.ops.OPS
    delay: bool = False  # True: a feedback edge, delivering at t+1
    key: str = ""  # the module name of its operation inside the cell (state_dict keys); default "src_dst"
    params: tuple[tuple[str, object], ...] = ()  # op parameters: sign "E"/"I", a neuron setting (threshold, ...)

    @property
    def name(self) -> str:
        return self.key or f"{self.src}_{self.dst}"

    def param(self, name: str, default=None):
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class CellGraph:
    nodes: int
    edges: tuple[Edge, ...]  # in the order the cell runs them (and registers their modules)
    outputs: tuple[int, ...]  # nodes combined into the cell's output
    inputs: int = 1  # nodes 0 .. inputs-1 are the cell's inputs (a DARTS cell reads the two cells before it)
    combine: str = "sum"  # how the output nodes make the output: "sum", or "concat" along channels

    @property
    def stepped(self) -> bool:
        """A cell with feedback edges steps through time; one without runs on whole sequences."""
        return any(e.delay for e in self.edges)

    def connected(self) -> bool:
        """Some output can be reached from the input within a step (over edges without delay)."""
        pairs = [(e.src, e.dst) for e in self.edges if not e.delay]
        return any(o in reach(pairs, i) for i in range(self.inputs) for o in self.outputs)


def reach(pairs: Iterable[tuple[int, int]], start: int, forward: bool = True) -> set[int]:
    """The nodes reachable from `start` along (src, dst) pairs (against them when not `forward`)."""
    pairs = list(pairs)
    seen, stack = {start}, [start]
    while stack:
        a = stack.pop()
        for s, d in pairs:
            b = d if forward and s == a else s if not forward and d == a else None
            if b is not None and b not in seen:
                seen.add(b)
                stack.append(b)
    return seen


def live_nodes(pairs: Iterable[tuple[int, int]], source: int, sink: int) -> set[int]:
    """Nodes on some path from `source` to `sink` (over every edge, feedback included)."""
    pairs = list(pairs)
    return reach(pairs, source, True) & reach(pairs, sink, False)


def prune_edges(edges: Iterable, source: int, sink: int, ends=lambda e: (e.src, e.dst)) -> list:
    """The edges between nodes on a path from `source` to `sink`, until nothing changes. `ends` reads an
    edge's (src, dst) from whatever the caller's edges are."""
    edges = list(edges)
    while True:
        keep = live_nodes([ends(e) for e in edges], source, sink)
        kept = [e for e in edges if ends(e)[0] in keep and ends(e)[1] in keep]
        if len(kept) == len(edges):
            return kept
        edges = kept
