"""Reference (plain torch) leaky integrate-and-fire dynamics, single-step and multi-step.

The charge equation is the one of DESIGN.md (decay_input, v_reset = 0):
    H[t] = V[t-1] + (X[t] - V[t-1]) * k        with k = 1 / tau   (IF: H[t] = V[t-1] + X[t])
    S[t] = 1[H[t] >= threshold]
    hard reset: V[t] = H[t] * (1 - S[t])       soft reset: V[t] = H[t] - threshold * S[t]
State is explicit: nothing is kept between calls. This path is the ground truth the fused kernel
is tested against; autograd differentiates it through the surrogate.
"""

from __future__ import annotations

import torch

from spikenas.snn.surrogate import Surrogate, spike


def charge(x: torch.Tensor, v: torch.Tensor, k: torch.Tensor | float | None) -> torch.Tensor:
    """Membrane potential before firing; `k = None` is the non-leaky IF neuron."""
    if k is None:
        return v + x
    return v + (x - v) * k


def lif_step(
    x: torch.Tensor,
    v: torch.Tensor | None,
    k: torch.Tensor | float | None,
    threshold: float,
    reset: str,
    surrogate: Surrogate,
    detach_reset: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One timestep: returns (spikes, new membrane). `v=None` means V[-1] = 0.

    Two shortcuts give the equation's values with fewer ops (cells with feedback call this for every
    neuron at every step): at V[-1] = 0 the charge is X * k (IF: X), the zero terms left out; and with no
    gradient to carry, the spike is the comparison H >= threshold (equal to H - threshold >= 0 in IEEE
    arithmetic) and a hard reset zeroes the fired membranes (equal to H * (1 - S) for finite H)."""
    if reset not in ("hard", "soft"):
        raise ValueError(f"reset must be 'hard' or 'soft', not {reset!r}")
    if v is None:
        h = x.clone() if k is None else x * k  # x * k keeps x's layout, as the full equation would
    else:
        h = charge(x, v, k)
    if not (h.requires_grad and torch.is_grad_enabled()):
        fired = h >= threshold
        s = fired.to(h.dtype)
        return s, (h.masked_fill_(fired, 0.0) if reset == "hard" else h - threshold * s)  # h is ours
    s = spike(h - threshold, surrogate)
    s_reset = s.detach() if detach_reset else s
    v_new = h * (1.0 - s_reset) if reset == "hard" else h - threshold * s_reset
    return s, v_new


def lif_multistep(
    x_seq: torch.Tensor,
    k: torch.Tensor | float | None,
    threshold: float,
    reset: str,
    surrogate: Surrogate,
    detach_reset: bool = True,
    v0: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run `lif_step` over the leading time axis of `x_seq` [T, ...]; returns (spikes, last V)."""
    v = v0
    out = []
    for t in range(x_seq.shape[0]):
        s, v = lif_step(x_seq[t], v, k, threshold, reset, surrogate, detach_reset)
        out.append(s)
    return torch.stack(out), v
