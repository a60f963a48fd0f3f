"""LIF dynamics against the DESIGN.md equation, and the ATan surrogate's gradient."""

import math

import pytest
import torch

from spikenas.snn import IF, LIF, PLIF


def transcribe(x, tau, threshold, reset):
    """The charge equation of DESIGN.md, step by step in float64."""
    v = torch.zeros_like(x[0], dtype=torch.float64)
    spikes, hs, vs = [], [], []
    for t in range(x.shape[0]):
        h = v + (x[t].double() - v) / tau
        s = (h >= threshold).double()
        v = h * (1 - s) if reset == "hard" else h - threshold * s
        spikes.append(s), hs.append(h), vs.append(v)
    return torch.stack(spikes), torch.stack(vs)


@pytest.mark.parametrize("reset", ["hard", "soft"])
def test_lif_follows_the_charge_equation_step_by_step(reset):
    # A constant drive of 0.9 with tau = 4/3: H = 0.675, 0.84375, 0.8859.., crossing 1 later.
    x = torch.tensor([[0.9], [0.9], [1.5], [1.5], [0.0], [2.0], [-0.5], [1.4]])
    lif = LIF(tau=4 / 3, threshold=1.0, reset=reset, backend="torch")
    s = lif(x)
    ref_s, ref_v = transcribe(x, 4 / 3, 1.0, reset)
    assert torch.equal(s.double(), ref_s)
    # membrane values through the single-step function with explicit state
    v = None
    for t in range(x.shape[0]):
        st, v = lif.step(x[t], v)
        assert st.item() == ref_s[t].item()
        assert v.double().item() == pytest.approx(ref_v[t].item(), abs=1e-6)
    # hand-computed first steps: 0.675, then 0.675 + (0.9 - 0.675) * 0.75 = 0.84375
    assert s[:2].sum() == 0
    assert ref_v[1].item() == pytest.approx(0.84375)


def test_hard_and_soft_reset_differ_as_the_equation_says():
    x = torch.tensor([[3.0], [0.0]])
    hard = LIF(tau=4 / 3, reset="hard", backend="torch")
    soft = LIF(tau=4 / 3, reset="soft", backend="torch")
    _, vh = hard.step(x[0], None)
    _, vs = soft.step(x[0], None)
    assert vh.item() == 0.0  # H = 2.25 fired, reset to 0
    assert vs.item() == pytest.approx(1.25)  # 2.25 - threshold


def test_random_sequences_match_transcription():
    torch.manual_seed(0)
    x = torch.randn(8, 3, 50) * 1.5
    for reset in ("hard", "soft"):
        s = LIF(tau=4 / 3, reset=reset, backend="torch")(x)
        ref_s, _ = transcribe(x, 4 / 3, 1.0, reset)
        assert torch.equal(s.double(), ref_s)


def test_atan_surrogate_gradient_reaches_input_with_atan_shape():
    # one step from V = 0: H = x / tau, so dS/dx = atan'(H - 1) / tau with atan'(u) = (a/2) / (1 + (pi/2 a u)^2)
    tau, alpha = 2.0, 2.0
    x = torch.linspace(-2, 6, 41, requires_grad=True)
    s = LIF(tau=tau, backend="torch")(x.unsqueeze(0))
    s.sum().backward()
    u = x.detach() / tau - 1.0
    expected = (alpha / 2) / (1 + (math.pi / 2 * alpha * u) ** 2) / tau
    assert torch.allclose(x.grad, expected, rtol=1e-6)
    # the ATan shape: peak at the threshold, symmetric, decaying
    peak = int(torch.argmax(x.grad))
    assert u[peak].abs() < 1e-6
    assert x.grad[peak] == pytest.approx(alpha / 2 / tau)


def test_gradient_flows_through_time():
    x = torch.full((4, 1), 0.5, requires_grad=True)
    LIF(tau=2.0, backend="torch")(x)[-1].sum().backward()
    assert (x.grad[:-1] != 0).all()  # earlier inputs influence the last spike through V


def test_plif_learns_tau_and_if_does_not_leak():
    plif = PLIF(init_tau=2.0, backend="torch")
    assert plif.leak().item() == pytest.approx(0.5)
    x = torch.rand(5, 4, 10) * 2
    plif(x).sum().backward()
    assert plif.w.grad is not None and plif.w.grad != 0
    s = IF(backend="torch")(torch.full((4, 1), 0.4))
    assert s.flatten().tolist() == [0.0, 0.0, 1.0, 0.0]  # 0.4, 0.8, 1.2 -> fire


def test_bad_options_are_refused():
    with pytest.raises(ValueError):
        LIF(reset="sideways")
    with pytest.raises(ValueError):
        LIF(surrogate="nope")
    with pytest.raises(ValueError):
        LIF(tau=0.5)


def test_spike_without_gradient_equals_the_autograd_step():
    from spikenas.snn.surrogate import get_surrogate, spike

    x = torch.cat([torch.randn(1000), torch.tensor([0.0, -0.0, 1e-45, -1e-45])])
    with torch.no_grad():
        plain = spike(x, get_surrogate("atan"))
    tracked = spike(x.clone().requires_grad_(), get_surrogate("atan"))
    assert tracked.grad_fn is not None and plain.grad_fn is None
    assert torch.equal(plain, tracked.detach())


@pytest.mark.parametrize("reset", ["hard", "soft"])
@pytest.mark.parametrize("k", [0.5, 1 / 3, None])
def test_lif_step_shortcuts_equal_the_equation(reset, k):
    """No-gradient steps and the V[-1] = 0 charge give exactly the values of the full equation."""
    from spikenas.snn.functional.lif import charge, lif_step
    from spikenas.snn.surrogate import get_surrogate

    torch.manual_seed(0)
    x = torch.randn(3, 500) * 2
    x[:, :5] = torch.tensor([1.0, 2.0, 0.0, -0.0, 3.0])  # exactly at the threshold once charged (k = 0.5)
    atan = get_surrogate("atan")
    v_grad = v_plain = None
    for t in range(3):
        xt = x[t].clone().requires_grad_()
        s_g, v_g = lif_step(xt, v_grad, k, 1.0, reset, atan)
        with torch.no_grad():
            s_p, v_p = lif_step(x[t], v_plain, k, 1.0, reset, atan)
        h = charge(x[t], torch.zeros_like(x[t]) if v_plain is None else v_plain, k)  # the equation in full
        assert torch.equal(s_p, (h - 1.0 >= 0).float())
        assert torch.equal(s_g.detach(), s_p) and torch.equal(v_g.detach(), v_p)
        v_grad, v_plain = v_g.detach(), v_p


def test_lif_step_shortcuts_keep_the_memory_layout():
    """Outputs laid out as the full equation's: a layout change alone makes later convolutions round
    differently (it moved MSE-NAS scores by 1e-4 before the shortcuts kept it)."""
    from spikenas.snn.functional.lif import lif_step
    from spikenas.snn.surrogate import get_surrogate

    x = torch.randn(4, 8, 5, 5).to(memory_format=torch.channels_last) * 2
    atan = get_surrogate("atan")
    for k in (0.5, None):
        s_g, v_g = lif_step(x.clone().requires_grad_(), None, k, 1.0, "hard", atan)
        with torch.no_grad():
            s_p, v_p = lif_step(x, None, k, 1.0, "hard", atan)
            s_p2, v_p2 = lif_step(x, v_p, k, 1.0, "hard", atan)
        s_g2, v_g2 = lif_step(x.clone().requires_grad_(), v_g.detach(), k, 1.0, "hard", atan)
        for a, b in ((s_g, s_p), (v_g, v_p), (s_g2, s_p2), (v_g2, v_p2)):
            assert a.stride() == b.stride() and torch.equal(a.detach(), b)
