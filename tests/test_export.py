"""Export: a SNASNet network with feedback edges as NIR, read back with nir.read and run by a plain NIR
interpreter written here from the NIR conventions (dt = 1), gives the PyTorch network's logits; TorchScript
gives them for every space; what NIR cannot express is refused in one line; the command writes each format
from a training run."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from spikenas import spaces
from spikenas.cells import share_duplicate_neurons
from spikenas.errors import InputError
from spikenas.export import to_torchscript
from spikenas.export.nir_graph import to_nir
from spikenas.models.baseline import SpikingVGG
from spikenas.snn.neuron_config import NeuronConfig

nir = pytest.importorskip("nir")


def run_nir(graph, x: np.ndarray, timesteps: int) -> np.ndarray:
    """Logits of a NIR graph on images x [B, C, H, W] given at every step: the outputs averaged over time.
    Each node's input is the sum of its sources' outputs; a Delay gives what it received a step before."""
    preds = {n: [s for s, d in graph.edges if d == n] for n in graph.nodes}
    state, delayed, outs = {}, {}, []
    for _ in range(timesteps):
        value = {n: delayed.get(n, 0.0) for n, node in graph.nodes.items() if isinstance(node, nir.Delay)}
        value["input"] = x
        while len(value) < len(graph.nodes):
            for n, node in graph.nodes.items():
                if n in value or any(p not in value for p in preds[n]):
                    continue
                i = sum(value[p] for p in preds[n])
                value[n] = step(node, i, state, n)
        delayed = {n: sum(value[p] for p in preds[n]) for n, node in graph.nodes.items()
                   if isinstance(node, nir.Delay)}
        outs.append(value["output"])
    return np.mean(outs, 0)


def step(node, i, state, name):
    t = np.asarray(i, dtype=np.float64)
    if isinstance(node, (nir.Input, nir.Output)):
        return t
    if isinstance(node, nir.Conv2d):
        w, bias = (torch.as_tensor(np.asarray(a, np.float64)) for a in (node.weight, node.bias))
        return F.conv2d(torch.from_numpy(t), w, bias, _pair(node.stride), _pair(node.padding), _pair(node.dilation),
                        int(node.groups)).numpy()
    if isinstance(node, (nir.LIF, nir.IF)):
        v = state.get(name, np.zeros_like(t))
        if isinstance(node, nir.LIF):
            h = v + (node.v_leak - v + node.r * t) / node.tau
        else:
            h = v + node.r * t
        s = (h >= node.v_threshold).astype(np.float64)
        state[name] = h * (1 - s) + node.v_reset * s
        return s
    if isinstance(node, nir.AvgPool2d):
        return F.avg_pool2d(torch.from_numpy(t), _pair(node.kernel_size), _pair(node.stride),
                            _pair(node.padding)).numpy()
    if isinstance(node, nir.Flatten):
        return t.reshape(t.shape[0], -1)
    if isinstance(node, nir.Affine):
        return t @ np.asarray(node.weight, np.float64).T + node.bias
    if isinstance(node, nir.Linear):
        return t @ np.asarray(node.weight, np.float64).T
    if isinstance(node, nir.Scale):
        return t * node.scale
    raise AssertionError(f"no rule for {type(node).__name__}")


def _pair(v) -> tuple[int, int]:
    a = np.atleast_1d(np.asarray(v)).astype(int).tolist()
    return (a[0], a[0]) if len(a) == 1 else (a[0], a[1])


def _unusual_bn(model) -> None:
    """Batch-norm statistics and affine values far from the identity, so folding them is tested."""
    g = torch.Generator().manual_seed(3)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.2)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g) * 0.2)


def _snasnet_with_feedback(hidden: int = 1024):
    space = spaces.get("snasnet", hidden=hidden)
    rng = np.random.default_rng(0)
    while True:
        g = space.sample(rng)
        if g.backward_edges() and any(v in (3,) for row in g.matrix for v in row):  # a conv edge too
            return g


@pytest.mark.parametrize("which", ["snasnet", "snasnet-hidden0", "snasnet-shared", "baseline"])
def test_nir_round_trip_runs_like_the_network(which, tmp_path):
    torch.manual_seed(0)
    T, shape = 3, (1, 8, 8)
    if which.startswith("snasnet"):
        genotype = _snasnet_with_feedback(0 if which.endswith("hidden0") else 1024)
        if which.endswith("shared"):  # node 0 feeds two convolutions through one neuron (cells.graph_cell)
            genotype = spaces.get("snasnet").genotype_from_dict(
                {"space": "snasnet", "matrix": [[0, 3, 1, 3], [0, 0, 2, 0], [0, 0, 0, 3], [0, 3, 0, 0]]})
        model = spaces.get("snasnet").build(genotype, shape, 10, T, channels=8,
                                            neuron=NeuronConfig(tau=2.0, threshold=0.3))
        if which.endswith("shared"):
            assert share_duplicate_neurons(model) == 2
        for fc in (model.fc1, model.fc2):  # the paper's initial std lets no spike reach the votes
            if fc is not None:
                torch.nn.init.normal_(fc.module.weight, 0, 0.5)
    else:
        model = SpikingVGG(shape, 10, T, width=8, neuron=NeuronConfig(kind="lif", tau=2.0, threshold=0.1))
    _unusual_bn(model)
    model = model.double().eval()
    about = {"input_shape": shape, "timesteps": T, "trained": False, "classes": 10}
    graph = to_nir(model, about)
    nir.write(tmp_path / "m.nir", graph)
    back = nir.read(tmp_path / "m.nir")
    assert set(back.nodes) == set(graph.nodes) and sorted(back.edges) == sorted(graph.edges)
    if which.startswith("snasnet"):
        assert ("fc1" in back.nodes) == (not which.endswith("hidden0"))
        assert any(isinstance(n, nir.Delay) for n in back.nodes.values())
        assert ("cell1.node0_0_1.lif" in back.nodes) == (which == "snasnet-shared")
        conv, bn = model.stem[0], model.stem[1]
        folded = conv.weight * (bn.weight / torch.sqrt(bn.running_var + bn.eps))[:, None, None, None]
        assert np.allclose(back.nodes["stem"].weight, folded.detach().numpy(), atol=1e-6)
    x = torch.rand(4, *shape, dtype=torch.float64) * 2
    with torch.no_grad():
        want = model(x).numpy()
    assert np.ptp(want, axis=0).max() > 1e-3  # the samples differ: spikes reached the readout
    got = run_nir(back, x.numpy(), T)
    assert np.allclose(got, want, atol=1e-4), np.abs(got - want).max()


def test_what_nir_cannot_express_is_refused():
    about = {"input_shape": (1, 8, 8), "timesteps": 2, "trained": False, "classes": 10}
    soft = SpikingVGG((1, 8, 8), 10, 2, width=4, neuron=NeuronConfig(reset="soft")).eval()
    with pytest.raises(InputError, match="resets softly"):
        to_nir(soft, about)
    mse = spaces.get("mse")
    rng = np.random.default_rng(0)
    for _ in range(50):
        net = mse.build(mse.sample(rng), (1, 8, 8), 10, 2, channels=8)
        if any(getattr(m, "sign", None) for m in net.modules()):
            break
    with pytest.raises(InputError, match="signed"):
        to_nir(net.eval(), about)
    snasnet = spaces.get("snasnet")
    per_step = snasnet.build(snasnet.genotype_from_dict({"matrix": [[0, 3, 0, 2], [0, 0, 2, 0], [1, 0, 0, 0],
                                                                    [0, 2, 0, 0]], "step_bn": True}),
                             (1, 8, 8), 10, 2, channels=8)
    with pytest.raises(InputError, match="normalises each timestep apart.*--format torchscript"):
        to_nir(per_step.eval(), about)


@pytest.mark.parametrize("space_name", ["snasnet", "snasnet-step-bn", "mse", "darts"])
def test_torchscript_gives_the_same_logits(space_name, tmp_path):
    torch.manual_seed(0)
    options = {"darts": {"layers": 3}, "snasnet-step-bn": {"step_bn": True}}.get(space_name, {})
    space = spaces.get(space_name.removesuffix("-step-bn"), **options)
    genotype = space.sample(np.random.default_rng(1))
    if space_name == "snasnet-step-bn":  # a cell with feedback edges, where the option counts
        genotype = space.genotype_from_dict({"matrix": [[0, 3, 0, 2], [0, 0, 2, 0], [1, 0, 0, 0], [0, 2, 0, 0]],
                                             "step_bn": True})
    model = space.build(genotype, (1, 12, 12), 10, 3, channels=8).eval()
    shared = share_duplicate_neurons(model)  # as a trained network is built
    assert shared or space_name != "snasnet-step-bn"  # its node 0 feeds two convolutions
    about = {"input_shape": (1, 12, 12), "timesteps": 3}
    to_torchscript(model, about, tmp_path / "m.pt")
    loaded = torch.jit.load(str(tmp_path / "m.pt"))
    x = torch.randn(5, 1, 12, 12)  # another batch size than the trace's
    with torch.no_grad():
        assert torch.allclose(loaded(x), model(x), atol=1e-5)


def test_the_export_command_writes_a_trained_network(cli, tmp_path):
    run = tmp_path / "t"
    assert cli("train", "--dataset", "digits", "--epochs", "1", "--timesteps", "2", "--width", "4",
               "--batch-size", "256", "--quiet", "--run", run).returncode == 0
    out = cli("export", run, "--format", "nir")
    assert out.returncode == 0, out.stderr
    graph = nir.read(run / "model.nir")
    state = torch.load(run / "checkpoint.pt", weights_only=False)["model"]
    assert np.allclose(graph.nodes["head.fc"].weight, state["head.module.2.weight"].numpy(), atol=1e-6)
    out = cli("export", run, "--format", "torchscript", "--out", tmp_path / "m.pt")
    assert out.returncode == 0 and (tmp_path / "m.pt").stat().st_size > 0
    assert json.loads((run / "metrics.json").read_text())["input_shape"] == [1, 8, 8]
    bad = cli("export", run, "--format", "nope")
    assert bad.returncode == 2 and "--format" in bad.stderr



def test_a_trained_snasnet_network_exports_to_nir(cli, tmp_path):
    search, run = tmp_path / "s", tmp_path / "t"
    assert cli("search", "--candidates", "3", "--timesteps", "2", "--batch-size", "32", "--repeats", "1",
               "--channels", "8", "--quiet", "--run", search).returncode == 0
    assert cli("train", "--genotype", search / "best.json", "--dataset", "digits", "--epochs", "1", "--timesteps",
               "2", "--batch-size", "256", "--quiet", "--run", run).returncode == 0
    out = cli("export", run, "--format", "nir", "--out", tmp_path / "snas.nir")
    assert out.returncode == 0, out.stderr
    graph = nir.read(tmp_path / "snas.nir")
    state = torch.load(run / "checkpoint.pt", weights_only=False)["model"]
    assert np.allclose(graph.nodes["fc1"].weight, state["fc1.module.weight"].numpy(), atol=1e-6)
    assert "trained weights" in out.stdout and graph.metadata.get("trained") in (True, 1)
