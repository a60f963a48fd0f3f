"""The SNASNet cell: nodes summing the ops on their incoming edges, with optional feedback edges.

A cell without backward edges runs every op on whole sequences [T, B, C, H, W] (time folded into the batch
for conv and BN). A cell with backward edges steps through time: at step t node j holds the sum of its
forward inputs plus the feedback delivered to it, which is what the backward edges computed from their
source nodes at t-1; every op's neuron state is carried in locals.
"""

from __future__ import annotations

import torch
from torch import nn

from spikenas.models.neuron_config import NeuronConfig
from spikenas.snn import fold, is_neuron, steps_recorded_once
from spikenas.spaces.snasnet.genotype import NODES, SnasGenotype


class EdgeOp(nn.Module):
    """One edge's operation, callable on a sequence or one step at a time."""

    def __init__(self, code: int, C: int, neuron: NeuronConfig) -> None:
        super().__init__()
        self.code = code
        if code in (2, 3):
            k = 1 if code == 2 else 3
            self.neuron = neuron.make()
            self.conv = nn.Conv2d(C, C, k, padding=k // 2, bias=False)
            self.bn = nn.BatchNorm2d(C)
        elif code == 4:
            self.pool = nn.AvgPool2d(3, stride=1, padding=1)
        elif code != 1:
            raise ValueError(f"op code {code} has no module")

    def forward(self, x_seq: torch.Tensor) -> torch.Tensor:
        if self.code == 1:
            return x_seq
        if self.code == 4:
            return fold(self.pool, x_seq)
        return fold(lambda z: self.bn(self.conv(z)), self.neuron(x_seq))

    def step(self, x: torch.Tensor, v: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self.code == 1:
            return x, None
        if self.code == 4:
            return self.pool(x), None
        s, v = self.neuron.step(x, v)
        return self.bn(self.conv(s)), v


class SnasCell(nn.Module):
    def __init__(self, genotype: SnasGenotype, C: int, neuron: NeuronConfig) -> None:
        super().__init__()
        self.C, self.neuron = C, neuron
        self._spare: dict[tuple[str, int], EdgeOp] = {}  # ops of earlier genotypes, kept for reuse
        self.set_genotype(genotype)

    def set_genotype(self, genotype: SnasGenotype) -> None:
        """Rewire to another genotype in place. Ops already built for the same edge and code are reused with
        whatever weights they hold (re-initialise after rewiring; new ones are on the CPU: move the network);
        `ops` holds the active ones in genotype order, so modules(), parameters() and state_dict() are those
        of a cell built for the genotype."""
        for key, op in getattr(self, "ops", {}).items():
            self._spare[(key, op.code)] = op
        ops = {}
        for i, j, code in genotype.forward_edges() + genotype.backward_edges():
            key = f"{i}_{j}"
            op = self._spare.get((key, code))
            ops[key] = op if op is not None else EdgeOp(code, self.C, self.neuron)
        self.fwd = [(i, j) for i, j, _ in genotype.forward_edges()]
        self.bwd = [(i, j) for i, j, _ in genotype.backward_edges()]
        self.ops = nn.ModuleDict(ops)

    def forward(self, x_seq: torch.Tensor) -> torch.Tensor:
        return self._stepped(x_seq) if self.bwd else self._sequence(x_seq)

    def _sequence(self, x_seq: torch.Tensor) -> torch.Tensor:
        nodes: dict[int, torch.Tensor] = {0: x_seq}
        for j in range(1, NODES):
            inputs = [self.ops[f"{i}_{j}"](nodes[i]) for i, jj in self.fwd if jj == j]
            if inputs:
                nodes[j] = torch.stack(inputs).sum(0) if len(inputs) > 1 else inputs[0]
        return nodes[NODES - 1]

    def _stepped(self, x_seq: torch.Tensor) -> torch.Tensor:
        with steps_recorded_once(m for m in self.ops.modules() if is_neuron(m)):
            return self._steps(x_seq)

    def _steps(self, x_seq: torch.Tensor) -> torch.Tensor:
        state: dict[str, torch.Tensor | None] = {k: None for k in self.ops}
        feedback: dict[int, torch.Tensor] = {}
        out = []
        for t in range(x_seq.shape[0]):
            nodes: dict[int, torch.Tensor] = {0: x_seq[t] + feedback[0] if 0 in feedback else x_seq[t]}
            for j in range(1, NODES):
                total = feedback.get(j)
                for i, jj in self.fwd:
                    if jj == j:
                        y, state[f"{i}_{j}"] = self.ops[f"{i}_{j}"].step(nodes[i], state[f"{i}_{j}"])
                        total = y if total is None else total + y
                # a node fed only by feedback holds zeros until its first delivery, as in the paper's code
                nodes[j] = total if total is not None else torch.zeros_like(x_seq[t])
            feedback = {}
            for i, j in self.bwd:
                y, state[f"{i}_{j}"] = self.ops[f"{i}_{j}"].step(nodes[i], state[f"{i}_{j}"])
                feedback[j] = y if j not in feedback else feedback[j] + y
            out.append(nodes[NODES - 1])
        return torch.stack(out)
