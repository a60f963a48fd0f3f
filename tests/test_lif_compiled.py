"""The compiled LIF (backend "compiled": torch.compile's CPU code for the whole sequence) against the
step-by-step reference: the same spikes, and the same gradients for the input and PLIF's leak to float
rounding, for LIF, PLIF and IF, both resets, detached or not, each surrogate with each neuron kind (every
combination would compile 36 backward kernels: the surrogate is one term of the backward, tested in full
on the sequence path); "auto" takes it for sequences where a compiler is found, and a compiler failure
under "auto" falls back to the sequence path with one warning."""

import itertools

import pytest
import torch

from spikenas.snn import IF, LIF, PLIF, neurons
from spikenas.snn.functional import lif_compiled

from .test_lif_sequence import SURROGATES, assert_float32_agrees, assert_matches_the_reference

pytestmark = pytest.mark.skipif(not lif_compiled.available(), reason="no C++ compiler for torch.compile")

CASES = [(kind, reset, SURROGATES[i % 3], detach) for i, (kind, reset, detach) in
         enumerate(itertools.product(("lif", "plif", "if"), ("hard", "soft"), (True, False)))]


@pytest.mark.parametrize("kind,reset,surrogate,detach", CASES)
def test_compiled_matches_the_reference(kind, reset, surrogate, detach):
    s = assert_matches_the_reference("compiled", kind, reset, surrogate, detach, steps=5)
    assert type(s.grad_fn).__name__ == "CompiledLIFBackward"


def test_float32_spikes_identical_and_gradients_close_at_two_batch_sizes():
    torch.manual_seed(1)
    for batch in (8, 3):  # dynamic shapes: a last, smaller batch
        assert_float32_agrees("compiled", (4, batch, 16, 8, 8))


def test_auto_takes_the_compiled_kernels_for_sequences_with_or_without_a_gradient(monkeypatch):
    x = torch.randn(4, 2, 3, requires_grad=True)
    assert type(LIF()(x).grad_fn).__name__ == "CompiledLIFBackward"
    calls = []
    spikes = lif_compiled.spikes
    monkeypatch.setattr(lif_compiled, "spikes", lambda *a: calls.append(1) or spikes(*a))
    with torch.no_grad():  # evaluation and training-free scoring: the kernel without the membranes
        s = LIF()(x)
    assert s.grad_fn is None and calls == [1]
    assert torch.equal(s, LIF(backend="torch")(x).detach())
    LIF()(x[:1])  # one step: the reference
    assert calls == [1]


@pytest.mark.parametrize("kind,reset", list(itertools.product(("lif", "plif", "if"), ("hard", "soft"))))
def test_the_no_gradient_kernel_fires_the_spikes_of_the_training_one(kind, reset):
    """With no gradient to carry, the compiled forward leaves out the membranes the backward reads; its
    spikes are those of the kernel that keeps them (and of the reference), in the same layout."""
    torch.manual_seed(3)
    make = {"lif": lambda b: LIF(tau=1.7, reset=reset, backend=b), "plif": lambda b: PLIF(reset=reset, backend=b),
            "if": lambda b: IF(reset=reset, backend=b)}[kind]
    x_seq = (torch.randn(5, 3, 4, 6, 6) * 1.5).to(memory_format=torch.channels_last_3d)
    neuron, ref = make("compiled"), make("torch")
    with torch.no_grad():
        fast = neuron(x_seq)
    kept = neuron(x_seq.clone().requires_grad_())  # the training kernel
    assert type(kept.grad_fn).__name__ == "CompiledLIFBackward"
    assert torch.equal(fast, kept.detach()) and torch.equal(fast, ref(x_seq).detach())
    assert fast.stride() == kept.stride()


def test_a_compiler_failure_under_auto_falls_back_once_with_a_warning(monkeypatch):
    def broken(*args):
        raise RuntimeError("C++ compile error: cannot find Python.h\nmore detail")

    monkeypatch.setattr(lif_compiled.CompiledLIF, "apply", broken)
    monkeypatch.setattr(neurons, "_compile_failed", False)
    x = torch.randn(4, 2, 3, requires_grad=True)
    with pytest.warns(RuntimeWarning, match=r"cannot find Python.h\); using the sequence path"):
        s = LIF()(x)
    assert type(s.grad_fn).__name__ == "SequenceLIFBackward"
    assert type(LIF()(x).grad_fn).__name__ == "SequenceLIFBackward"  # no second attempt
    with pytest.raises(RuntimeError, match="cannot find Python.h"):
        LIF(backend="compiled")(x)  # asked for by name: the error is the user's to see


@pytest.mark.parametrize("layout", ["channels_last", "repeated over time"])
def test_spikes_keep_the_layout_the_reference_gives(layout):
    """A convolution after the neuron picks its algorithm (and so its rounding) by its input's layout: the
    compiled path lays its spikes out as the reference's elementwise operations do."""
    torch.manual_seed(2)
    x = torch.randn(6, 4, 5, 5) * 2
    if layout == "channels_last":
        x_seq = torch.stack([x, x * 0.5, x * 2]).permute(0, 1, 3, 4, 2).contiguous().permute(0, 1, 4, 2, 3)
    else:
        x_seq = x.to(memory_format=torch.channels_last).unsqueeze(0).expand(3, -1, -1, -1, -1)
    x_seq.requires_grad_()
    ref, compiled = LIF(backend="torch")(x_seq), LIF(backend="compiled")(x_seq)
    assert torch.equal(ref, compiled) and compiled.stride() == ref.stride()
    compiled.sum().backward()
    assert x_seq.grad.shape == x_seq.shape


def test_layers_of_any_rank_layout_or_gradient_share_one_kernel():
    """A network's layers ([T, B, F], [T, B, C, H, W] contiguous or channels-last, with a gradient or
    without) reuse one forward and one backward kernel (and one forward without membranes): Dynamo would
    otherwise guard on each view's base and recompile per layer, and after 8 stop compiling with a warning
    (seen in a DARTS supernet)."""
    torch.manual_seed(0)
    neuron = LIF(threshold=0.7, backend="compiled")  # a threshold no other test compiles for

    def run(x):
        s = neuron(x)
        if s.requires_grad:
            s.sum().backward()

    run(torch.randn(3, 2, 5, requires_grad=True))  # compiles the three kernels for this threshold
    run(torch.randn(3, 2, 5))
    inputs = [torch.randn(3, 4, 7), torch.randn(3, 2, 4, 6, 6, requires_grad=True),
              torch.randn(3, 2, 4, 6, 6).to(memory_format=torch.channels_last_3d).requires_grad_(),
              torch.randn(3, 5, 8, requires_grad=True)[:, 1:], torch.randn(3, 2, 4, 5, 5)]
    with torch._dynamo.config.patch(error_on_recompile=True):
        for x in inputs:
            run(x)


def test_auto_leaves_tensors_off_the_cpu_to_other_paths():
    """A meta tensor (the footprint estimate's) does not compile a kernel."""
    x = torch.empty(4, 2, 3, device="meta")
    assert LIF()._sequence_path(x, 0.5) is None
