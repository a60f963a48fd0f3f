"""One neuron for every network of a comparison: `spikenas payoff` trains the baseline with the found
network's neuron (SNASNet's: the paper's LIF, tau 4/3), or with the settings given, writes it into the plan
so a resumed run trains as planned, refuses a different one on resume, and its report says which."""

import json
from dataclasses import asdict

import pytest

from spikenas import spaces
from spikenas.api import load
from spikenas.cli.main import main
from spikenas.errors import InputError
from spikenas.payoff.plan import one_neuron
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.snn.neurons import LIF
from spikenas.spaces.snasnet.network import PAPER_NEURON
from spikenas.viz.payoff_report import _neuron

PAYOFF = ["--top", "1", "--random", "1", "--epochs", "1", "--timesteps", "2", "--train-samples", "40",
          "--batch-size", "16", "--eval-batch-size", "64", "--quiet"]


def test_the_neuron_is_the_found_networks_own_with_the_settings_given_in_its_place():
    assert one_neuron(spaces.get("snasnet"), {}) == asdict(PAPER_NEURON)
    assert one_neuron(spaces.get("mse"), {}) == asdict(NeuronConfig())
    given = one_neuron(spaces.get("snasnet"), {"tau": 2.0, "reset": "soft"})
    assert given == {**asdict(PAPER_NEURON), "tau": 2.0, "reset": "soft"}
    with pytest.raises(InputError, match="--tau"):
        one_neuron(spaces.get("snasnet"), {"tau": 0.5})


def test_the_report_names_the_one_neuron_or_says_each_had_its_own():
    n = asdict(PAPER_NEURON)
    assert _neuron([{"neuron": n}, {"neuron": n}]) == ("neuron LIF with tau 1.33, threshold 1, hard reset and atan "
                                                       "surrogate for every network")
    assert "each network's own" in _neuron([{"name": "genotype"}, {"name": "baseline"}])
    assert "each network's own" in _neuron([{"neuron": n}, {"neuron": {**n, "tau": 2.0}}])


def _lif_taus(run) -> set:
    model, _ = load(run)
    return {m.tau for m in model.modules() if isinstance(m, LIF)}


def test_a_snasnet_payoff_trains_the_baseline_with_the_papers_neuron_and_keeps_it_on_resume(tmp_path, capsys):
    run = tmp_path / "s"
    assert main(["search", "--candidates", "2", "--timesteps", "2", "--batch-size", "32", "--repeats", "1",
                 "--channels", "8", "--quiet", "--run", str(run)]) == 0
    assert main(["payoff", str(run), *PAYOFF]) == 0
    saved = json.loads((run / "payoff" / "config.json").read_text())
    assert saved["neuron"] == asdict(PAPER_NEURON)
    assert all(n["model"]["neuron"] == asdict(PAPER_NEURON) for n in saved["networks"])
    assert json.loads((run / "payoff" / "baseline" / "config.json").read_text())["model"]["neuron"] == \
        asdict(PAPER_NEURON)
    assert _lif_taus(run / "payoff" / "baseline") == {4 / 3}
    assert _lif_taus(run / "payoff" / "random1") == {4 / 3}
    before = (run / "payoff" / "payoff.json").read_bytes()
    capsys.readouterr()
    assert main(["payoff", str(run), "--resume", "--tau", "2", "--quiet"]) == 2
    assert "--tau 2.0 differs from the payoff run's neuron setting (1.333)" in capsys.readouterr().err
    assert (run / "payoff" / "payoff.json").read_bytes() == before
    assert "neuron LIF with tau 1.33" in (run / "report.html").read_text()


def test_payoff_tau_gives_every_network_that_tau(tmp_path):
    run = tmp_path / "s"
    assert main(["search", "--candidates", "2", "--timesteps", "2", "--batch-size", "32", "--repeats", "1",
                 "--channels", "8", "--quiet", "--run", str(run)]) == 0
    assert main(["payoff", str(run), *PAYOFF, "--random", "0", "--tau", "2"]) == 0
    plan = json.loads((run / "payoff" / "config.json").read_text())["networks"]
    assert [n["name"] for n in plan] == ["found", "baseline"]
    assert all(n["model"]["neuron"]["tau"] == 2.0 for n in plan)
    assert _lif_taus(run / "payoff" / "found") == _lif_taus(run / "payoff" / "baseline") == {2.0}
