"""`--compile` (training through torch.compile of the network): the compiled step computes what the module
computes (float64: the same loss and gradients to rounding), and `spikenas train --compile` records the
setting and learns as the uncompiled run does."""

import json

import pytest
import torch
import torch.nn.functional as F

from spikenas.models.baseline import SpikingVGG
from spikenas.snn.functional import lif_compiled
from spikenas.snn.neuron_config import NeuronConfig

pytestmark = pytest.mark.skipif(not lif_compiled.available(), reason="no C++ compiler for torch.compile")


@pytest.mark.parametrize("kind", ["lif", "plif"])
def test_a_compiled_network_gives_the_modules_loss_and_gradients(kind):
    torch.manual_seed(0)
    model = SpikingVGG((1, 12, 12), 10, 3, width=4, neuron=NeuronConfig(kind=kind)).double()
    x = torch.randn(3, 6, 1, 12, 12, dtype=torch.float64) * 2
    y = torch.randint(0, 10, (6,))
    results = []
    for runner in (model, torch.compile(model)):
        model.zero_grad(set_to_none=True)
        loss = F.cross_entropy(runner(x), y)
        loss.backward()
        results.append((loss.detach(), [p.grad.clone() for p in model.parameters()]))
    (loss_ref, grads_ref), (loss_c, grads_c) = results
    torch.testing.assert_close(loss_c, loss_ref, rtol=1e-10, atol=1e-12)
    for a, b in zip(grads_c, grads_ref, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-8, atol=1e-10)
    assert any(g.abs().sum() > 0 for g in grads_ref)


def test_train_with_compile_learns_as_without(cli, tmp_path):
    args = ["--dataset", "digits", "--epochs", "1", "--batch-size", "16", "--timesteps", "2", "--optimizer",
            "adamw", "--lr", "5e-3", "--quiet"]
    runs = {}
    for name, extra in (("plain", []), ("compiled", ["--compile"])):
        out = cli("train", *args, *extra, "--run", tmp_path / name)
        assert out.returncode == 0, out.stderr
        runs[name] = json.loads((tmp_path / name / "metrics.json").read_text())
    assert runs["compiled"]["config"]["compile_model"] and not runs["plain"]["config"]["compile_model"]
    assert runs["plain"]["test_accuracy"] > 0.9
    assert abs(runs["compiled"]["test_accuracy"] - runs["plain"]["test_accuracy"]) < 0.05
