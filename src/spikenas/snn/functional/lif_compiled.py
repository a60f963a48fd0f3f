"""Multi-step LIF with the whole sequence's forward and backward each generated as one CPU kernel
(backend "compiled"): the sequence path's recurrence (`lif_sequence.py`) written as pure tensor functions
over all T steps and compiled by `torch.compile` (Inductor's C++ backend), so each element of the sequence
is read and written once per pass instead of once per elementwise operation (a dozen in the backward).

The forward does the reference's operations in the reference's order with floating-point contraction off
(Inductor's default on the CPU), so it fires the same spikes; gradients agree with the sequence path to
float rounding (tests/test_lif_compiled.py). A compiler is needed: `available()` says whether one is
found, and a configuration is compiled on its first call (seconds; afterwards Inductor's on-disk cache).
Kernels are keyed by (reset, detach, surrogate, IF or LIF, whether k learns); T is specialised, and every
layer's sequence is seen as [T, N] with N dynamic, so one kernel serves every layer and batch size.
"""

from __future__ import annotations

import functools
import shutil

import torch

from spikenas.snn.surrogate import Surrogate


@functools.cache
def available() -> bool:
    """Whether `torch.compile` can generate CPU code here (a C++ compiler on the path)."""
    return hasattr(torch, "compile") and any(shutil.which(c) for c in ("c++", "g++", "clang++"))


def _recurrence(x_seq: torch.Tensor, k: torch.Tensor | None, threshold: float, hard: bool):
    """The membranes H[t] and spikes S[t] of every step, as lists."""
    hs, ss = [], []
    v = None
    for t in range(x_seq.shape[0]):
        x = x_seq[t]
        if v is None:
            h = x * k if k is not None else x + 0.0
        else:
            h = v + x if k is None else (x - v) * k + v
        s = (h >= threshold).to(x.dtype)
        v = h * (1.0 - s) if hard else h - threshold * s
        hs.append(h)
        ss.append(s)
    return hs, ss


def _forward(x_seq: torch.Tensor, k: torch.Tensor | None, threshold: float, hard: bool):
    hs, ss = _recurrence(x_seq, k, threshold, hard)
    return torch.stack(hs), torch.stack(ss)


def _forward_spikes(x_seq: torch.Tensor, k: torch.Tensor | None, threshold: float, hard: bool):
    """The spikes alone, where no gradient is wanted: the membranes stay in registers, not written out."""
    return torch.stack(_recurrence(x_seq, k, threshold, hard)[1])


def grad_through_reset(grad_v: torch.Tensor, h: torch.Tensor, sg: torch.Tensor, threshold: float, hard: bool,
                       detach: bool) -> torch.Tensor:
    """dL/dH[t] from dL/dV[t] through the reset V[t] = r(H[t], S[t]); the spike's surrogate slope `sg` enters
    only when the reset is not detached."""
    fired = (h >= threshold).to(h.dtype)
    if hard:
        return grad_v * (1.0 - fired) if detach else grad_v * ((1.0 - fired) - h * sg)
    return grad_v if detach else grad_v * (1.0 - threshold * sg)


def _backward(h_all: torch.Tensor, grad_s: torch.Tensor, k: torch.Tensor | None, threshold: float,
              hard: bool, detach: bool, surrogate: str, alpha: float, grad_k: bool):
    steps = h_all.shape[0]
    gxs: list[torch.Tensor] = [None] * steps  # type: ignore[list-item]
    gk = None
    gv = None  # dL/dV[t]
    for t in range(steps - 1, -1, -1):
        h = h_all[t]
        sg = Surrogate(surrogate, alpha).grad(h - threshold)
        gh = grad_s[t] * sg
        if gv is not None:
            gh = gh + grad_through_reset(gv, h, sg, threshold, hard, detach)
        if k is None:
            gv = gh
            gxs[t] = gh
            continue
        if grad_k:
            if t:
                hp = h_all[t - 1]
                sp = (hp >= threshold).to(h.dtype)
                vp = hp * (1.0 - sp) if hard else hp - threshold * sp
            else:
                vp = 0.0
            term = ((h - vp) * gh).sum(dtype=torch.float64) / k.double()
            gk = term if gk is None else gk + term
        gv = gh * (1.0 - k)
        gxs[t] = gh * k
    return torch.stack(gxs), gk


_KERNELS: list = []  # not functools.cache: a network compiled whole traces this call


def _kernels() -> list:
    """The compiled forward, backward and spikes-only forward, made on first use (importing torch._dynamo
    takes a second)."""
    if not _KERNELS:
        _KERNELS.extend([torch.compile(f, dynamic=True) for f in (_forward, _backward, _forward_spikes)])
    return _KERNELS


def memory_order(x_seq: torch.Tensor) -> list[int]:
    """The permutation putting time first and the other dimensions in the order of their strides (as laid
    out in memory): a channels-last sequence seen through it is contiguous, and the spikes laid out through it
    keep the input's layout, as the reference's elementwise operations keep it (a convolution that follows
    picks its algorithm, and so its rounding, by its input's layout)."""
    inner = x_seq.stride()[1:]
    return [0] + [d + 1 for d in sorted(range(len(inner)), key=lambda d: -inner[d])]


def _flat(x: torch.Tensor, perm: list[int]) -> torch.Tensor:
    """[T, N] in memory order (a copy only where that order is not contiguous: an input repeated over T),
    detached: no view base and no requires_grad for the compiler to guard on, so a layer of any rank, layout
    or gradient reuses the one kernel instead of recompiling (Dynamo stops after 8 and runs uncompiled)."""
    return x.permute(perm).contiguous().view(x.shape[0], -1).detach()


def unflat(y: torch.Tensor, shape: torch.Size, perm: list[int]) -> torch.Tensor:
    """`y`, flat in the memory order `perm` gives, as a tensor of `shape` laid out in that order."""
    inverse = sorted(range(len(perm)), key=lambda d: perm[d])
    return y.view([shape[d] for d in perm]).permute(inverse)


def leak_tensor(k, like: torch.Tensor) -> torch.Tensor | None:
    """The leak 1/tau as a detached tensor of `like`'s dtype and device (None: IF), as the kernels take it."""
    if k is None:
        return None
    return torch.as_tensor(k.detach() if isinstance(k, torch.Tensor) else k, dtype=like.dtype, device=like.device)


def spikes(x_seq, k, threshold, reset, surrogate: Surrogate | None = None, detach_reset: bool = True) -> torch.Tensor:
    """`CompiledLIF`'s spikes, for work with no gradient (scoring, evaluation): the same kernel's
    forward without the membranes it keeps for the backward (CompiledLIF's arguments; the last two unused)."""
    perm = memory_order(x_seq)
    s_all = _kernels()[2](_flat(x_seq, perm), leak_tensor(k, x_seq), float(threshold), reset == "hard")
    return unflat(s_all, x_seq.shape, perm)


class CompiledLIF(torch.autograd.Function):
    """Spikes [T, ...] of the LIF recurrence on `x_seq` [T, ...] from V[-1] = 0; `k` 1/tau (a float, or a
    0-d tensor that may require a gradient: PLIF) or None (IF). The arguments of `SequenceLIF`."""

    @staticmethod
    def forward(ctx, x_seq, k, threshold, reset, surrogate: Surrogate, detach_reset):  # type: ignore[override]
        hard = reset == "hard"
        kt = leak_tensor(k, x_seq)
        perm = memory_order(x_seq)  # [T, N]: one dynamic size for every layer
        h_all, s_all = _kernels()[0](_flat(x_seq, perm), kt, float(threshold), hard)
        ctx.save_for_backward(h_all, kt)
        ctx.shape, ctx.perm = x_seq.shape, perm
        ctx.cfg = (float(threshold), hard, surrogate, detach_reset,
                   isinstance(k, torch.Tensor) and k.requires_grad, k.dtype if isinstance(k, torch.Tensor) else None,
                   k.shape if isinstance(k, torch.Tensor) else None)
        return unflat(s_all, x_seq.shape, perm)

    @staticmethod
    def backward(ctx, grad_s):  # type: ignore[override]
        h_all, kt = ctx.saved_tensors
        threshold, hard, surrogate, detach, grad_k, k_dtype, k_shape = ctx.cfg
        gx, gk = _kernels()[1](h_all, _flat(grad_s, ctx.perm), kt, threshold, hard, detach, surrogate.name,
                               surrogate.alpha, grad_k)
        gk_out = gk.to(k_dtype).reshape(k_shape) if grad_k else None
        return unflat(gx, ctx.shape, ctx.perm), gk_out, None, None, None, None
