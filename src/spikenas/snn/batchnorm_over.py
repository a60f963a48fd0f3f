"""A batch norm written over its input, where the input is a tensor nothing else reads (a convolution's
output) and no gradient is carried: training-free scoring and evaluation.

On the CPU, `F.batch_norm` allocates a new output as large as its input; for the SNASNet paper's network
(C = 256, T = 5, batch 256) that is 1.3 GB per layer, and the fresh pages cost more than the arithmetic.
The same kernel (`aten::native_batch_norm`) writing into its input gives the same bits, 1.7x quicker
(tests/test_batchnorm_over.py; docs/benchmarks.md, "Against the official SNASNet code"). Anything else (a
gradient to carry, a GPU, a compiled or traced network, hooks on the layer, a train-mode layer that updates
running statistics) takes the module's own forward.
"""

from __future__ import annotations

import torch
from torch import nn


def conv_bn(conv: nn.Module, bn: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """bn(conv(x)), the batch norm written over the convolution's output where it can be."""
    return bn_over(bn, conv(x))


def run_chain(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """`module(x)`; for a plain nn.Sequential, its layers in turn, each convolution followed by a batch norm
    through `conv_bn`."""
    if type(module) is not nn.Sequential or _hooked(module):
        return module(x)
    layers = list(module)
    i = 0
    while i < len(layers):
        if isinstance(layers[i], nn.Conv2d) and i + 1 < len(layers) and isinstance(layers[i + 1], nn.BatchNorm2d):
            x = conv_bn(layers[i], layers[i + 1], x)
            i += 2
        else:
            x = layers[i](x)
            i += 1
    return x


def bn_over(bn: nn.Module, y: torch.Tensor) -> torch.Tensor:
    """bn(y), written over `y` when that gives the module's own result: `y` must not be read afterwards."""
    if not _can_write_over(bn, y):
        return bn(y)
    training = bn.running_mean is None  # no running statistics: batch statistics in either mode
    C = y.shape[1]
    save_mean, save_invstd = y.new_empty(C), y.new_empty(C)
    torch.ops.aten.native_batch_norm.out(y, bn.weight, bn.bias, bn.running_mean, bn.running_var, training,
                                         0.0, bn.eps, out=y, save_mean=save_mean, save_invstd=save_invstd)
    return y


def _can_write_over(bn: nn.Module, y: torch.Tensor) -> bool:
    """Not in train mode with running statistics: updating them needs the module's own rule."""
    return (type(bn) is nn.BatchNorm2d and not (bn.training and bn.running_mean is not None)
            and not torch.is_grad_enabled() and y.device.type == "cpu"
            and y.dtype == torch.float32 and y.dim() == 4 and not _hooked(bn)
            and not torch.compiler.is_compiling() and not torch.jit.is_tracing())


def _hooked(module: nn.Module) -> bool:
    return bool(module._forward_hooks or module._forward_pre_hooks)
