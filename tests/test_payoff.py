"""`spikenas payoff`: the search's networks, random draws and the baseline trained with one recipe; rank
agreement and found-versus-random in payoff.json and the report; a kill between networks resumes to the
same result; bad input refused before anything is written."""

import json
import shutil

import numpy as np
import pytest

import spikenas.payoff.run as payoff_run
from spikenas.cli.main import main
from spikenas.models.baseline import SpikingVGG
from spikenas.payoff.plan import covering_width, network_size, score_genotypes
from spikenas.payoff.ranks import average_ranks, kendall_tau, spearman_rho
from spikenas.search.config import SearchConfig

RECIPE = ["--epochs", "1", "--timesteps", "2", "--batch-size", "64", "--optimizer", "adamw", "--lr", "2e-3",
          "--train-samples", "600", "--eval-batch-size", "400", "--quiet"]


def test_ranks_agree_with_scipy_with_and_without_ties():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(0)
    for n in (3, 7, 30):
        for ties in (False, True):
            xs, ys = rng.normal(size=n), rng.normal(size=n)
            if ties:
                xs, ys = np.round(xs), np.round(ys * 2)
            tau, rho = kendall_tau(list(xs), list(ys)), spearman_rho(list(xs), list(ys))
            assert tau == pytest.approx(stats.kendalltau(xs, ys).statistic, abs=1e-12)
            assert rho == pytest.approx(stats.spearmanr(xs, ys).statistic, abs=1e-12)


def test_ranks_by_hand():
    assert kendall_tau([1, 2, 3], [1, 2, 3]) == 1.0 and kendall_tau([1, 2, 3], [3, 2, 1]) == -1.0
    assert spearman_rho([1, 2, 3, 4], [10, 20, 40, 30]) == pytest.approx(0.8)
    assert average_ranks([5.0, float("-inf"), 5.0, 1.0]) == [3.5, 1.0, 3.5, 2.0]
    assert kendall_tau([1, 1, 1], [1, 2, 3]) is None and spearman_rho([1, 2], [4, 4]) is None


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    run = tmp_path_factory.mktemp("payoff") / "s"
    assert main(["search", "--candidates", "6", "--timesteps", "2", "--batch-size", "64", "--repeats", "1",
                 "--channels", "8", "--also-score", "rdm", "--quiet", "--run", str(run)]) == 0
    return run


def test_payoff_trains_found_next_best_random_and_baseline(search, tmp_path):
    run = tmp_path / "s"
    shutil.copytree(search, run)
    assert main(["payoff", str(run), "--top", "2", "--random", "2", *RECIPE]) == 0
    summary = json.loads((run / "payoff" / "payoff.json").read_text())
    rows = {r["name"]: r for r in summary["networks"]}
    assert list(rows) == ["found", "top2", "random1", "random2", "baseline"]
    assert all(r["status"] == "done" and r["test_accuracy"] is not None for r in rows.values())
    best = json.loads((run / "best.json").read_text())
    assert rows["found"]["score"] == best["score"] and rows["found"]["parameters"] == best["parameters"]
    assert all(r["score"] is not None for n, r in rows.items() if n != "baseline")
    assert rows["baseline"]["score"] is None
    corr = summary["correlations"]  # the search's score, its --also-score, the trivial proxies
    assert list(corr) == ["sahd", "rdm", "parameters", "convolutions"]
    assert all(c["networks"] == 4 for c in corr.values())  # the scored networks, not the baseline
    assert all(set(rows[n]["scores"]) == {"sahd", "rdm"} for n in rows if n != "baseline")
    comp = summary["comparison"]
    randoms = [rows["random1"]["test_accuracy"], rows["random2"]["test_accuracy"]]
    assert comp["random_mean"] == pytest.approx(np.mean(randoms))
    assert comp["random_spread"] == pytest.approx(np.std(randoms, ddof=1))
    assert "random draws" in comp["verdict"] and "baseline" in comp["verdict"]
    for name in rows:  # each network is an ordinary training run with the hold-out
        m = json.loads((run / "payoff" / name / "metrics.json").read_text())
        assert m["samples"]["train"] == 600 and m["samples"]["validation"] == round(0.1 * 1437)
    page = (run / "report.html").read_text()
    assert "Did the search pay?" in page and "Kendall tau" in page
    assert "dropout 0.5 for every network" in page  # the SNASNet skeleton's own, the baseline's too
    assert main(["report", str(run / "payoff")]) == 0


def test_random_draws_are_scored_as_the_search_scored_its_candidates(search):
    cfg = SearchConfig.from_dict(json.loads((search / "config.json").read_text()))
    best = json.loads((search / "best.json").read_text())
    again = score_genotypes(cfg, [cfg.space_obj.genotype_from_dict(best["genotype"])], "cpu")
    assert again[0]["sahd"] == pytest.approx(best["score"], rel=1e-9)


def test_a_payoff_killed_between_networks_resumes_to_the_same_result(search, tmp_path, monkeypatch):
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    shutil.copytree(search, whole)
    shutil.copytree(search, cut)
    args = ["--top", "1", "--random", "2", "--baseline-width", "3", *RECIPE]
    assert main(["payoff", str(whole), *args]) == 0
    train, calls = payoff_run.run_training, []

    def killed_on_the_third(*a, **k):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return train(*a, **k)

    monkeypatch.setattr(payoff_run, "run_training", killed_on_the_third)
    assert main(["payoff", str(cut), *args]) == 130
    partial = json.loads((cut / "payoff" / "payoff.json").read_text())
    assert [r["status"] for r in partial["networks"]] == ["done", "done", "waiting", "waiting"]
    monkeypatch.setattr(payoff_run, "run_training", train)
    assert main(["payoff", str(cut), "--resume", "--epochs", "2", "--quiet"]) == 2  # the recipe cannot change
    assert main(["payoff", str(cut), "--resume", "--random", "3", "--quiet"]) == 2  # nor the plan
    assert main(["payoff", str(cut), "--resume", "--quiet"]) == 0  # left out: the saved ones

    def result(run):
        rows = json.loads((run / "payoff" / "payoff.json").read_text())["networks"]
        return [{k: v for k, v in r.items() if k != "wall_time_s"} for r in rows]

    assert result(cut) == result(whole)


def test_refused_payoffs_write_nothing(search, tmp_path, capsys):
    run = tmp_path / "s"
    shutil.copytree(search, run)
    for argv, said in ((["--val-split", "0"], "--val-split"), (["--front"], "front.json"),
                       (["--resume"], "no payoff run"), (["--train-samples", "5000"], "--train-samples")):
        assert main(["payoff", str(run), *RECIPE, *argv]) == 2
        assert said in capsys.readouterr().err
        assert not (run / "payoff").exists()
    assert main(["payoff", str(run / "nope"), "--quiet"]) == 2
    (run / "best.json").unlink()
    assert main(["payoff", str(run), "--quiet"]) == 2 and "no best.json" in capsys.readouterr().err


def test_front_trains_every_member_of_an_nsga2_front(tmp_path):
    run = tmp_path / "n"
    assert main(["search", "--strategy", "nsga2", "--generations", "1", "--population", "4", "--offspring", "4",
                 "--timesteps", "2", "--batch-size", "64", "--repeats", "1", "--channels", "8", "--quiet",
                 "--run", str(run)]) == 0
    front = json.loads((run / "front.json").read_text())
    assert main(["payoff", str(run), "--front", "--random", "0", "--baseline-width", "0", *RECIPE]) == 0
    rows = json.loads((run / "payoff" / "payoff.json").read_text())["networks"]
    assert rows[0]["name"] == "found" and all(r["kind"] == "front" for r in rows[1:])
    assert len(rows) == len(front["front"])  # the chosen member and every other one, once each
    assert sorted(r["score"] for r in rows) == sorted(m["score"] for m in front["front"])


def test_random_draws_are_different_networks():
    import numpy as np
    import pytest

    from spikenas import spaces
    from spikenas.errors import InputError
    from spikenas.payoff.plan import distinct_draws

    space = spaces.get("snasnet")
    rng = np.random.default_rng(1)
    plain = [space.sample(rng).hash() for _ in range(40)]
    assert len(set(plain)) < 40  # the pruned space repeats its small cells
    drawn = distinct_draws(space, 40, np.random.default_rng(1))
    assert len({g.hash() for g in drawn}) == 40

    class Two:
        name = "two-network"

        def sample(self, rng):
            return space.genotype_from_dict({"space": "snasnet", "matrix": [[0, 0, 0, int(rng.integers(1, 3))],
                                                                            [0] * 4, [0] * 4, [0] * 4]})

    with pytest.raises(InputError, match="--random 3: 2 different networks"):
        distinct_draws(Two(), 3, np.random.default_rng(0))


@pytest.mark.parametrize("params", [1, 20_000, 45_242, 59_562])
def test_the_default_baseline_is_the_narrowest_with_at_least_the_found_networks_parameters(params):
    """So a found network that matches the baseline does so at no more parameters (issue 17's comparison)."""
    size = lambda w: network_size(lambda: SpikingVGG((1, 28, 28), 10, 2, width=w))[0]  # noqa: E731
    w = covering_width(params, (1, 28, 28), 10, 2)
    assert size(w) >= params and (w == 1 or size(w - 1) < params)
