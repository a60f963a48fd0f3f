"""A network as a NIR graph (the Neuromorphic Intermediate Representation: read by snnTorch, Norse, Sinabs,
Rockpool, Lava, SpiNNaker2), for the baseline CNN and SNASNet networks.

Conventions, one timestep = one time unit (dt = 1):
- LIF with tau (in steps), r = 1, v_leak = 0, threshold, v_reset = 0: NIR's tau dv/dt = (v_leak - v) + r I
  stepped once per timestep is spikenas's H = V + (X - V) / tau, with the hard reset to 0. IF likewise.
- A batch norm after a convolution is folded into it (weight and bias); a batch norm on its own is a 1x1
  convolution with a diagonal weight (its per-channel scale) and a bias (its shift).
- The direct encoding: the graph's input is the image at every timestep; the logits are the output
  averaged over the timesteps (SNASNet's vote averaging is folded into its last layer).
- A cell node is a Scale of ones (NIR sums a node's inputs); a feedback edge goes through a Delay of one step.
What NIR cannot express is refused in one line naming the op: a soft reset, max pooling, the signed E/I ops
of MSE-NAS, per-timestep batch norms, concatenated cell outputs (DARTS).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from spikenas.cells.graph_cell import GraphCell
from spikenas.cells.ops import EdgeOp
from spikenas.errors import InputError
from spikenas.models.baseline import SpikingVGG
from spikenas.snn import is_neuron
from spikenas.snn.neurons import IF
from spikenas.snn.timestep_bn import TimestepBatchNorm2d


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().double().numpy().astype(np.float32)


class Builder:
    """Nodes and edges of a NIR graph under construction, with the feature shape after each node."""

    def __init__(self, nir, in_shape: tuple[int, int, int]) -> None:
        self.nir, self.nodes, self.edges, self.shape = nir, {"input": nir.Input(np.array(in_shape))}, [], {}
        self.shape["input"] = tuple(in_shape)

    def add(self, name: str, node, src: str | list[str], shape: tuple) -> str:
        self.nodes[name] = node
        self.shape[name] = tuple(shape)
        for s in [src] if isinstance(src, str) else src:
            self.edges.append((s, name))
        return name

    def neuron(self, name: str, m: nn.Module, src: str) -> str:
        if m.reset != "hard":
            raise InputError(f"NIR export: {name} resets softly (by subtracting the threshold), which NIR's "
                             f"neurons cannot express; train with --reset hard")
        shape = self.shape[src]
        ones, zeros = np.ones(shape, np.float32), np.zeros(shape, np.float32)
        thr = np.full(shape, m.threshold, np.float32)
        if isinstance(m, IF):
            return self.add(name, self.nir.IF(r=ones, v_threshold=thr, v_reset=zeros), src, shape)
        tau = 1.0 / float(m.leak())
        return self.add(name, self.nir.LIF(tau=np.full(shape, tau, np.float32), r=ones, v_leak=zeros,
                                           v_threshold=thr, v_reset=zeros), src, shape)

    def conv(self, name: str, conv: nn.Conv2d, bn: nn.Module | None, src: str) -> str:
        if isinstance(bn, TimestepBatchNorm2d):
            raise InputError(f"NIR export: {name} normalises each timestep apart (per-timestep batch-norm "
                             f"statistics: the stepped cells of MSE-NAS, or of SNASNet with step_bn), which NIR "
                             f"cannot express; export --format torchscript")
        w = conv.weight.detach().double()
        b = conv.bias.detach().double() if conv.bias is not None else torch.zeros(w.shape[0], dtype=torch.float64)
        if bn is not None:
            scale = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
            w = w * scale[:, None, None, None]
            b = (b - bn.running_mean.double()) * scale + bn.bias.double()
        c, h, wd = self.shape[src]
        stride, pad, dil = conv.stride[0], conv.padding[0], conv.dilation[0]
        k = conv.kernel_size[0]
        out = (conv.out_channels, (h + 2 * pad - dil * (k - 1) - 1) // stride + 1,
               (wd + 2 * pad - dil * (k - 1) - 1) // stride + 1)
        node = self.nir.Conv2d(input_shape=(h, wd), weight=_np(w), stride=stride, padding=pad, dilation=dil,
                               groups=conv.groups, bias=_np(b))
        return self.add(name, node, src, out)

    def batchnorm(self, name: str, bn: nn.BatchNorm2d, src: str) -> str:
        c = bn.num_features
        one = nn.Conv2d(c, c, 1, bias=False)  # diagonal: NIR infers a grouped convolution's input wrongly
        with torch.no_grad():
            one.weight.copy_(torch.eye(c)[:, :, None, None])
        return self.conv(name, one, bn, src)

    def avgpool(self, name: str, pool: nn.AvgPool2d, src: str) -> str:
        k = pool.kernel_size if isinstance(pool.kernel_size, int) else pool.kernel_size[0]
        s = pool.stride if isinstance(pool.stride, int) else pool.stride[0]
        p = pool.padding if isinstance(pool.padding, int) else pool.padding[0]
        if p and not pool.count_include_pad:
            raise InputError(f"NIR export: {name} averages without its padding, which NIR cannot express")
        c, h, w = self.shape[src]
        out = (c, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1)
        return self.add(name, self.nir.AvgPool2d(kernel_size=np.array([k, k]), stride=np.array([s, s]),
                                                 padding=np.array([p, p])), src, out)

    def flatten(self, name: str, src: str) -> str:
        shape = self.shape[src]
        node = self.nir.Flatten(input_type={"input": np.array(shape)}, start_dim=0, end_dim=-1)
        return self.add(name, node, src, (int(np.prod(shape)),))

    def linear(self, name: str, weight: torch.Tensor, bias: torch.Tensor | None, src: str) -> str:
        node = (self.nir.Affine(weight=_np(weight), bias=_np(bias)) if bias is not None
                else self.nir.Linear(weight=_np(weight)))
        return self.add(name, node, src, (weight.shape[0],))

    def junction(self, name: str, shape: tuple) -> str:
        """A point where inputs are summed (a cell node): a Scale of ones."""
        self.nodes[name] = self.nir.Scale(scale=np.ones(shape, np.float32))
        self.shape[name] = tuple(shape)
        return name

    def cell(self, prefix: str, cell: GraphCell, src: str) -> str:
        g = cell.graph
        if g.inputs != 1:
            raise InputError(f"NIR export: {prefix} takes {g.inputs} inputs; only single-input cells are covered")
        shape = self.shape[src]
        names = {j: self.junction(f"{prefix}.n{j}", shape) for j in range(g.nodes)}
        self.edges.append((src, names[0]))
        fired: dict[str, str] = {}  # a shared neuron's NIR node, made for the first of its edges
        for e in g.edges:
            op: EdgeOp = cell.ops[e.name]
            where = f"{prefix} edge {e.src}->{e.dst} ({e.op})"
            if op.sign is not None:
                raise InputError(f"NIR export: {where} is signed ({op.sign}: only its positive or negative part "
                                 f"passes), which NIR cannot express")
            if op.kind == "zero":
                continue
            at = names[e.src]
            base = f"{prefix}.e{e.src}_{e.dst}_{e.name}".replace("/", "_")
            if op.kind == "conv":
                key = cell.spikes_of.get(e.name)
                if key is None:
                    at = self.neuron(f"{base}.lif", op.neuron, at)
                elif key in fired:
                    at = fired[key]
                else:
                    at = fired[key] = self.neuron(f"{prefix}.{key}.lif", cell.shared[key], at)
                at = self.conv(f"{base}.conv", op.conv, op.bn, at)
            elif op.kind == "avgpool" or (op.kind == "skip" and isinstance(op.pool, nn.AvgPool2d)):
                at = self.avgpool(f"{base}.pool", op.pool, at)
            elif op.kind == "maxpool":
                raise InputError(f"NIR export: {where} is a max pooling, which NIR cannot express")
            elif op.stride != 1:
                raise InputError(f"NIR export: {where} has stride {op.stride}; only stride 1 is covered")
            if e.delay:
                at = self.add(f"{base}.delay", self.nir.Delay(delay=np.ones(self.shape[at], np.float32)), at,
                              self.shape[at])
            self.edges.append((at, names[e.dst]))
        if g.combine != "sum" and len(g.outputs) > 1:
            raise InputError(f"NIR export: {prefix} concatenates its outputs, which NIR cannot express")
        if len(g.outputs) == 1:
            return names[g.outputs[0]]
        return self._sum(f"{prefix}.out", [names[o] for o in g.outputs], shape)

    def _sum(self, name: str, srcs: list[str], shape: tuple) -> str:
        self.junction(name, shape)
        self.edges += [(s, name) for s in srcs]
        return name

    def graph(self, last: str, about: dict):
        self.add("output", self.nir.Output(np.array(self.shape[last])), last, self.shape[last])
        return self.nir.NIRGraph(nodes=self.nodes, edges=self.edges, metadata=about)


def _baseline(b: Builder, m: SpikingVGG) -> str:
    at = b.conv("stem", m.stem[0], m.stem[1], "input")
    feats = list(m.features)
    k = 0
    while k < len(feats):
        f = feats[k]
        if is_neuron(f):
            at = b.neuron(f"features.{k}", f, at)
        elif isinstance(f.module, nn.Sequential):  # SeqFold(conv_bn)
            at = b.conv(f"features.{k}", f.module[0], f.module[1], at)
        elif isinstance(f.module, nn.AvgPool2d):
            at = b.avgpool(f"features.{k}", f.module, at)
        k += 1
    head = m.head.module
    at = b.flatten("head.flatten", at)
    fc = head[-1]
    return b.linear("head.fc", fc.weight, fc.bias, at)


def _snasnet(b: Builder, m) -> str:
    at = b.conv("stem", m.stem[0], m.stem[1], "input")
    at = b.cell("cell1", m.cell1, at)
    at = b.batchnorm("down_bn", m.down_bn.module, at)
    at = b.neuron("down_lif", m.down_lif, at)
    down = m.down.module
    at = b.conv("down.conv", down[0], down[1], at)
    at = b.avgpool("down.pool", down[2], at)
    at = b.cell("cell2", m.cell2, at)
    at = b.batchnorm("last_bn", m.last_bn.module, at)
    at = b.neuron("last_lif", m.last_lif, at)
    at = b.avgpool("pool", m.pool.module[0], at)
    at = b.flatten("flatten", at)
    if m.fc1 is not None:  # hidden 0: the readout straight from the pooled spikes
        at = b.linear("fc1", m.fc1.module.weight, m.fc1.module.bias, at)
        at = b.neuron("fc_lif", m.fc_lif, at)
    fc2 = m.fc2.module  # k votes per class, averaged: one layer of the mean weights
    w = fc2.weight.detach().view(m.num_classes, m.k, -1).mean(1)
    bias = fc2.bias.detach().view(m.num_classes, m.k).mean(1)
    return b.linear("fc2", w, bias, at)


def to_nir(model: nn.Module, about: dict):
    """The NIR graph of `model` (eval mode, on any device), or an InputError saying what NIR cannot hold."""
    try:
        import nir
    except ImportError:
        raise InputError("--format nir needs the nir package: pip install 'spikenas[export]'") from None
    from spikenas.spaces.snasnet.network import SnasNet

    b = Builder(nir, tuple(about["input_shape"]))
    meta = {"producer": "spikenas", "timesteps": about["timesteps"], "dt": 1.0, "encoding": "direct: the input "
            "every timestep; logits = output averaged over the timesteps", "trained": about["trained"]}
    if isinstance(model, SpikingVGG):
        return b.graph(_baseline(b, model), meta)
    if isinstance(model, SnasNet):
        return b.graph(_snasnet(b, model), meta)
    signed = [n for n, op in model.named_modules() if isinstance(op, EdgeOp) and op.sign is not None]
    if signed:
        raise InputError(f"NIR export: {signed[0]} is a signed (E/I) op: only its positive or negative part "
                         f"passes, which NIR cannot express")
    raise InputError(f"NIR export covers the baseline and SNASNet networks, not {type(model).__name__}; "
                     f"use --format torchscript")
