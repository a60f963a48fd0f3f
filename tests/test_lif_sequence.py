"""The one-node sequence LIF (backend "sequence", the CPU's fast path) against the step-by-step reference:
the same spikes, and the same gradients for the input and PLIF's leak to float rounding, for LIF, PLIF and
IF, both resets, detached or not, every surrogate; and "auto" without a compiler picks it only where a
gradient flows."""

import itertools

import pytest
import torch

from spikenas.snn import IF, LIF, PLIF

SURROGATES = ("atan", "sigmoid", "piecewise")


def make(kind: str, backend: str, reset: str, surrogate: str, detach: bool):
    common = {"reset": reset, "surrogate": surrogate, "detach_reset": detach, "backend": backend}
    if kind == "lif":
        return LIF(tau=2.0, **common)
    if kind == "plif":
        return PLIF(init_tau=3.0, **common)
    return IF(threshold=1.0, **common)


def assert_matches_the_reference(backend: str, kind: str, reset: str, surrogate: str, detach: bool, steps: int):
    """`backend` against the step-by-step reference in float64: the same spikes, and the input's and PLIF
    leak's gradients to rounding. Returns the backend's output for further checks."""
    torch.manual_seed(0)
    x = (torch.randn(steps, 3, 4, 5, 5, dtype=torch.float64) * 1.5).requires_grad_()
    g = torch.randn(steps, 3, 4, 5, 5, dtype=torch.float64)
    results = []
    for name in ("torch", backend):
        n = make(kind, name, reset, surrogate, detach).double()
        x.grad = None
        s = n(x)
        s.backward(g)
        results.append((s, x.grad.clone(), [p.grad.clone() for p in n.parameters()]))
    (s_ref, gx_ref, gp_ref), (s_new, gx_new, gp_new) = results
    assert torch.equal(s_ref.detach(), s_new.detach())
    assert 0 < s_ref.mean() < 1
    torch.testing.assert_close(gx_new, gx_ref, rtol=1e-10, atol=1e-12)
    for a, b in zip(gp_new, gp_ref, strict=True):  # PLIF's leak
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-12)
    return s_new


@pytest.mark.parametrize("kind,reset,surrogate,detach", list(itertools.product(
    ("lif", "plif", "if"), ("hard", "soft"), SURROGATES, (True, False))))
def test_sequence_matches_the_reference(kind, reset, surrogate, detach):
    assert_matches_the_reference("sequence", kind, reset, surrogate, detach, steps=7)


def assert_float32_agrees(backend: str, shape: tuple) -> None:
    """float32: the reference's spikes exactly, its input gradient to float32 rounding."""
    x = (torch.randn(*shape) * 2).requires_grad_()
    out = []
    for name in ("torch", backend):
        x.grad = None
        s = LIF(backend=name)(x)
        s.sum().backward()
        out.append((s, x.grad.clone()))
    assert torch.equal(out[0][0], out[1][0])
    torch.testing.assert_close(out[1][1], out[0][1], rtol=1e-5, atol=1e-6)


def test_float32_spikes_are_identical_and_gradients_close():
    torch.manual_seed(1)
    assert_float32_agrees("sequence", (16, 8, 16, 8, 8))


def test_auto_without_a_compiler_uses_the_sequence_node_only_when_a_gradient_flows(monkeypatch):
    from spikenas.snn.functional import lif_compiled

    monkeypatch.setattr(lif_compiled, "available", lambda: False)
    x = torch.randn(4, 2, 3, requires_grad=True)
    assert type(LIF()(x).grad_fn).__name__ == "SequenceLIFBackward"
    with torch.no_grad():
        assert LIF()(x).grad_fn is None
    assert type(LIF(backend="torch")(x).grad_fn).__name__ not in ("SequenceLIFBackward", "CompiledLIFBackward")
    assert type(PLIF()(x.detach())).__name__ == "Tensor" and PLIF()(x.detach()).grad_fn is not None
