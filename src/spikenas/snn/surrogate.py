"""Surrogate gradients for the spike's Heaviside step, selectable by name.

Each surrogate is a pair: the forward step `heaviside(x) = 1[x >= 0]` and a smooth derivative used in
the backward pass. Shapes and defaults follow SpikingJelly so that published recipes carry over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Surrogate:
    """A named surrogate derivative `grad(x)` with its sharpness `alpha`."""

    name: str
    alpha: float

    def grad(self, x: torch.Tensor) -> torch.Tensor:
        """d spike / d x evaluated at `x = h - threshold`."""
        a = self.alpha
        if self.name == "atan":
            return (a / 2) / (1 + (math.pi / 2 * a * x) ** 2)
        if self.name == "sigmoid":
            sg = torch.sigmoid(a * x)
            return a * sg * (1 - sg)
        if self.name == "piecewise":
            return torch.clamp(a - a * a * x.abs(), min=0.0)
        raise ValueError(f"unknown surrogate {self.name!r}")


DEFAULT_ALPHA = {"atan": 2.0, "sigmoid": 4.0, "piecewise": 1.0}
SURROGATE_CODES = {"atan": 0, "sigmoid": 1, "piecewise": 2}


def get_surrogate(name: str | Surrogate, alpha: float | None = None) -> Surrogate:
    """Look a surrogate up by name ("atan", "sigmoid", "piecewise"); alpha defaults per surrogate."""
    if isinstance(name, Surrogate):
        return name
    if name not in DEFAULT_ALPHA:
        raise ValueError(f"unknown surrogate {name!r}; choose one of {', '.join(DEFAULT_ALPHA)}")
    return Surrogate(name, DEFAULT_ALPHA[name] if alpha is None else float(alpha))


class _SpikeFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, surrogate: Surrogate) -> torch.Tensor:  # type: ignore[override]
        ctx.save_for_backward(x)
        ctx.surrogate = surrogate
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):  # type: ignore[override]
        (x,) = ctx.saved_tensors
        return grad_out * ctx.surrogate.grad(x), None


def spike(x: torch.Tensor, surrogate: Surrogate) -> torch.Tensor:
    """Heaviside step `1[x >= 0]` whose backward pass is `surrogate.grad(x)`. While a model is traced for
    export (TorchScript, ONNX) the step is recorded as the plain comparison it computes: an exported model
    runs forward only, and a Python function cannot be exported."""
    if torch.jit.is_tracing():
        return (x >= 0).to(x.dtype)
    return _SpikeFn.apply(x, surrogate)
