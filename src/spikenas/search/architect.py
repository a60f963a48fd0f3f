"""The architecture step of a differentiable search (quark0/darts architect.py's shape): Adam on the
architecture weights from the loss on a batch of the split's other half.

first order: the gradient at the current weights. second order (DARTS's unrolled step): the gradient at the
weights after one virtual SGD step of size `eta` on the weights' batch, with the Hessian-vector product by
finite differences (epsilon 0.01 / |dw|). With `spike_weight` > 0 the architecture loss adds that weight
times the network's spikes per sample (in thousands), counted through the surrogate so it has a gradient:
the search then trades accuracy for spikes itself.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from spikenas.snn import is_neuron


class SpikeTally:
    """Neuron sink that sums every layer's spikes with their graph kept (for the spike-aware loss)."""

    def __init__(self, model: nn.Module) -> None:
        self.neurons = [m for m in model.modules() if is_neuron(m)]
        self.total: torch.Tensor | float = 0.0

    def record(self, neuron, spikes: torch.Tensor) -> None:
        self.total = self.total + spikes.sum()

    def __enter__(self) -> SpikeTally:
        for n in self.neurons:
            n.monitor = self
        return self

    def __exit__(self, *exc) -> None:
        for n in self.neurons:
            n.monitor = None


class Architect:
    def __init__(self, model, forward, lr: float = 3e-4, weight_decay: float = 1e-3, second_order: bool = False,
                 spike_weight: float = 0.0, weight_decay_w: float = 0.0) -> None:
        """`forward(x) -> logits` runs the model on an encoded batch."""
        self.model, self.forward = model, forward
        self.second_order, self.spike_weight, self.wd_w = second_order, spike_weight, weight_decay_w
        self.optimizer = torch.optim.Adam(model.arch_parameters(), lr=lr, betas=(0.5, 0.999),
                                          weight_decay=weight_decay)

    def loss(self, x: torch.Tensor, y: torch.Tensor, spikes: bool = False) -> torch.Tensor:
        if not (spikes and self.spike_weight > 0):
            return F.cross_entropy(self.forward(x), y)
        with SpikeTally(self.model) as tally:
            ce = F.cross_entropy(self.forward(x), y)
        return ce + self.spike_weight * tally.total / (1000.0 * len(y))

    def step(self, x_w: torch.Tensor, y_w: torch.Tensor, x_a: torch.Tensor, y_a: torch.Tensor, eta: float) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        if self.second_order:
            self._unrolled(x_w, y_w, x_a, y_a, eta)
        else:
            self.loss(x_a, y_a, spikes=True).backward(inputs=self.model.arch_parameters())
        self.optimizer.step()

    def _unrolled(self, x_w, y_w, x_a, y_a, eta: float) -> None:
        alphas, ws = self.model.arch_parameters(), self.model.weight_parameters()
        backup = [w.detach().clone() for w in ws]
        g = _grad(self.loss(x_w, y_w), ws)
        with torch.no_grad():  # w' = w - eta (dL_train/dw + wd w)
            for w, gi in zip(ws, g, strict=True):
                w.sub_(eta * (gi + self.wd_w * w))
        grads = _grad(self.loss(x_a, y_a, spikes=True), alphas + ws)
        d_alpha, d_w = grads[:len(alphas)], grads[len(alphas):]
        r = 0.01 / torch.cat([d.flatten() for d in d_w]).norm().clamp_min(1e-12)
        hessian = []
        for sign in (1.0, -1.0):  # grad_alpha L_train at w +- r dw'
            with torch.no_grad():
                for w, b, d in zip(ws, backup, d_w, strict=True):
                    w.copy_(b + sign * r * d)
            hessian.append(_grad(self.loss(x_w, y_w), alphas))
        with torch.no_grad():
            for w, b in zip(ws, backup, strict=True):
                w.copy_(b)
        for a, da, gp, gn in zip(alphas, d_alpha, hessian[0], hessian[1], strict=True):
            a.grad = da - eta * (gp - gn) / (2 * r)


def _grad(loss: torch.Tensor, params: list) -> tuple[torch.Tensor, ...]:
    """d loss / d params, zeros for a parameter the loss does not reach."""
    return torch.autograd.grad(loss, params, allow_unused=True, materialize_grads=True)
