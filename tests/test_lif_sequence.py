"""The one-node sequence LIF (backend "sequence", the CPU's fast path) against the step-by-step reference:
the same spikes, and the same gradients for the input and PLIF's leak to float rounding, for LIF, PLIF and
IF, both resets, detached or not, every surrogate; and "auto" picks it only where a gradient flows."""

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


@pytest.mark.parametrize("kind,reset,surrogate,detach", list(itertools.product(
    ("lif", "plif", "if"), ("hard", "soft"), SURROGATES, (True, False))))
def test_sequence_matches_the_reference(kind, reset, surrogate, detach):
    torch.manual_seed(0)
    x = (torch.randn(7, 3, 4, 5, 5, dtype=torch.float64) * 1.5).requires_grad_()
    g = torch.randn(7, 3, 4, 5, 5, dtype=torch.float64)
    results = []
    for backend in ("torch", "sequence"):
        n = make(kind, backend, reset, surrogate, detach).double()
        x.grad = None
        s = n(x)
        s.backward(g)
        results.append((s.detach(), x.grad.clone(), [p.grad.clone() for p in n.parameters()]))
    (s_ref, gx_ref, gp_ref), (s_seq, gx_seq, gp_seq) = results
    assert torch.equal(s_ref, s_seq)
    assert 0 < s_ref.mean() < 1
    torch.testing.assert_close(gx_seq, gx_ref, rtol=1e-10, atol=1e-12)
    for a, b in zip(gp_seq, gp_ref, strict=True):  # PLIF's leak
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-12)


def test_float32_spikes_are_identical_and_gradients_close():
    torch.manual_seed(1)
    x = (torch.randn(16, 8, 16, 8, 8) * 2).requires_grad_()
    out = []
    for backend in ("torch", "sequence"):
        x.grad = None
        s = LIF(backend=backend)(x)
        s.sum().backward()
        out.append((s, x.grad.clone()))
    assert torch.equal(out[0][0], out[1][0])
    torch.testing.assert_close(out[1][1], out[0][1], rtol=1e-5, atol=1e-6)


def test_auto_uses_the_sequence_node_only_when_a_gradient_flows():
    x = torch.randn(4, 2, 3, requires_grad=True)
    assert type(LIF()(x).grad_fn).__name__ == "SequenceLIFBackward"
    with torch.no_grad():
        assert LIF()(x).grad_fn is None
    assert type(LIF(backend="torch")(x).grad_fn).__name__ != "SequenceLIFBackward"
    assert type(PLIF()(x.detach())).__name__ == "Tensor" and PLIF()(x.detach()).grad_fn is not None
