"""MSE-NAS end to end: NSGA-II on the RDM fitness writes best.json and front.json, is reproducible, resumes
after a kill without re-scoring anything, and its chosen network trains."""

import json

import numpy as np

from spikenas.search.config import SearchConfig
from spikenas.search.front import pareto_front, pick
from spikenas.search.store import Trial

from .killing import kill_search_after
from .stored import trial_genotypes, trial_rows

SEARCH = ["search", "--space", "mse", "--strategy", "nsga2", "--score", "rdm", "--dataset", "digits",
          "--timesteps", "3", "--batch-size", "64", "--channels", "8", "--population", "8", "--offspring", "8",
          "--quiet"]


rows = trial_rows
genotypes = trial_genotypes


def reductions(genotype):
    return sum(cell["reduce"] for cell in genotype["structure"])


def test_space_settings_shape_the_search(cli, tmp_path):
    out = cli(*SEARCH, "--generations", "1", "--cells", "3", "--motifs", "2", "--reductions", "1",
              "--run", tmp_path / "a")
    assert out.returncode == 0, out.stderr
    found = genotypes(tmp_path / "a")
    assert len(found) == 16 and all(g["cells"] == 3 and g["motifs"] == 2 and reductions(g) == 1 for g in found)
    assert len({tuple(c["reduce"] for c in g["structure"]) for g in found}) > 1  # where it reduces still varies
    free = cli(*SEARCH, "--generations", "0", "--population", "16", "--reductions", "any", "--run", tmp_path / "b")
    assert free.returncode == 0, free.stderr
    assert len({reductions(g) for g in genotypes(tmp_path / "b")}) > 1
    # a search started before the setting existed resumes as it ran then: any count
    # (release 0.1's flat config.json, written before --reductions existed)
    cfg = json.loads((tmp_path / "b" / "config.json").read_text())
    flat = {k: v for k, v in cfg.items() if not k.endswith("_options") and k != "version"}
    flat.update({**cfg["strategy_options"], **cfg["score_options"], "cells": 4, "motifs": 3})
    (tmp_path / "b" / "config.json").write_text(json.dumps(flat))
    again = cli("search", "--run", tmp_path / "b", "--resume", "--quiet")
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "b" / "config.json").read_text())["space_options"]["reductions"] == "any"


def dominated(a, b):
    """a is dominated by b: b no worse on (score up, spikes down, params down) and better on one."""
    wa, wb = (-a[2], a[3], a[4]), (-b[2], b[3], b[4])
    return all(y <= x for x, y in zip(wa, wb, strict=True)) and wa != wb


def test_nsga2_search_writes_front_and_best(cli, tmp_path):
    out = cli(*SEARCH, "--generations", "2", "--run", tmp_path / "a")
    assert out.returncode == 0, out.stderr
    r = rows(tmp_path / "a")
    assert len(r) == 24 and len({x[1] for x in r}) == 24  # 8 + 2 x 8, no duplicate network
    front = json.loads((tmp_path / "a" / "front.json").read_text())
    members = {m["candidate"] for m in front["front"]}
    by_idx = {x[0]: x for x in r}
    ok = [x for x in r if x[5] == "ok"]  # failed: a readout that never fires (worst on every objective)
    assert len(ok) >= 12
    for x in r:  # the front is exactly the non-dominated set of the scored candidates
        assert (x[0] in members) == (x in ok and not any(dominated(x, y) for y in ok if y[0] != x[0]))
    best = json.loads((tmp_path / "a" / "best.json").read_text())
    assert best["candidate"] == front["chosen"] and best["candidate"] in members
    assert best["chosen_by"].startswith("primary") and best["space"] == "mse"  # the mse space's default pick
    assert best["score"] == max(m["score"] for m in front["front"])
    assert by_idx[best["candidate"]][1] == best["hash"]
    assert {reductions(g) for g in genotypes(tmp_path / "a")} == {2}  # the default count
    again = cli(*SEARCH, "--generations", "2", "--run", tmp_path / "b")
    assert again.returncode == 0 and rows(tmp_path / "b") == r
    assert json.loads((tmp_path / "a" / "config.json").read_text())["score_options"]["rdm_reduction"] == "rsa"
    primary = cli(*SEARCH, "--generations", "0", "--pick", "primary", "--objectives", "score,spikes",
                  "--rdm-reduction", "mean", "--run", tmp_path / "c")
    assert primary.returncode == 0, primary.stderr
    pr = rows(tmp_path / "c")
    chosen = json.loads((tmp_path / "c" / "best.json").read_text())
    assert len(pr) == 8 and chosen["score"] == max(x[2] for x in pr if x[5] == "ok")
    assert json.loads((tmp_path / "c" / "config.json").read_text())["score_options"]["rdm_reduction"] == "mean"

    repick = cli("search", "--run", tmp_path / "a", "--resume", "--pick", "knee", "--quiet")
    assert repick.returncode == 0, repick.stderr
    assert rows(tmp_path / "a") == r  # nothing scored again
    best = json.loads((tmp_path / "a" / "best.json").read_text())
    trials = [Trial(m["candidate"], m["hash"], "{}", "ok", {"score": m["score"], "params": m["parameters"],
                                                            "spikes": m["spikes_per_sample_at_init"]})
              for m in front["front"]]
    knee = pick(trials, ["score", "spikes", "params"], "knee")
    assert best["candidate"] == knee.idx and best["chosen_by"].startswith("knee")
    report = cli("report", tmp_path / "a")
    assert report.returncode == 0, report.stderr
    html = (tmp_path / "a" / "report.html").read_text()
    assert "Pareto front" in html and f"Chosen network (#{best['candidate']})" in html
    show = cli("show", tmp_path / "a" / "best.json", "--out", tmp_path / "best.svg")
    assert show.returncode == 0, show.stderr
    assert "cell 0" in show.stdout and (tmp_path / "best.svg").read_text().startswith("<svg")
    train = cli("train", "--genotype", tmp_path / "a" / "best.json", "--dataset", "digits", "--epochs", "3",
                "--batch-size", "32", "--optimizer", "adamw", "--lr", "2e-3", "--timesteps", "3",
                "--run", tmp_path / "t", "--quiet")
    assert train.returncode == 0, train.stderr
    metrics = json.loads((tmp_path / "t" / "metrics.json").read_text())
    assert metrics["test_accuracy"] > 0.2  # chance is 0.1; it learns


def test_killed_nsga2_search_resumes_to_the_same_result(cli, tmp_path):
    args = [*SEARCH, "--generations", "3"]
    assert cli(*args, "--run", tmp_path / "full").returncode == 0
    run = tmp_path / "killed"
    kill_search_after(args, run, 13)  # inside generation 1
    partial = rows(run)
    assert 13 <= len(partial) < 32
    out = cli("search", "--run", run, "--resume", "--quiet")
    assert out.returncode == 0, out.stderr
    assert rows(run)[:len(partial)] == partial
    assert rows(run) == rows(tmp_path / "full")
    for name in ("best.json", "front.json"):
        assert json.loads((run / name).read_text()) == json.loads((tmp_path / "full" / name).read_text())


def test_bad_nsga2_options_are_refused(cli, tmp_path):
    cases = [
        (["--generations", "1", "--objectives", "score,energy"], "--objectives"),
        (["--generations", "1", "--pick", "best"], "--pick"),
        (["--generations", "1", "--rdm-reduction", "max"], "--rdm-reduction"),
        ([], "--generations"),
        (["--generations", "1", "--candidates", "10"], "--candidates"),
        (["--generations", "1", "--strategy", "random"], "is not a setting of the random strategy"),
    ]
    for extra, words in cases:
        out = cli(*SEARCH, *extra, "--run", tmp_path / "r")
        assert out.returncode == 2 and words in out.stderr and out.stderr.count("\n") == 1, out.stderr


def test_knee_is_the_balanced_member_of_the_front():
    def c(idx, score, spikes, params):
        return Trial(idx, str(idx), "{}", "ok", {"score": score, "spikes": spikes, "params": params})

    rows_ = [c(0, 1.0, 100, 1000), c(1, 0.9, 10, 100), c(2, 0.1, 1, 10), c(3, 0.5, 50, 500), c(4, 0.95, 90, 900)]
    front = pareto_front(rows_, ["score", "spikes", "params"])
    assert [x.idx for x in front] == [0, 1, 2, 4]  # 3 is dominated by 1
    assert pick(front, ["score", "spikes", "params"], "primary").idx == 0
    assert pick(front, ["score", "spikes", "params"], "knee").idx == 1
    F = np.array([[-1.0, 100, 1000], [-0.9, 10, 100], [-0.1, 1, 10], [-0.95, 90, 900]])
    scaled = (F - F.min(0)) / (F.max(0) - F.min(0))
    assert int(np.argmin(np.linalg.norm(scaled, axis=1))) == 1


def test_the_default_pick_is_the_spaces_and_a_search_keeps_the_one_it_began_with():
    def config(space, **strategy):
        return SearchConfig(space=space, strategy="nsga2", score="rdm",
                            strategy_options={"generations": 0, **strategy})

    assert config("mse").strategy_options["pick"] == "primary"  # measured to pay on this space
    assert config("snasnet").strategy_options["pick"] == "knee"
    assert config("mse", pick="knee").strategy_opts.pick == "knee"
    recorded = config("mse", pick="knee").to_dict()  # a search begun when knee was every space's default
    assert SearchConfig.from_dict(recorded).strategy_options["pick"] == "knee"


def test_mse_searches_begun_before_the_flat_readout_resume_pooled():
    """The flat readout became MSE-NAS's default with config.json version 4: a search recorded before (version 3,
    or release 0.1's flat config) resumes proposing networks with the pooled readout it began with."""

    new = SearchConfig(space="mse", strategy="nsga2", score="rdm", strategy_options={"generations": 1})
    assert new.to_dict()["space_options"]["readout"] == "flat" and new.to_dict()["version"] == 5
    assert SearchConfig.from_dict(new.to_dict()).space_obj.readout == "flat"
    v3 = new.to_dict() | {"version": 3, "space_options": {"cells": 4, "motifs": 3, "reductions": 2}}
    assert SearchConfig.from_dict(v3).space_obj.readout == "pool"
    assert SearchConfig.from_dict(v3 | {"space_options": {"readout": "flat"}}).space_obj.readout == "flat"
    flat = {k: v for k, v in new.to_dict().items() if not k.endswith("_options") and k != "version"}
    assert SearchConfig.from_dict(flat | {"generations": 1}).space_obj.readout == "pool"  # release 0.1
    other = new.to_dict() | {"version": 3, "space": "snasnet", "strategy": "random", "space_options": {},
                             "strategy_options": {}}
    assert "readout" not in SearchConfig.from_dict(other).space_options  # another space's options are its own


def test_rdm_searches_begun_before_the_last_cell_default_resume_reading_every_layer():
    """RDM reads the last cell by default since config.json version 5: an RDM score recorded before (selecting
    or --also-score; version 4, or release 0.1's flat config) resumes reading every layer; a new one, and an
    old one that said otherwise, keep their own."""

    new = SearchConfig(space="mse", strategy="nsga2", score="rdm", also_score="sahd",
                       strategy_options={"generations": 1})
    assert new.to_dict()["score_options"]["rdm_layers"] == "last-cell"
    assert SearchConfig.from_dict(new.to_dict()).score_opts.rdm_layers == "last-cell"
    options = {"rdm_dissimilarity": "hamming", "rdm_reduction": "rsa"}
    v4 = new.to_dict() | {"version": 4, "score_options": options}
    assert SearchConfig.from_dict(v4).score_opts.rdm_layers == "all"
    assert SearchConfig.from_dict(v4 | {"score_options": {**options, "rdm_layers": "last-cell"}}
                                  ).score_opts.rdm_layers == "last-cell"
    also = SearchConfig(score="sahd", also_score="rdm").to_dict() | {"version": 4,
                                                                     "also_score_options": {"rdm": options}}
    assert SearchConfig.from_dict(also).scores()[1][1].rdm_layers == "all"
    flat = {k: v for k, v in new.to_dict().items() if not k.endswith("_options") and k != "version"}
    assert SearchConfig.from_dict(flat | {"generations": 1}).score_opts.rdm_layers == "all"  # release 0.1
    assert SearchConfig.from_dict(v4 | {"score": "sahd", "also_score": None, "score_options": {}}).score_options == {}


def test_searches_begun_before_rsa_was_the_default_resume_with_mean():
    """RDM's default reduction became rsa with config.json version 3. A search recorded before keeps the
    reduction it began with, whether RDM selects (release 0.1's flat config, which could leave it out) or is an
    --also-score (whose options were not recorded before version 3); a new one records rsa for both."""

    new = SearchConfig(score="sahd", also_score="rdm")
    assert new.to_dict()["also_score_options"] == {"rdm": {"rdm_dissimilarity": "hamming", "rdm_reduction": "rsa",
                                                           "rdm_layers": "last-cell"}}
    assert SearchConfig.from_dict(new.to_dict()).scores()[1][1].rdm_reduction == "rsa"
    v2 = {k: v for k, v in new.to_dict().items() if k != "also_score_options"} | {"version": 2}
    assert SearchConfig.from_dict(v2).scores()[1][1].rdm_reduction == "mean"
    assert SearchConfig.from_dict(v2).to_dict()["version"] == 5

    selecting = SearchConfig(score="rdm").to_dict()
    assert selecting["score_options"]["rdm_reduction"] == "rsa"
    flat = {k: v for k, v in selecting.items() if not k.endswith("_options") and k != "version"}
    assert SearchConfig.from_dict(flat).score_opts.rdm_reduction == "mean"  # release 0.1, reduction left out
    assert SearchConfig.from_dict(flat | {"rdm_reduction": "nn"}).score_opts.rdm_reduction == "nn"
