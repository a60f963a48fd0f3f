"""Multi-step LIF as one autograd node for the whole sequence: the CPU's fast path (backend "sequence").

The reference (`functional/lif.py`) lets autograd record every step, and the backward of each step's
`x_seq[t]` builds a zero tensor the size of the whole sequence to scatter its gradient into, so its memory
traffic grows with T squared. Here the forward walks time writing the spikes and the pre-spike membrane H
into tensors allocated once, and the backward walks time in reverse from H alone (the recurrence of
`lif_triton`: dL/dH[t] = dL/dS[t] * sg(H[t] - threshold) + dL/dV[t] * dV[t]/dH[t]), every temporary
reused across steps, so each element is touched a constant number of times per step. The forward does the
reference's operations in the reference's order, so both fire the same spikes; gradients agree to float
rounding (tests/test_lif_sequence.py).
"""

from __future__ import annotations

import math

import torch

from spikenas.snn.surrogate import Surrogate


def surrogate_grad_(u: torch.Tensor, surrogate: Surrogate) -> torch.Tensor:
    """`surrogate.grad(u)` computed in place in `u` (u = H - threshold is not needed afterwards)."""
    a = surrogate.alpha
    if surrogate.name == "atan":
        return u.mul_(math.pi / 2 * a).square_().add_(1.0).reciprocal_().mul_(a / 2)
    if surrogate.name == "sigmoid":
        sg = u.mul_(a).sigmoid_()
        return sg.mul_(sg.neg().add_(1.0)).mul_(a)  # a * sg * (1 - sg)
    if surrogate.name == "piecewise":
        return u.abs_().mul_(-a * a).add_(a).clamp_(min=0.0)
    raise ValueError(f"unknown surrogate {surrogate.name!r}")


def _reset(h: torch.Tensor, fired: torch.Tensor, threshold: float, hard: bool) -> torch.Tensor:
    """V after firing, in a new tensor: hard H * (1 - S), soft H - threshold * S."""
    s = fired.to(h.dtype)
    return h * (1.0 - s) if hard else h - threshold * s


class SequenceLIF(torch.autograd.Function):
    """Spikes [T, ...] of the LIF recurrence on `x_seq` [T, ...] from V[-1] = 0; `k` 1/tau (a float, or a
    0-d tensor that may require a gradient: PLIF) or None (IF)."""

    @staticmethod
    def forward(ctx, x_seq, k, threshold, reset, surrogate: Surrogate, detach_reset):  # type: ignore[override]
        hard = reset == "hard"
        h_all = torch.empty_like(x_seq)
        s_all = torch.empty_like(x_seq)
        kv = k.detach() if isinstance(k, torch.Tensor) else k
        v = None
        for t in range(x_seq.shape[0]):
            h = h_all[t]
            if v is None:  # V[-1] = 0: H = X * k (IF: X)
                h.copy_(x_seq[t]) if kv is None else torch.mul(x_seq[t], kv, out=h)
            elif kv is None:
                torch.add(v, x_seq[t], out=h)
            else:  # v + (x - v) * k, in the reference's order
                torch.sub(x_seq[t], v, out=h).mul_(kv).add_(v)
            torch.ge(h, threshold, out=s_all[t])  # 1[H - threshold >= 0], the same for finite H
            v = _reset(h, s_all[t], threshold, hard)
        ctx.save_for_backward(h_all, k if isinstance(k, torch.Tensor) else None)
        ctx.cfg = (kv, float(threshold), hard, surrogate, detach_reset,
                   isinstance(k, torch.Tensor) and k.requires_grad)
        return s_all

    @staticmethod
    def backward(ctx, grad_s):  # type: ignore[override]
        h_all, k_tensor = ctx.saved_tensors
        kv, threshold, hard, surrogate, detach, grad_k = ctx.cfg
        if isinstance(kv, torch.Tensor):
            kv = k_tensor.detach()
        gx = torch.empty_like(h_all)
        gv = None  # dL/dV[t]
        gk = torch.zeros((), dtype=torch.float64, device=h_all.device) if grad_k else None
        sg = torch.empty_like(h_all[0])
        for t in range(h_all.shape[0] - 1, -1, -1):
            h = h_all[t]
            surrogate_grad_(torch.sub(h, threshold, out=sg), surrogate)
            gh = gx[t]  # dL/dH[t] is built in place where dL/dX[t] goes
            torch.mul(grad_s[t], sg, out=gh)
            if gv is not None:
                fired = h >= threshold
                if hard:
                    dv = gv.masked_fill_(fired, 0.0) if detach else gv.mul_(
                        (1.0 - fired.to(h.dtype)).sub_(h * sg))
                else:
                    dv = gv if detach else gv.mul_(sg.mul(-threshold).add_(1.0))
                gh.add_(dv)
            if kv is None:
                gv = gh.clone() if t else None  # IF: dV[t-1] = dH[t]
                continue
            if grad_k:  # dH/dk = X[t] - V[t-1] = (H[t] - V[t-1]) / k
                vp = _reset(h_all[t - 1], h_all[t - 1] >= threshold, threshold, hard) if t else 0.0
                gk += ((h - vp) * gh).sum(dtype=torch.float64) / kv
            gv = gh * (1.0 - kv) if t else None
            gh.mul_(kv)  # dL/dX[t] = dL/dH[t] * k
        gk_out = gk.to(k_tensor.dtype).reshape(k_tensor.shape) if grad_k else None
        return gx, gk_out, None, None, None, None
