"""One module runs any cell graph (cells.graph.CellGraph).

Without feedback edges every op runs on the whole sequence [T, B, C, H, W] (time folded into the batch), in
edge order, each node summing its inputs. With feedback edges the cell steps through time: at step t a node
sums its same-step inputs and the feedback its sources sent at t-1 (a node fed only by feedback holds zeros
until its first delivery), and every op's neuron state is carried in locals. Node 0 is the cell's input;
the output is the sum of the graph's output nodes, and zeros when none of them can be reached.

Edges leaving one node each begin with their own neuron (the methods' cells: LIF -> conv -> BN per edge), and
equal neurons without parameters, fed the same node, fire the same spikes. `share_neurons` (what a trained
network is built with: `share_duplicate_neurons`) gives each such group one neuron whose spikes all its edges'
convolutions read: the same outputs, gradients and state dict, fewer neurons, and spike counts that count each
distinct neuron once. Searches score the cells as built, one neuron per edge (the methods' own scores).
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from spikenas.cells.graph import CellGraph
from spikenas.cells.ops import EdgeOp, edge_neuron, make_op, op_key
from spikenas.cells.pool import OpPool
from spikenas.snn import is_neuron, steps_recorded_once
from spikenas.snn.neuron_config import NeuronConfig


def total(values: list[torch.Tensor]) -> torch.Tensor:
    """The sum of a node's inputs; two are added in one op (the same values as the stacked sum)."""
    if len(values) <= 2:
        return values[0] if len(values) == 1 else values[0] + values[1]
    return stacked_sum(values)


def stacked_sum(values: list[torch.Tensor]) -> torch.Tensor:
    """The sum of a node's inputs, stored contiguous whatever their layout (torch.stack(...).sum(0)).
    Where no gradient is carried (scoring, evaluation), the inputs are added into one contiguous output
    instead, in the same order: the same values and layout without writing the stack, a tensor as large as
    all the inputs together (tests/test_graph_cell.py)."""
    if len(values) == 1:
        return values[0]
    if torch.is_grad_enabled() and any(v.requires_grad for v in values):
        return torch.stack(values).sum(0)
    dtype = functools.reduce(torch.promote_types, (v.dtype for v in values))
    out = torch.add(values[0], values[1], out=torch.empty(values[0].shape, dtype=dtype, device=values[0].device))
    for v in values[2:]:
        out.add_(v)
    return out


class GraphCell(nn.Module):
    """`per_step_bn`: in a stepped cell, BNs keep running statistics per timestep (snn.timestep_bn), so the
    cell is built for `timesteps`. `pool`: take edge operations from it rather than building them all.
    `stacked_sums`: a node of a sequence cell sums its inputs into a contiguous tensor (`stacked_sum`, as
    SNASNet's cells always did) rather than keeping their layout (`total`, MSE-NAS's). The values are the
    same; the layout is not, and on the CPU a train-mode BN after a channels-last tensor differs in the last
    bits, so each space keeps the rule its recorded searches were made with."""

    def __init__(self, graph: CellGraph, C: int, neuron: NeuronConfig, timesteps: int | None = None,
                 per_step_bn: bool = False, pool: OpPool | None = None, stacked_sums: bool = False) -> None:
        super().__init__()
        self.graph = graph
        self.neuron_config = neuron
        self.pooled = pool is not None
        self.shared = nn.ModuleDict()  # one neuron per group of edges that fire the same spikes
        self.spikes_of: dict[str, str] = {}  # edge name -> its group's key in `shared`
        self.node_sum = stacked_sum if stacked_sums else total
        self.stepped = graph.stepped
        per_step = timesteps if (per_step_bn and self.stepped) else None
        names = [e.name for e in graph.edges]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"edges named {', '.join(twice)} more than once: each edge needs its own operation")
        ops: dict[str, nn.Module] = {}
        for e in graph.edges:
            params = dict(e.params)
            if pool is None:
                op = make_op(e.op, C, neuron, per_step, params)
            else:
                op = pool.take(op_key(e.op, C, neuron, per_step, params),
                               lambda e=e, params=params: make_op(e.op, C, neuron, per_step, params))
                op.sign = params.get("sign")  # the sign has no parameters: set on whichever op the pool gives
            ops[e.name] = op
        self.ops = nn.ModuleDict(ops)
        self.into = {j: [e for e in graph.edges if e.dst == j and not e.delay]
                     for j in range(graph.inputs, graph.nodes)}
        self.feedback = [e for e in graph.edges if e.delay]

    def forward(self, x_seq: torch.Tensor, *more: torch.Tensor) -> torch.Tensor:
        """x_seq [T, B, C, H, W], and the further inputs of a cell with several."""
        if len(more) != self.graph.inputs - 1:
            raise ValueError(f"this cell takes {self.graph.inputs} inputs, not {1 + len(more)}")
        return self._stepped(x_seq, *more) if self.stepped else self._sequence(x_seq, *more)

    def _combine(self, outs: list[torch.Tensor], dim: int) -> torch.Tensor:
        return torch.cat(outs, dim) if self.graph.combine == "concat" else total(outs)

    def _sequence(self, x_seq: torch.Tensor, *more: torch.Tensor) -> torch.Tensor:
        nodes = {0: x_seq, **{k + 1: x for k, x in enumerate(more)}}
        fired: dict[str, torch.Tensor] = {}
        for j in range(self.graph.inputs, self.graph.nodes):
            inputs = [self._edge(e, nodes[e.src], fired) for e in self.into[j] if e.src in nodes]
            if inputs:
                nodes[j] = self.node_sum(inputs)
        outs = [nodes[o] for o in self.graph.outputs if o in nodes]
        return self._combine(outs, 2) if outs else torch.zeros_like(x_seq)

    def _stepped(self, x_seq: torch.Tensor, *more: torch.Tensor) -> torch.Tensor:
        with steps_recorded_once(m for m in self.modules() if is_neuron(m)):
            return self._steps(x_seq, *more)

    def _steps(self, x_seq: torch.Tensor, *more: torch.Tensor) -> torch.Tensor:
        state: dict[str, torch.Tensor | None] = {k: None for k in (*self.ops, *self.shared)}
        feedback: dict[int, torch.Tensor] = {}
        out = []
        for t in range(x_seq.shape[0]):
            nodes = {k: x[t] + feedback[k] if k in feedback else x[t] for k, x in enumerate((x_seq, *more))}
            fired: dict[str, torch.Tensor] = {}
            for j in range(self.graph.inputs, self.graph.nodes):
                acc = feedback.get(j)
                for e in self.into[j]:
                    y = self._edge_step(e, nodes[e.src], state, fired, t)
                    acc = y if acc is None else acc + y
                nodes[j] = acc if acc is not None else torch.zeros_like(x_seq[t])  # fed only by feedback
            feedback = {}
            for e in self.feedback:
                y = self._edge_step(e, nodes[e.src], state, fired, t)
                feedback[e.dst] = y if e.dst not in feedback else feedback[e.dst] + y
            out.append(self._combine([nodes[o] for o in self.graph.outputs], 1))
        return torch.stack(out)

    def _edge(self, e, x_seq: torch.Tensor, fired: dict[str, torch.Tensor]) -> torch.Tensor:
        """Edge e on its source's whole sequence; a shared neuron fires once, for the first of its edges."""
        key = self.spikes_of.get(e.name)
        if key is None:
            return self.ops[e.name](x_seq)
        if key not in fired:
            fired[key] = self.shared[key](x_seq)
        return self.ops[e.name].from_spikes(fired[key])

    def _edge_step(self, e, x: torch.Tensor, state: dict, fired: dict[str, torch.Tensor], t: int) -> torch.Tensor:
        """Edge e at step t, the neurons' membranes carried in `state`; a shared neuron steps once per step."""
        key = self.spikes_of.get(e.name)
        if key is None:
            y, state[e.name] = self.ops[e.name].step(x, state[e.name], t)
            return y
        if key not in fired:
            fired[key], state[key] = self.shared[key].step(x, state[key])
        return self.ops[e.name].step_from_spikes(fired[key], t)

    def share_neurons(self) -> int:
        """Each group of edges that leave one node through equal neurons without parameters (the network's
        neuron with the same edge settings) takes one neuron, the first edge's; returns how many neurons
        went. A learned neuron (PLIF) is each edge's own to learn, and is left so."""
        if self.pooled:
            raise ValueError("a cell built from an op pool shares its ops with other networks: build it alone")
        groups: dict[tuple, list] = {}
        for e in self.graph.edges:
            op = self.ops[e.name]  # an op registered elsewhere (docs/extending.md) keeps its own neuron
            m = getattr(op, "neuron", None) if isinstance(op, EdgeOp) else None
            if m is not None and not any(True for _ in m.parameters()):
                groups.setdefault((e.src, edge_neuron(self.neuron_config, dict(e.params))), []).append(e)
        removed = 0
        for edges in groups.values():
            if len(edges) < 2:
                continue
            key = f"node{edges[0].src}_{edges[0].name}"
            self.shared[key] = self.ops[edges[0].name].neuron
            for e in edges:
                del self.ops[e.name].neuron
                self.spikes_of[e.name] = key
            removed += len(edges) - 1
        return removed


def share_duplicate_neurons(model: nn.Module) -> int:
    """`GraphCell.share_neurons` in every cell of `model`; the number of neurons removed."""
    return sum(m.share_neurons() for m in model.modules() if isinstance(m, GraphCell))
