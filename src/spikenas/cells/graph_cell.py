"""One module runs any cell graph (cells.graph.CellGraph).

Without feedback edges every op runs on the whole sequence [T, B, C, H, W] (time folded into the batch), in
edge order, each node summing its inputs. With feedback edges the cell steps through time: at step t a node
sums its same-step inputs and the feedback its sources sent at t-1 (a node fed only by feedback holds zeros
until its first delivery), and every op's neuron state is carried in locals. Node 0 is the cell's input;
the output is the sum of the graph's output nodes, and zeros when none of them can be reached.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from spikenas.cells.graph import CellGraph
from spikenas.cells.ops import make_op, op_key
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
        for j in range(self.graph.inputs, self.graph.nodes):
            inputs = [self.ops[e.name](nodes[e.src]) for e in self.into[j] if e.src in nodes]
            if inputs:
                nodes[j] = self.node_sum(inputs)
        outs = [nodes[o] for o in self.graph.outputs if o in nodes]
        return self._combine(outs, 2) if outs else torch.zeros_like(x_seq)

    def _stepped(self, x_seq: torch.Tensor, *more: torch.Tensor) -> torch.Tensor:
        with steps_recorded_once(m for m in self.ops.modules() if is_neuron(m)):
            return self._steps(x_seq, *more)

    def _steps(self, x_seq: torch.Tensor, *more: torch.Tensor) -> torch.Tensor:
        state: dict[str, torch.Tensor | None] = {k: None for k in self.ops}
        feedback: dict[int, torch.Tensor] = {}
        out = []
        for t in range(x_seq.shape[0]):
            nodes = {k: x[t] + feedback[k] if k in feedback else x[t] for k, x in enumerate((x_seq, *more))}
            for j in range(self.graph.inputs, self.graph.nodes):
                acc = feedback.get(j)
                for e in self.into[j]:
                    y, state[e.name] = self.ops[e.name].step(nodes[e.src], state[e.name], t)
                    acc = y if acc is None else acc + y
                nodes[j] = acc if acc is not None else torch.zeros_like(x_seq[t])  # fed only by feedback
            feedback = {}
            for e in self.feedback:
                y, state[e.name] = self.ops[e.name].step(nodes[e.src], state[e.name], t)
                feedback[e.dst] = y if e.dst not in feedback else feedback[e.dst] + y
            out.append(self._combine([nodes[o] for o in self.graph.outputs], 1))
        return torch.stack(out)
