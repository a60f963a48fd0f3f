"""Multi-step spiking neuron modules (LIF, PLIF, IF) over time-first tensors [T, B, ...].

A neuron called on a whole sequence keeps no state between calls. The recurrence runs in the fused
Triton kernel on CUDA (backend "auto" or "triton"); elsewhere as generated CPU kernels for the whole
sequence where a compiler is found ("auto" or "compiled": functional/lif_compiled.py), else, when a gradient
is needed, as one autograd node of torch operations ("auto" or "sequence": functional/lif_sequence.py);
and step by step under autograd in plain torch ("torch", the reference). A
spike monitor, when attached, adds the spike count to a device-side accumulator: no host copy per step.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import torch
from torch import nn

from spikenas.snn.functional import lif_compiled, lif_multistep, lif_step, lif_triton
from spikenas.snn.functional.lif_sequence import SequenceLIF
from spikenas.snn.functional.lif_step_compiled import lif_step_compiled
from spikenas.snn.surrogate import get_surrogate

BACKENDS = ("auto", "torch", "triton", "sequence", "compiled")
_compile_failed = False  # set when "auto" met a compiler failure: the sequence path from then on
LOW_PRECISION = (torch.bfloat16, torch.float16)  # autocast dtypes: a membrane is not carried in them


class _Neuron(nn.Module):
    """Shared machinery: threshold, reset, surrogate, backend choice and the monitor sink."""

    def __init__(self, threshold: float, reset: str, surrogate: str, detach_reset: bool,
                 backend: str, alpha: float | None = None) -> None:
        super().__init__()
        if reset not in ("hard", "soft"):
            raise ValueError(f"reset must be 'hard' or 'soft', not {reset!r}")
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
        self.threshold = float(threshold)
        self.reset = reset
        self.surrogate = get_surrogate(surrogate, alpha)
        self.detach_reset = detach_reset
        self.backend = backend
        self.monitor = None  # set by SpikeMonitor; receives (self, spikes)
        self._gather: dict | None = None  # set by steps_recorded_once

    def leak(self) -> torch.Tensor | float | None:
        """The factor k = 1/tau of the charge equation, or None for no leak."""
        raise NotImplementedError

    def _use_fused(self, x: torch.Tensor) -> bool:
        if self.backend == "torch":
            return False
        if self.backend == "triton":
            if not lif_triton.available(x):
                raise RuntimeError("backend='triton' needs triton and a CUDA tensor")
            return True
        return x.is_cuda and lif_triton.available(x)

    def _sequence_path(self, x: torch.Tensor, k) -> str | None:
        """The one-node path for the whole sequence, "compiled" or "sequence", or None for the reference:
        asked for by name, or chosen by "auto" for sequences of more than one step: on the CPU, the compiled
        kernels where a compiler is found and they have not failed in this process (with or without a gradient);
        else the sequence path where a gradient will flow (without one, the reference's no-grad shortcut
        is as quick)."""
        if torch.compiler.is_compiling():  # inside a compiled network (--compile): traced into its graph
            return _path_when_compiling(self.backend, k)
        if self.backend in ("sequence", "compiled"):
            return self.backend
        if self.backend != "auto" or x.shape[0] < 2 or torch.jit.is_tracing():
            return None
        if _kernels_usable(x):
            return "compiled"
        return "sequence" if _needs_grad(x, k) else None

    def forward(self, x_seq: torch.Tensor) -> torch.Tensor:
        k = self.leak()
        if self._use_fused(x_seq):
            if isinstance(k, float):
                k = torch.full((), k, device=x_seq.device)
            s = lif_triton.FusedLIF.apply(x_seq, k, self.threshold, self.reset, self.surrogate,
                                          self.detach_reset)
        else:
            path = self._sequence_path(x_seq, k)
            if path != "compiled" and x_seq.dtype in LOW_PRECISION:  # the compiled kernel charges in float32
                x_seq = x_seq.float()  # a float32 membrane, as `step` carries it
            args = (x_seq, k, self.threshold, self.reset, self.surrogate, self.detach_reset)
            if path == "compiled":
                s = self._compiled(args, None if _needs_grad(x_seq, k) else lif_compiled.spikes)
            elif path == "sequence":
                s = SequenceLIF.apply(*args)
            else:
                s, _ = lif_multistep(*args)
        if self.monitor is not None:
            self.monitor.record(self, s)
        return s

    def _compiled(self, args: tuple, compiled=None, fallback=None):
        """The compiled kernels (the sequence's, or `compiled`); under "auto", a compiler that fails (a broken
        toolchain) is reported once and the process goes on with the sequence path (for a timestep, `fallback`:
        the reference step), which gives the same spikes."""
        compiled = compiled or lif_compiled.CompiledLIF.apply
        if self.backend == "compiled":
            return compiled(*args)
        try:
            return compiled(*args)
        except Exception as e:  # noqa: BLE001 - any compiler failure; the fallback computes the same
            global _compile_failed
            _compile_failed = True
            warnings.warn(f"compiled LIF kernels unavailable ({type(e).__name__}: {str(e).splitlines()[0]}); "
                          "using the sequence path (timesteps: the reference's)", RuntimeWarning, stacklevel=3)
            return (fallback or SequenceLIF.apply)(*args)

    def _step_compiled(self, x: torch.Tensor) -> bool:
        """Whether a timestep takes the compiled step kernels: asked for by name, or by "auto" on the CPU
        where a compiler is found and has not failed; inside a network compiled whole, or traced, the
        reference step."""
        if torch.compiler.is_compiling() or torch.jit.is_tracing() or self.backend in ("torch", "sequence"):
            return False
        if self.backend == "compiled":
            return True
        return self.backend == "auto" and _kernels_usable(x)

    def step(self, x: torch.Tensor, v: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """One timestep with explicit state, for cells with feedback edges: (spikes, new V); the compiled
        step kernels on the CPU under "auto" or "compiled" (as for sequences), else the reference step.
        Under autocast the membrane is carried in float32: a bf16 membrane, rounded to 8 bits at every step,
        loses the small charges that decide when it crosses the threshold (a SNASNet cell with feedback
        trained under bf16 this way ended 2.4-3 points lower after one Fashion-MNIST epoch)."""
        if x.dtype in LOW_PRECISION:
            x = x.float()
        args = (x, v, self.leak(), self.threshold, self.reset, self.surrogate, self.detach_reset)
        s, v = self._compiled(args, lif_step_compiled, lif_step) if self._step_compiled(x) else lif_step(*args)
        if self.monitor is not None:
            if self._gather is not None:
                self._gather.setdefault(self, []).append(s)
            else:
                self.monitor.record(self, s.unsqueeze(0))
        return s, v

    def extra_repr(self) -> str:
        return (f"threshold={self.threshold}, reset={self.reset}, surrogate={self.surrogate.name}, "
                f"backend={self.backend}")


def _needs_grad(x: torch.Tensor, k) -> bool:
    """Whether a gradient will flow from the spikes of `x` (to x, or to a learnt leak k)."""
    return torch.is_grad_enabled() and (x.requires_grad or isinstance(k, torch.Tensor) and k.requires_grad)


def _kernels_usable(x: torch.Tensor) -> bool:
    """Whether "auto" takes the compiled CPU kernels for `x`: on the CPU, a compiler found, none failed yet."""
    return x.device.type == "cpu" and lif_compiled.available() and not _compile_failed


def _path_when_compiling(backend: str, k) -> str | None:
    """Inside a network compiled whole, the compiled kernels' functions are traced into the network's graph
    (measured faster than the reference's operations there); a learned leak (PLIF) takes the reference's
    operations, whose leak gradient Inductor compiles with dynamic shapes where the kernels' one fails."""
    if backend == "torch" or isinstance(k, torch.Tensor) and k.requires_grad:
        return None
    return "compiled"


@contextmanager
def steps_recorded_once(neurons: Iterable[nn.Module]) -> Iterator[None]:
    """Within the block, monitored neurons stepping through time keep their spikes, and each records them
    once at its end, as one sequence [T, B, ...], in the order they first fired a step: one monitor call per
    neuron instead of one per step. Every monitor in the project treats a sequence as its steps in turn
    (spike counts, RDM statistics, SAHD's per-step maps), so the totals are those of step-by-step recording;
    nothing is recorded if the block raises."""
    gather: dict = {}
    active = [n for n in neurons if n.monitor is not None]
    for n in active:
        n._gather = gather
    try:
        yield
    finally:
        for n in active:
            n._gather = None
    for n, steps in gather.items():
        n.monitor.record(n, torch.stack(steps))


class LIF(_Neuron):
    """Leaky integrate-and-fire: H = V + (X - V) / tau (decay_input, v_reset = 0)."""

    def __init__(self, tau: float = 2.0, threshold: float = 1.0, reset: str = "hard",
                 surrogate: str = "atan", detach_reset: bool = True, backend: str = "auto",
                 alpha: float | None = None) -> None:
        super().__init__(threshold, reset, surrogate, detach_reset, backend, alpha)
        if tau <= 1.0:
            raise ValueError(f"tau must be > 1, not {tau}")
        self.tau = float(tau)

    def leak(self) -> float:
        return 1.0 / self.tau

    def extra_repr(self) -> str:
        return f"tau={self.tau:.4g}, " + super().extra_repr()


class PLIF(_Neuron):
    """Parametric LIF (Fang et al., ICCV 2021): 1/tau = sigmoid(w) with w learned per layer."""

    def __init__(self, init_tau: float = 2.0, threshold: float = 1.0, reset: str = "hard",
                 surrogate: str = "atan", detach_reset: bool = True, backend: str = "auto",
                 alpha: float | None = None) -> None:
        super().__init__(threshold, reset, surrogate, detach_reset, backend, alpha)
        if init_tau <= 1.0:
            raise ValueError(f"init_tau must be > 1, not {init_tau}")
        self.init_tau = float(init_tau)
        self.w = nn.Parameter(torch.empty(()))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """w back to its initial value (1/tau = 1/init_tau), as a network's reset_parameters() expects."""
        with torch.no_grad():
            self.w.fill_(-math.log(self.init_tau - 1.0))

    def leak(self) -> torch.Tensor:
        return self.w.sigmoid()

    def extra_repr(self) -> str:
        return f"tau={1.0 / self.w.sigmoid().item():.4g}, " + super().extra_repr()


class IF(_Neuron):
    """Integrate-and-fire without leak: H = V + X."""

    def __init__(self, threshold: float = 1.0, reset: str = "hard", surrogate: str = "atan",
                 detach_reset: bool = True, backend: str = "auto", alpha: float | None = None) -> None:
        super().__init__(threshold, reset, surrogate, detach_reset, backend, alpha)

    def leak(self) -> None:
        return None


def is_neuron(module: nn.Module) -> bool:
    """True for any spiking neuron module of this package."""
    return isinstance(module, _Neuron)
