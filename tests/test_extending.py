"""A new space is one class and one registry line: a toy space, written here in a few lines, runs random
search and evolution through the ordinary command line, with nothing edited anywhere else."""

import json
from dataclasses import dataclass

import pytest
import torch
from torch import nn

from spikenas import spaces
from spikenas.cells import OPS, CellGraph, DirectStem, Edge, GraphCell
from spikenas.cli.main import main
from spikenas.options import Options, option
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.spaces.base import SpaceBase
from spikenas.spaces.genotype import stable_hash

from .stored import trial_rows


@dataclass(frozen=True)
class ChainGenotype:
    ops: tuple[str, ...]  # one op per edge of a chain 0 -> 1 -> ... -> n

    def to_dict(self):
        return {"space": "toy", "ops": list(self.ops)}

    def to_json(self):
        return json.dumps(self.to_dict())

    def hash(self):
        return stable_hash(self.to_dict())


@dataclass
class ChainOptions(Options):
    length: int = option(2, "toy: edges in the chain", low=1, high=16)


class ChainSpace(SpaceBase):
    name, Options = "toy", ChainOptions
    choices = ("identity", "lif_conv3x3_bn", "avgpool3x3", "maxpool3x3")

    def __init__(self, options=None):
        self.options = options or ChainOptions()

    def genotype_from_dict(self, d):
        return ChainGenotype(tuple(d["ops"]))

    def sample(self, rng):
        return ChainGenotype(tuple(self.choices[int(rng.integers(4))] for _ in range(self.options.length)))

    def mutate(self, g, rng):
        i, ops = int(rng.integers(len(g.ops))), list(g.ops)
        ops[i] = self.choices[(self.choices.index(ops[i]) + 1 + int(rng.integers(3))) % 4]
        return ChainGenotype(tuple(ops))

    def crossover(self, a, b, rng):
        return ChainGenotype(tuple(x if rng.integers(2) else y for x, y in zip(a.ops, b.ops, strict=True)))

    def build(self, g, input_shape, num_classes, timesteps, channels=None, neuron=None, pool=None):
        C = channels or 8
        graph = CellGraph(len(g.ops) + 1, tuple(Edge(i, i + 1, op) for i, op in enumerate(g.ops)), (len(g.ops),))
        return ChainNet(input_shape, C, timesteps, num_classes, GraphCell(graph, C, neuron or NeuronConfig(),
                                                                          pool=pool))


class ChainNet(nn.Module):
    def __init__(self, input_shape, C, timesteps, num_classes, cell):
        super().__init__()
        self.stem, self.cell = DirectStem(input_shape[0], C, timesteps), cell
        self.head_lif, self.fc = NeuronConfig().make(), nn.Linear(C, num_classes)

    def reset_parameters(self):
        for m in self.modules():
            if m is not self and hasattr(m, "reset_parameters"):
                m.reset_parameters()

    def forward(self, x):
        return self.fc(self.head_lif(self.cell(self.stem(x))).mean((-2, -1))).mean(0)


@pytest.mark.parametrize("strategy", ["random", "evolution"])
def test_a_toy_space_registered_in_a_test_runs_random_search_and_evolution(tmp_path, monkeypatch, strategy, capsys):
    monkeypatch.setitem(spaces.SPACES, "toy", ChainSpace)
    extra = ["--population", "4", "--sample", "2"] if strategy == "evolution" else []
    args = ["search", "--space", "toy", "--length", "3", "--strategy", strategy, "--dataset", "digits",
            "--candidates", "10", "--timesteps", "2", "--batch-size", "32", "--quiet", *extra]
    assert main([*args, "--run", str(tmp_path / "a")]) == 0
    rows = trial_rows(tmp_path / "a")
    assert len(rows) == 10 and len({r[1] for r in rows}) == 10 and all(r[5] == "ok" for r in rows)
    best = json.loads((tmp_path / "a" / "best.json").read_text())
    assert best["score"] == max(r[2] for r in rows) and len(best["genotype"]["ops"]) == 3
    assert json.loads((tmp_path / "a" / "config.json").read_text())["space_options"] == {"length": 3}
    assert main([*args, "--run", str(tmp_path / "b")]) == 0  # the same seed, the same search
    assert trial_rows(tmp_path / "b") == rows


def test_ops_carry_their_own_settings():
    """An edge's neuron settings (a threshold per op) reach that op's neuron alone; pooled ops of other
    settings are never handed out for it."""
    from spikenas.cells import OpPool

    graph = CellGraph(3, (Edge(0, 1, "lif_conv3x3_bn", params=(("threshold", 0.5),)),
                          Edge(1, 2, "lif_conv3x3_bn", params=(("threshold", 1.5), ("sign", "E")))), (2,))
    pool = OpPool()
    cell = GraphCell(graph, 4, NeuronConfig(threshold=1.0), pool=pool)
    assert [cell.ops[k].neuron.threshold for k in ("0_1", "1_2")] == [0.5, 1.5] and cell.ops["1_2"].sign == "E"
    pool.start()
    swapped = CellGraph(3, (Edge(0, 1, "lif_conv3x3_bn", params=(("threshold", 1.5),)),
                            Edge(1, 2, "lif_conv3x3_bn", params=(("threshold", 0.5),))), (2,))
    again = GraphCell(swapped, 4, NeuronConfig(threshold=1.0), pool=pool)
    assert [again.ops[k].neuron.threshold for k in ("0_1", "1_2")] == [1.5, 0.5] and again.ops["0_1"].sign is None
    with pytest.raises(ValueError, match="takes no setting threshold"):
        GraphCell(CellGraph(2, (Edge(0, 1, "avgpool3x3", params=(("threshold", 0.5),)),), (1,)), 4, NeuronConfig())
    assert {"zero", "identity", "lif_conv1x1_bn", "lif_conv3x3_bn", "lif_conv5x5_bn", "lif_dilconv3x3_bn",
            "avgpool3x3", "maxpool3x3"} <= set(OPS)


@pytest.mark.parametrize("space_name", ["snasnet", "mse"])
def test_several_scores_from_one_forward_pass(space_name):
    import numpy as np

    from spikenas.search.scoring import Networks, score_network

    space = spaces.get(space_name)
    build = {"input_shape": (1, 8, 8), "num_classes": 10, "timesteps": 3, "channels": 8}
    x = [torch.randn(16, 1, 8, 8, generator=torch.Generator().manual_seed(0))]
    y = [torch.arange(16) % 10]  # RDM's default reduction (rsa) reads the labels
    g = space.sample(np.random.default_rng(1))
    nets = Networks(space, build, torch.device("cpu"), reuse=False)
    try:
        sahd, spikes = score_network(nets.get(g, 0), x, "sahd")
    except ValueError:
        pytest.skip("a readout that never fires")
    rdm, _ = score_network(nets.get(g, 0), x, "rdm", labels=y)
    both, spikes2 = score_network(nets.get(g, 0), x, [("sahd", None), ("rdm", None)], labels=y)
    assert both == {"sahd": sahd, "rdm": rdm} and spikes2 == spikes


@pytest.mark.parametrize("space_name", ["snasnet", "mse"])
def test_a_channels_last_input_gives_the_same_result(space_name):
    """On the CPU a train-mode BN after a channels-last tensor differs in the last bits, enough to flip
    spikes: the stem makes its input contiguous, so a network's result does not depend on the input's layout."""
    import numpy as np

    space = spaces.get(space_name)
    g = space.sample(np.random.default_rng(2))
    net = space.build(g, (3, 8, 8), 10, 3, channels=8).train()
    x = torch.randn(16, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.manual_seed(0)
        a = net(x)
        torch.manual_seed(0)
        b = net(x.to(memory_format=torch.channels_last))
    assert torch.equal(a, b)


def test_time_dropout_shares_or_redraws_its_mask():
    from spikenas.snn.layers import TimeDropout

    x = torch.ones(4, 64, 32)
    shared, per_step = TimeDropout(0.5).train()(x), TimeDropout(0.5, per_step=True).train()(x)
    assert all(torch.equal(shared[0], shared[t]) for t in range(4))
    assert not all(torch.equal(per_step[0], per_step[t]) for t in range(4))


def test_training_takes_its_step_as_a_parameter(tmp_path):
    """A custom per-batch step (here the default one, counted) runs inside the same loop."""
    from spikenas import data
    from spikenas.models.baseline import SpikingVGG
    from spikenas.train.config import TrainConfig
    from spikenas.train.trainer import fit, supervised_step

    cfg = TrainConfig(epochs=1, batch_size=64, timesteps=2, device="cpu")
    x, y = data.load("digits", None, "train")
    xt, yt = data.load("digits", None, "test")
    mean, std = data.channel_stats(x)
    train = data.DeviceBatches(x[:256], y[:256], 64, "cpu", mean, std, shuffle=True, seed=0)
    test = data.DeviceBatches(xt[:128], yt[:128], 128, "cpu", mean, std)
    calls = []
    plain = supervised_step(cfg, torch.device("cpu"))

    def counted(model, opt, xb, yb):
        calls.append(len(yb))
        return plain(model, opt, xb, yb)

    metrics = fit(SpikingVGG((1, 8, 8), 10, 2, width=8), train, test, cfg, tmp_path, show_progress=False,
                  step=counted)
    assert calls == [64] * 4 and metrics["epochs_done"] == 1
