"""The memory a training step needs, estimated before anything is allocated for it: the network is built on
the meta device (no storage) and run on one meta sample, counting the parameters and every layer's output.

    bytes = 4 x (parameters x (weights + gradients + optimizer states) + 1.5 x outputs per sample x batch)

Backpropagation through time keeps each layer's output at every step and more inside the ops (a neuron's
membrane, a batch norm's input). Measured on the CPU, the peak memory a training step adds is 1.5 times the
outputs for the baseline (2 x 128 x 128 event frames, T = 4, batch 16 and 32) and 2.6 to 3.4 times for the
DARTS supernet at CIFAR-10 shape (docs/benchmarks.md, "Differentiable search"). The smallest ratio is used,
so what is refused certainly cannot fit (a width of 1024 at batch 65536); what is accepted may still need
up to about twice the estimate.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from spikenas.limits import require_memory

KEPT_PER_OUTPUT = 1.5  # memory kept for the backward pass per layer output, the smallest measured (see above)


def meta_outputs(build: Callable[[], nn.Module], sample: Callable[[torch.device], torch.Tensor]
                 ) -> tuple[int, int, int]:
    """(parameters, elements of every layer's output, elements of the largest output) of `build()` run on
    `sample(meta device)`, with no storage allocated; outputs count 0 where an op has no meta kernel."""
    with torch.device("meta"):
        model = build()
    params = sum(p.numel() for p in model.parameters())
    outputs, largest = 0, 0

    def count(module, inputs, out) -> None:
        nonlocal outputs, largest
        if isinstance(out, torch.Tensor):
            outputs += out.numel()
            largest = max(largest, out.numel())

    hooks = [m.register_forward_hook(count) for m in model.modules() if not any(True for _ in m.children())]
    try:
        with torch.no_grad():
            model(sample(torch.device("meta")))
    except (RuntimeError, NotImplementedError, ValueError, TypeError):
        outputs, largest = 0, 0  # an op without a meta kernel: the parameters alone are counted
    finally:
        for h in hooks:
            h.remove()
    return params, outputs, largest


def footprint(build: Callable[[], nn.Module], sample: Callable[[torch.device], torch.Tensor], batch: int,
              optimizer_states: int) -> tuple[int, int, int]:
    """(parameters, estimated bytes, bytes of the largest layer output) of training `build()` at `batch`;
    `sample(device)` is one encoded input."""
    params, outputs, largest = meta_outputs(build, sample)
    return params, int(4 * (params * (2 + optimizer_states) + KEPT_PER_OUTPUT * outputs * batch)), 4 * largest * batch


def require_fits(build, sample, batch: int, optimizer_states: int, device, what: str) -> int:
    """An InputError with both figures when training `build()` at `batch` would not fit on `device`; else the
    bytes of the step's largest layer output (for allocator.keep_freed_memory)."""
    params, need, largest = footprint(build, sample, batch, optimizer_states)
    require_memory(need, f"training {what} ({params:,} parameters) at batch {batch}", device)
    return largest
