"""The one table of edge operations: name -> constructor, for every space, the drawings and cost counts.

Each operation runs on a whole sequence [T, B, C, H, W] (time folded into the batch) or one step at a time
with its neuron's membrane carried explicitly (`step`). Parameters an edge may carry (cells.graph.Edge):
`sign` ("E" keeps the positive part, "I" the negative part: MSE-NAS's excitatory and inhibitory forms of
any op), `stride` (convolutions and pools), and any neuron setting (`threshold`, `tau`, `reset`,
`surrogate`, `kind`), which overrides the network's neuron for that edge alone. `skip` is identity, and a
2x2 average pool where it has stride 2 (a DARTS reduction cell's skip connection). Adding an operation is one
`register_op` call (docs/extending.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import torch
import torch.nn.functional as F
from torch import nn

from spikenas.snn import fold
from spikenas.snn.batchnorm_over import conv_bn
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.snn.timestep_bn import TimestepBatchNorm2d

NEURON_SETTINGS = frozenset(f.name for f in fields(NeuronConfig))
EDGE_SETTINGS = frozenset({"sign", "stride", "with_neuron"})


class EdgeOp(nn.Module):
    """LIF -> conv k x k (dilated or not) -> BN, a 3x3 pool, identity or zero, then the edge's sign.
    `timesteps`: the BN keeps running statistics per timestep (ops of a stepped cell, snn.timestep_bn)."""

    def __init__(self, kind: str, C: int, neuron: NeuronConfig | None = None, kernel: int = 3, dilation: int = 1,
                 stride: int = 1, sign: str | None = None, timesteps: int | None = None, c_out: int | None = None,
                 with_neuron: bool = True) -> None:
        """`c_out`: output channels of a convolution (default C); `with_neuron=False`: a convolution whose
        input is already spikes (a supernet's candidates share their input's neuron: `from_spikes`)."""
        super().__init__()
        if sign not in (None, "E", "I"):
            raise ValueError(f"an edge's sign must be E or I, not {sign!r}")
        self.kind, self.sign, self.stride = kind, sign, stride
        if kind == "conv":
            if with_neuron:
                self.neuron = (neuron or NeuronConfig()).make()
            self.conv = nn.Conv2d(C, c_out or C, kernel, stride=stride, padding=dilation * (kernel // 2),
                                  dilation=dilation, bias=False)
            self.bn = nn.BatchNorm2d(c_out or C) if timesteps is None else TimestepBatchNorm2d(c_out or C, timesteps)
        elif kind == "avgpool":
            self.pool = nn.AvgPool2d(3, stride=stride, padding=1)
        elif kind == "maxpool":
            self.pool = nn.MaxPool2d(3, stride=stride, padding=1)
        elif kind == "skip":  # identity, or a 2x2 average pool at stride 2 (no parameters either way)
            self.pool = nn.Identity() if stride == 1 else nn.AvgPool2d(stride, stride)
        elif kind not in ("identity", "zero"):
            raise ValueError(f"unknown edge op kind {kind!r}")
        if stride != 1 and kind == "identity":
            raise ValueError(f"{kind} takes no stride")

    def from_spikes(self, s_seq: torch.Tensor) -> torch.Tensor:
        """A convolution's output from spikes its caller already made (conv -> BN, then the sign)."""
        if isinstance(self.bn, TimestepBatchNorm2d):
            return self._signed(self.bn(fold(self.conv, s_seq)))
        return self._signed(fold(lambda z: conv_bn(self.conv, self.bn, z), s_seq))

    def _signed(self, y: torch.Tensor) -> torch.Tensor:
        if self.sign == "E":
            return F.relu(y)
        if self.sign == "I":  # min(y, 0); without a gradient to carry, in one op
            return y.clamp(max=0) if not (y.requires_grad and torch.is_grad_enabled()) else -F.relu(-y)
        return y

    def forward(self, x_seq: torch.Tensor) -> torch.Tensor:
        if self.kind == "zero":
            return torch.zeros_like(x_seq[..., ::self.stride, ::self.stride])
        if self.kind == "identity":
            return self._signed(x_seq)
        if self.kind != "conv":
            return self._signed(fold(self.pool, x_seq))
        return self.from_spikes(self.neuron(x_seq))

    def step(self, x: torch.Tensor, v: torch.Tensor | None, t: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Timestep t of the sequence, the neuron's membrane `v` carried in and out."""
        if self.kind == "zero":
            return torch.zeros_like(x[..., ::self.stride, ::self.stride]), None
        if self.kind == "identity":
            return self._signed(x), None
        if self.kind != "conv":
            return self._signed(self.pool(x)), None
        s, v = self.neuron.step(x, v)
        return self.step_from_spikes(s, t), v

    def step_from_spikes(self, s: torch.Tensor, t: int) -> torch.Tensor:
        """Timestep t of a convolution whose input's spikes its caller made (`from_spikes`, one step)."""
        z = self.conv(s)
        return self._signed(self.bn.step(z, t) if isinstance(self.bn, TimestepBatchNorm2d) else self.bn(z))


@dataclass(frozen=True)
class OpInfo:
    """make(C, neuron, timesteps, **settings) -> module; `label` names it in drawings; `spiking`: it holds a
    neuron (and so takes neuron settings)."""

    name: str
    make: Callable[..., nn.Module]
    label: str
    spiking: bool


OPS: dict[str, OpInfo] = {}


def register_op(name: str, make: Callable[..., nn.Module], label: str, spiking: bool = False) -> None:
    OPS[name] = OpInfo(name, make, label, spiking)


def _conv(kernel: int, dilation: int = 1):
    def make(C, neuron=None, timesteps=None, stride=1, sign=None, with_neuron=True):
        return EdgeOp("conv", C, neuron, kernel, dilation, stride, sign, timesteps, with_neuron=with_neuron)
    return make


def _plain(kind: str):
    def make(C, neuron=None, timesteps=None, stride=1, sign=None, with_neuron=True):
        return EdgeOp(kind, C, stride=stride, sign=sign)
    return make


register_op("zero", _plain("zero"), "zero")
register_op("identity", _plain("identity"), "identity")
register_op("skip", _plain("skip"), "skip")
register_op("lif_conv1x1_bn", _conv(1), "LIF-conv1x1-BN", spiking=True)
register_op("lif_conv3x3_bn", _conv(3), "LIF-conv3x3-BN", spiking=True)
register_op("lif_conv5x5_bn", _conv(5), "LIF-conv5x5-BN", spiking=True)
register_op("lif_dilconv3x3_bn", _conv(3, 2), "LIF-dilconv3x3-BN", spiking=True)
register_op("avgpool3x3", _plain("avgpool"), "avg-pool 3x3")
register_op("maxpool3x3", _plain("maxpool"), "max-pool 3x3")


def check_edge_settings(op: str, params: dict) -> None:
    """A ValueError naming what is wrong with an edge's op and settings."""
    if op not in OPS:
        raise ValueError(f"unknown edge op {op!r}; known: {', '.join(OPS)}")
    unknown = set(params) - EDGE_SETTINGS - (NEURON_SETTINGS if OPS[op].spiking else set())
    if unknown:
        raise ValueError(f"edge op {op} takes no setting {', '.join(sorted(unknown))}")


def op_key(op: str, C: int, neuron: NeuronConfig, timesteps: int | None, params: dict) -> tuple:
    """What makes two edge operations interchangeable in a pool (the sign holds no parameters)."""
    return (op, C, timesteps, edge_neuron(neuron, params) if OPS[op].spiking else None, params.get("stride", 1))


def edge_neuron(neuron: NeuronConfig, params: dict) -> NeuronConfig:
    """The network's neuron with the edge's own neuron settings."""
    own = {k: v for k, v in params.items() if k in NEURON_SETTINGS}
    return replace(neuron, **own) if own else neuron


def make_op(op: str, C: int, neuron: NeuronConfig, timesteps: int | None, params: dict) -> nn.Module:
    check_edge_settings(op, params)
    return OPS[op].make(C, edge_neuron(neuron, params), timesteps,
                        **{k: v for k, v in params.items() if k in EDGE_SETTINGS})
