"""The compiled LIF timestep (what cells with feedback edges call per neuron per step) against the reference
step: over a chain of steps with the membrane carried from one to the next, the same spikes and membranes,
and the same gradients for the input, the first membrane and PLIF's leak to float rounding, for LIF, PLIF and
IF, both resets, detached or not, each surrogate with each kind; without a gradient the forward kernel
alone; the input's memory layout kept; and a SNASNet network with feedback edges trains as with the
reference."""

import itertools

import pytest
import torch

from spikenas import spaces
from spikenas.snn.functional import lif_compiled
from spikenas.snn.neuron_config import NeuronConfig

from .test_lif_sequence import SURROGATES, make

pytestmark = pytest.mark.skipif(not lif_compiled.available(), reason="no C++ compiler for torch.compile")

CASES = [(kind, reset, SURROGATES[i % 3], detach) for i, (kind, reset, detach) in
         enumerate(itertools.product(("lif", "plif", "if"), ("hard", "soft"), (True, False)))]


def chain(neuron, xs, v0):
    """Spikes of every step and the last membrane, the membrane carried from step to step."""
    v, out = v0, []
    for x in xs:
        s, v = neuron.step(x, v)
        out.append(s)
    return torch.stack(out), v


@pytest.mark.parametrize("kind,reset,surrogate,detach", CASES)
@pytest.mark.parametrize("start", ["rest", "carried"])
def test_compiled_steps_match_the_reference(kind, reset, surrogate, detach, start):
    torch.manual_seed(0)
    xs = (torch.randn(4, 3, 4, 5, 5, dtype=torch.float64) * 1.5).requires_grad_()
    v0 = (torch.randn(3, 4, 5, 5, dtype=torch.float64) * 0.5).requires_grad_() if start == "carried" else None
    gs, gv = torch.randn_like(xs), torch.randn_like(xs[0])
    results = []
    for backend in ("torch", "compiled"):
        n = make(kind, backend, reset, surrogate, detach).double()
        for t in (xs, v0):
            if t is not None:
                t.grad = None
        s, v = chain(n, xs, v0)
        torch.autograd.backward([s, v], [gs, gv])  # gradients reach the steps through spikes and membranes
        results.append((s.detach(), v.detach(), xs.grad.clone(), None if v0 is None else v0.grad.clone(),
                        [p.grad.clone() for p in n.parameters()]))
    ref, new = results
    assert torch.equal(ref[0], new[0]) and 0 < ref[0].mean() < 1
    torch.testing.assert_close(new[1], ref[1], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(new[2], ref[2], rtol=1e-10, atol=1e-12)
    if v0 is not None:
        torch.testing.assert_close(new[3], ref[3], rtol=1e-10, atol=1e-12)
    for a, b in zip(new[4], ref[4], strict=True):  # PLIF's leak
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-12)


def test_without_a_gradient_the_steps_fire_as_the_reference_and_keep_the_layout():
    torch.manual_seed(1)
    xs = [(torch.randn(2, 8, 6, 6) * 2).to(memory_format=torch.channels_last) for _ in range(4)]
    for kind in ("lif", "plif", "if"):
        ref, new = (make(kind, b, "hard", "atan", True) for b in ("torch", "auto"))
        with torch.no_grad():
            (s_ref, v_ref), (s_new, v_new) = chain(ref, xs, None), chain(new, xs, None)
        assert torch.equal(s_ref, s_new) and torch.equal(v_ref, v_new)
        assert s_new.grad_fn is None and v_new.is_contiguous(memory_format=torch.channels_last)


def test_auto_takes_the_compiled_step_on_the_cpu_only():
    x = torch.randn(2, 3, requires_grad=True)
    s, v = make("lif", "auto", "hard", "atan", True).step(x, None)
    assert type(s.grad_fn).__name__ == "CompiledLIFStepBackward"
    s, v = make("lif", "torch", "hard", "atan", True).step(x, None)
    assert type(s.grad_fn).__name__ != "CompiledLIFStepBackward"
    assert not make("lif", "auto", "hard", "atan", True)._step_compiled(torch.empty(2, 3, device="meta"))


def test_a_network_with_feedback_edges_trains_as_with_the_reference_steps():
    space = spaces.get("snasnet")
    g = space.genotype_from_dict({"space": "snasnet", "matrix": [[0, 3, 0, 3], [0, 0, 3, 0], [2, 0, 0, 2],
                                                                 [0, 4, 0, 0]]})
    assert g.backward_edges()
    x, y = torch.randn(6, 1, 12, 12), torch.randint(0, 10, (6,))
    grads = []
    for backend in ("torch", "auto"):
        torch.manual_seed(0)
        net = space.build(g, (1, 12, 12), 10, 3, channels=4, neuron=NeuronConfig(backend=backend))
        loss = torch.nn.functional.cross_entropy(net(x.unsqueeze(0).expand(3, -1, -1, -1, -1)), y)
        loss.backward()
        grads.append((loss.detach(), [p.grad.clone() for p in net.parameters()]))
    torch.testing.assert_close(grads[1][0], grads[0][0], rtol=1e-5, atol=1e-6)
    for a, b in zip(grads[1][1], grads[0][1], strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_a_membrane_exactly_at_threshold_fires():
    for kind, x in (("lif", 2.0), ("if", 1.0)):  # tau = 2: H = X / 2; IF: H = X; threshold 1
        xs = torch.full((2, 3), x).requires_grad_()
        for backend in ("torch", "compiled"):
            s, _ = make(kind, backend, "hard", "atan", True).step(xs, None)
            assert s.min() == 1
            with torch.no_grad():
                assert make(kind, backend, "hard", "atan", True).step(xs, None)[0].min() == 1
