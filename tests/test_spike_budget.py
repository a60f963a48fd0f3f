"""A spike budget for a search (`--max-spikes`): a candidate firing more spikes per sample at initialisation is
stored as failed with what it measured, never chosen, bred from or put on a front; the rest of the search is
the one without a budget; payoff draws its random networks from the same part of the space."""

import json

import numpy as np
import pytest

from spikenas.cli.main import main
from spikenas.payoff.plan import _results, draws_within_budget
from spikenas.search.config import SearchConfig
from spikenas.search.store import Store

SMALL = ["--timesteps", "2", "--batch-size", "32", "--repeats", "1", "--channels", "8", "--quiet"]


def _trials(run):
    store = Store(run / "search.sqlite", readonly=True)
    try:
        return store.trials()
    finally:
        store.close()


@pytest.fixture(scope="module")
def free(tmp_path_factory):
    run = tmp_path_factory.mktemp("budget") / "free"
    assert main(["search", "--candidates", "8", *SMALL, "--run", str(run)]) == 0
    return run


def test_a_budgeted_search_chooses_the_best_candidate_within_it(free, tmp_path, capsys):
    trials = _trials(free)
    spikes = sorted(t.values["spikes"] for t in trials if t.ok)
    budget = spikes[len(spikes) // 2]
    run = tmp_path / "b"
    assert main(["search", "--candidates", "8", *SMALL, "--max-spikes", str(budget), "--run", str(run)]) == 0
    out = capsys.readouterr().out
    within = [t for t in trials if t.ok and t.values["spikes"] <= budget]
    over = [t for t in trials if t.ok and t.values["spikes"] > budget]
    assert within and over and f"{len(over)} over --max-spikes" in out
    best = json.loads((run / "best.json").read_text())
    expect = max(within, key=lambda t: (t.score, -t.idx))
    assert best["candidate"] == expect.idx and best["spikes_per_sample_at_init"] <= budget
    budgeted = {t.idx: t for t in _trials(run)}
    for t in over:  # refused, with the reason and what it measured
        b = budgeted[t.idx]
        assert b.state == "failed" and b.error.startswith("over the spike budget: more than --max-spikes")
        assert b.metrics["spikes"] == pytest.approx(t.values["spikes"]) and b.metrics["score"] == t.score
    for t in within:  # the same candidates, the same results
        assert budgeted[t.idx].ok and budgeted[t.idx].values == t.values


def test_a_budget_no_candidate_meets_is_one_line_and_status_2(free, tmp_path, capsys):
    run = tmp_path / "none"
    assert main(["search", "--candidates", "3", *SMALL, "--max-spikes", "1", "--run", str(run)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no candidate within --max-spikes 1: the sparsest fired") and err.count("\n") == 1


def test_evolution_and_nsga2_never_keep_a_candidate_over_the_budget(free, tmp_path):
    spikes = sorted(t.values["spikes"] for t in _trials(free) if t.ok)
    budget = str(spikes[len(spikes) // 2])
    evo = tmp_path / "evo"
    assert main(["search", "--strategy", "evolution", "--population", "4", "--sample", "2", "--candidates", "10",
                 *SMALL, "--max-spikes", budget, "--run", str(evo)]) == 0
    assert json.loads((evo / "best.json").read_text())["spikes_per_sample_at_init"] <= float(budget)
    nsga = tmp_path / "nsga"
    assert main(["search", "--strategy", "nsga2", "--generations", "1", "--population", "4", "--offspring", "4",
                 *SMALL, "--max-spikes", budget, "--run", str(nsga)]) == 0
    front = json.loads((nsga / "front.json").read_text())["front"]
    assert front and all(m["spikes_per_sample_at_init"] <= float(budget) for m in front)


def test_a_training_strategy_refuses_a_spike_budget(tmp_path, capsys):
    assert main(["search", "--space", "darts", "--strategy", "darts", "--max-spikes", "100", "--quiet",
                 "--run", str(tmp_path / "d")]) == 2
    assert "--max-spikes" in capsys.readouterr().err and not (tmp_path / "d").exists()


def test_payoff_draws_random_networks_within_the_budget(free):
    cfg = SearchConfig.from_dict({**json.loads((free / "config.json").read_text()), "max_spikes": None})
    spikes = sorted(t.values["spikes"] for t in _trials(free) if t.ok)
    cfg.max_spikes = spikes[len(spikes) // 2]
    drawn, scores = draws_within_budget(cfg, 3, np.random.default_rng(0), "cpu")
    assert len({g.hash() for g in drawn}) == 3 and all("sahd" in s for s in scores)
    assert all(r["spikes"] <= cfg.max_spikes for r in _results(cfg, drawn, "cpu"))
