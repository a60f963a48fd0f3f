"""One dropout for every network of a comparison: a genotype network takes `--dropout` where its space has a
dropout layer (SNASNet's classifier: the paper's 0.5 by default), a space without one refuses p > 0, and
`spikenas payoff` trains the baseline with the found network's dropout unless told another."""

import json

import numpy as np
import pytest

from spikenas import spaces
from spikenas.cli import train_cmd
from spikenas.cli.main import build_parser, main
from spikenas.errors import InputError
from spikenas.payoff.plan import one_dropout
from spikenas.train.run import build_model

SHAPE, CLASSES, T = (1, 8, 8), 10, 2


def _spec(space: str, **extra) -> dict:
    g = spaces.get(space).sample(np.random.default_rng(0))
    return {"name": "genotype", "space": space, "genotype": g.to_dict(), "channels": 8, **extra}


def test_a_snasnet_network_takes_the_dropout_given_and_the_papers_without_one():
    assert build_model(_spec("snasnet"), SHAPE, CLASSES, T).dropout.p == 0.5
    assert build_model(_spec("snasnet", dropout=0.0), SHAPE, CLASSES, T).dropout.p == 0.0
    assert build_model(_spec("snasnet", dropout=0.2), SHAPE, CLASSES, T).dropout.p == 0.2
    with pytest.raises(InputError, match="dropout"):
        build_model(_spec("snasnet", dropout=1.0), SHAPE, CLASSES, T)


def test_a_space_without_a_dropout_layer_refuses_one_and_takes_zero():
    assert build_model(_spec("mse", dropout=0.0), SHAPE, CLASSES, T) is not None
    with pytest.raises(InputError, match="mse space's networks have no dropout layer"):
        build_model(_spec("mse", dropout=0.3), SHAPE, CLASSES, T)


def test_the_command_line_gives_a_genotype_network_its_dropout_but_not_the_baselines_width(tmp_path, capsys):
    g = tmp_path / "g.json"
    g.write_text(spaces.get("snasnet").sample(np.random.default_rng(0)).to_json())
    args = build_parser().parse_args(["train", "--genotype", str(g), "--dropout", "0", "--run", str(tmp_path / "r")])
    model = train_cmd.settings_from_args(args)["model"]
    assert model["name"] == "genotype" and model["dropout"] == 0.0
    args = build_parser().parse_args(["train", "--genotype", str(g), "--run", str(tmp_path / "r")])
    assert "dropout" not in train_cmd.settings_from_args(args)["model"]  # the space's own
    assert main(["train", "--genotype", str(g), "--width", "8", "--dataset", "digits", "--run",
                 str(tmp_path / "w")]) == 2
    assert "--width: settings of the baseline" in capsys.readouterr().err
    assert not (tmp_path / "w").exists()


def test_payoff_gives_every_network_the_found_networks_dropout_or_the_one_given():
    assert one_dropout(spaces.get("snasnet"), None) == 0.5
    assert one_dropout(spaces.get("snasnet"), 0.0) == 0.0
    assert one_dropout(spaces.get("mse"), None) == 0.0 and one_dropout(spaces.get("mse"), 0.0) == 0.0
    with pytest.raises(InputError, match="--dropout 0.3: the mse space's networks have no dropout layer"):
        one_dropout(spaces.get("mse"), 0.3)


def test_a_payoff_plan_writes_one_dropout_into_every_model(tmp_path):
    run = tmp_path / "s"
    assert main(["search", "--candidates", "2", "--timesteps", "2", "--batch-size", "32", "--repeats", "1",
                 "--channels", "8", "--quiet", "--run", str(run)]) == 0
    assert main(["payoff", str(run), "--top", "1", "--random", "1", "--dropout", "0.25", "--epochs", "1",
                 "--timesteps", "2", "--train-samples", "40", "--batch-size", "16", "--eval-batch-size", "64",
                 "--quiet"]) == 0
    plan = json.loads((run / "payoff" / "config.json").read_text())["networks"]
    assert [n["name"] for n in plan] == ["found", "random1", "baseline"]
    assert all(n["model"]["dropout"] == 0.25 for n in plan)
    assert json.loads((run / "payoff" / "config.json").read_text())["payoff"]["dropout"] == 0.25
    trained = json.loads((run / "payoff" / "baseline" / "config.json").read_text())["model"]
    assert {k: v for k, v in trained.items() if k != "neuron"} == {"name": "baseline",
                                                                    "width": plan[-1]["model"]["width"],
                                                                    "dropout": 0.25}
