"""One LIF timestep with its state carried out, as generated CPU kernels (backend "compiled", taken by "auto"
on the CPU): what cells with feedback edges call for every neuron at every step (`Neuron.step`). The
reference step (`lif.lif_step`) is a dozen elementwise operations under autograd, each reading and writing
the whole membrane; here the charge, the spike and the reset are one forward kernel, and the surrogate
derivative and the gradients for the input, the carried membrane and PLIF's leak one backward kernel.

The forward does the reference's operations in its order (Inductor leaves floating-point contraction off on
the CPU), so it fires the same spikes; gradients agree with the reference to float rounding
(tests/test_lif_step_compiled.py). Tensors are seen flat in the input's memory order, detached (as in
`lif_compiled`), so one kernel serves every layer, layout and batch size; the step at V[-1] = 0 and the
step with a carried membrane are separate kernels, as are steps that keep what the backward needs and
steps that do not (no gradient: evaluation and training-free scoring).
"""

from __future__ import annotations

import torch

from spikenas.snn.functional.lif_compiled import grad_through_reset, leak_tensor, unflat
from spikenas.snn.surrogate import Surrogate


def _forward(x: torch.Tensor, v: torch.Tensor | None, k: torch.Tensor | None, threshold: float, hard: bool):
    if v is None:
        h = x * k if k is not None else x + 0.0
    else:
        h = v + x if k is None else v + (x - v) * k
    s = (h >= threshold).to(x.dtype)
    v_new = h * (1.0 - s) if hard else h - threshold * s
    return h, s, v_new


def _forward_no_grad(x, v, k, threshold: float, hard: bool):
    _, s, v_new = _forward(x, v, k, threshold, hard)
    return s, v_new


def _backward(h: torch.Tensor, v: torch.Tensor | None, grad_s: torch.Tensor, grad_v: torch.Tensor | None,
              k: torch.Tensor | None, threshold: float, hard: bool, detach: bool, surrogate: str, alpha: float,
              grad_k: bool, carried: bool):
    sg = Surrogate(surrogate, alpha).grad(h - threshold)
    gh = grad_s * sg
    if grad_v is not None:
        gh = gh + grad_through_reset(grad_v, h, sg, threshold, hard, detach)
    if k is None:
        return gh, (gh if carried else None), None
    gk = None
    if grad_k:  # dH/dk = X - V[t-1] = (H - V[t-1]) / k
        gk = (((h - v) if carried else h) * gh).sum(dtype=torch.float64) / k.double()
    return gh * k, (gh * (1.0 - k) if carried else None), gk


_KERNELS: dict = {}


def _kernel(name: str):
    if name not in _KERNELS:
        fn = {"forward": _forward, "forward_no_grad": _forward_no_grad, "backward": _backward}[name]
        _KERNELS[name] = torch.compile(fn, dynamic=True)
    return _KERNELS[name]


def _order(x: torch.Tensor) -> list[int]:
    """x's dimensions in the order of their strides (as laid out in memory)."""
    return sorted(range(x.dim()), key=lambda d: -x.stride()[d])


def _flat(x: torch.Tensor, perm: list[int]) -> torch.Tensor:
    return x.permute(perm).contiguous().view(-1).detach()


class CompiledLIFStep(torch.autograd.Function):
    """(spikes, new V) of one LIF timestep on input `x` from membrane `v` (None: V[-1] = 0); `k` 1/tau (a
    float, or a 0-d tensor that may require a gradient: PLIF) or None (IF). The arguments of `lif_step`."""

    @staticmethod
    def forward(ctx, x, v, k, threshold, reset, surrogate: Surrogate, detach_reset):  # type: ignore[override]
        hard = reset == "hard"
        kt = leak_tensor(k, x)
        perm = _order(x)
        xf = _flat(x, perm)
        vf = None if v is None else _flat(v, perm)
        grad_k = isinstance(k, torch.Tensor) and k.requires_grad
        ctx.shape, ctx.perm, ctx.carried = x.shape, perm, v is not None
        ctx.cfg = (float(threshold), hard, surrogate, detach_reset, grad_k,
                   k.dtype if isinstance(k, torch.Tensor) else None, k.shape if isinstance(k, torch.Tensor) else None)
        h, s, v_new = _kernel("forward")(xf, vf, kt, float(threshold), hard)
        ctx.save_for_backward(h, vf if grad_k else None, kt)
        return unflat(s, x.shape, perm), unflat(v_new, x.shape, perm)

    @staticmethod
    def backward(ctx, grad_s, grad_v):  # type: ignore[override]
        h, vf, kt = ctx.saved_tensors
        threshold, hard, surrogate, detach, grad_k, k_dtype, k_shape = ctx.cfg
        gs = torch.zeros_like(h) if grad_s is None else _flat(grad_s, ctx.perm)
        gv = None if grad_v is None else _flat(grad_v, ctx.perm)
        gx, gv_prev, gk = _kernel("backward")(h, vf, gs, gv, kt, threshold, hard, detach, surrogate.name,
                                              surrogate.alpha, grad_k, ctx.carried)
        gx = unflat(gx, ctx.shape, ctx.perm)
        gv_prev = None if gv_prev is None else unflat(gv_prev, ctx.shape, ctx.perm)
        gk_out = gk.to(k_dtype).reshape(k_shape) if grad_k else None
        return gx, gv_prev, gk_out, None, None, None, None


def lif_step_compiled(x, v, k, threshold: float, reset: str, surrogate: Surrogate, detach_reset: bool = True):
    """`lif_step`'s (spikes, new V) from the compiled kernels: under autograd where a gradient will flow,
    else the forward kernel alone (nothing kept for a backward)."""
    grad = torch.is_grad_enabled() and any(isinstance(t, torch.Tensor) and t.requires_grad for t in (x, v, k))
    if grad:
        return CompiledLIFStep.apply(x, v, k, threshold, reset, surrogate, detach_reset)
    perm = _order(x)
    s, v_new = _kernel("forward_no_grad")(_flat(x, perm), None if v is None else _flat(v, perm), leak_tensor(k, x),
                                          float(threshold), reset == "hard")
    return unflat(s, x.shape, perm), unflat(v_new, x.shape, perm)
