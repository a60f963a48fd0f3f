"""An MSE-NAS cell: its motifs' nodes joined into one graph, run on whole sequences or step by step.

The graph is genome.cell_graph: node 0 is the cell's input, each motif adds its kept nodes. An edge's
operation is identity or LIF -> conv k x k -> BN, followed by its sign: excitatory keeps the positive part,
inhibitory the negative part. Without feedback edges every op runs on the whole sequence [T, B, C, H, W]
(time folded into the batch); with them the cell steps through time, each node at t summing its same-step
inputs and the feedback its sources sent at t-1, every neuron's state carried in locals. A stepped cell's BNs
keep running statistics per timestep (snn.timestep_bn says why), so it is built for a number of timesteps.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from spikenas.models.neuron_config import NeuronConfig
from spikenas.snn import fold, is_neuron, steps_recorded_once
from spikenas.snn.timestep_bn import TimestepBatchNorm2d
from spikenas.spaces.mse.genome import CellSpec, cell_graph
from spikenas.spaces.mse.pool import OpPool


def total(values: list[torch.Tensor]) -> torch.Tensor:
    """The sum of a node's inputs; two are added in one op (the same values as the stacked sum)."""
    if len(values) <= 2:
        return values[0] if len(values) == 1 else values[0] + values[1]
    return torch.stack(values).sum(0)


class SignedOp(nn.Module):
    """`timesteps`: normalise with running statistics per timestep (ops of a stepped cell); None: one BN."""

    def __init__(self, op: str, sign: str | None, C: int, neuron: NeuronConfig, timesteps: int | None = None) -> None:
        super().__init__()
        self.op, self.sign = op, sign
        if op != "identity":
            k = {"conv3x3": 3, "conv5x5": 5}[op]
            self.neuron = neuron.make()
            self.conv = nn.Conv2d(C, C, k, padding=k // 2, bias=False)
            self.bn = nn.BatchNorm2d(C) if timesteps is None else TimestepBatchNorm2d(C, timesteps)

    def _signed(self, y: torch.Tensor) -> torch.Tensor:
        if self.sign == "E":
            return F.relu(y)
        if self.sign == "I":  # min(y, 0); without a gradient to carry, in one op
            return y.clamp(max=0) if not (y.requires_grad and torch.is_grad_enabled()) else -F.relu(-y)
        return y

    def forward(self, x_seq: torch.Tensor) -> torch.Tensor:
        if self.op == "identity":
            return self._signed(x_seq)
        if isinstance(self.bn, TimestepBatchNorm2d):
            return self._signed(self.bn(fold(self.conv, self.neuron(x_seq))))
        return self._signed(fold(lambda z: self.bn(self.conv(z)), self.neuron(x_seq)))

    def step(self, x: torch.Tensor, v: torch.Tensor | None, t: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Timestep t of the sequence, the neuron's membrane `v` carried in and out."""
        if self.op == "identity":
            return self._signed(x), None
        s, v = self.neuron.step(x, v)
        z = self.conv(s)
        return self._signed(self.bn.step(z, t) if isinstance(self.bn, TimestepBatchNorm2d) else self.bn(z)), v


class MseCell(nn.Module):
    """`pool` (spaces.mse.pool): take edge operations from it rather than building them all."""

    def __init__(self, spec: CellSpec, C: int, neuron: NeuronConfig, timesteps: int,
                 pool: OpPool | None = None) -> None:
        super().__init__()
        self.stepped = any(e.delay for m in spec.motifs for e in m.edges)
        per_step = timesteps if self.stepped else None
        graph = cell_graph(spec)
        ops: dict[str, SignedOp] = {}
        self.edges: list[tuple[int, int, str, bool]] = []  # (src node, dst node, op key, delayed)
        for i, j, m, e in graph.edges:
            key = f"m{m}_{e.src}_{e.dst}"
            def make(e=e) -> SignedOp:
                return SignedOp(e.op, e.sign, C, neuron, per_step)

            op = make() if pool is None else pool.take((e.op, C, per_step, neuron), make)
            op.sign = e.sign  # the sign has no parameters: set on whichever op the pool gives
            ops[key] = op
            self.edges.append((i, j, key, e.delay))
        self.nodes = graph.nodes
        self.outputs = list(graph.outputs)
        self.ops = nn.ModuleDict(ops)

    def forward(self, x_seq: torch.Tensor) -> torch.Tensor:
        return self._stepped(x_seq) if self.stepped else self._sequence(x_seq)

    def _sequence(self, x_seq: torch.Tensor) -> torch.Tensor:
        nodes = {0: x_seq}
        for j in range(1, self.nodes):
            nodes[j] = total([self.ops[k](nodes[i]) for i, jj, k, _ in self.edges if jj == j])
        return total([nodes[o] for o in self.outputs])

    def _stepped(self, x_seq: torch.Tensor) -> torch.Tensor:
        with steps_recorded_once(m for m in self.ops.modules() if is_neuron(m)):
            return self._steps(x_seq)

    def _steps(self, x_seq: torch.Tensor) -> torch.Tensor:
        state: dict[str, torch.Tensor | None] = {k: None for k in self.ops}
        feedback: dict[int, torch.Tensor] = {}
        out = []
        for t in range(x_seq.shape[0]):
            nodes = {0: x_seq[t] + feedback[0] if 0 in feedback else x_seq[t]}
            for j in range(1, self.nodes):
                acc = feedback.get(j)
                for i, jj, k, delayed in self.edges:
                    if jj == j and not delayed:
                        y, state[k] = self.ops[k].step(nodes[i], state[k], t)
                        acc = y if acc is None else acc + y
                nodes[j] = acc if acc is not None else torch.zeros_like(x_seq[t])  # fed only by feedback
            feedback = {}
            for i, j, k, delayed in self.edges:
                if delayed:
                    y, state[k] = self.ops[k].step(nodes[i], state[k], t)
                    feedback[j] = y if j not in feedback else feedback[j] + y
            out.append(total([nodes[o] for o in self.outputs]))
        return torch.stack(out)
