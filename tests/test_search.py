"""Training-free search: reproducible, and a killed search resumes without re-scoring anything."""

import json
import os
import subprocess
import sys
import time

import pytest

from .killing import kill_search_after
from .stored import trial_rows

SEARCH = ["search", "--space", "snasnet", "--score", "sahd", "--dataset", "digits", "--timesteps", "3",
          "--batch-size", "64", "--channels", "8", "--quiet"]


def rows(run):
    return [(i, h, s, st) for i, h, s, _, _, st in trial_rows(run)]


@pytest.mark.parametrize("strategy", ["random", "evolution"])
def test_same_seed_same_search(cli, tmp_path, strategy):
    extra = ["--population", "6", "--sample", "3"] if strategy == "evolution" else []
    for name in ("a", "b"):
        out = cli(*SEARCH, "--strategy", strategy, "--candidates", "16", *extra, "--run", tmp_path / name)
        assert out.returncode == 0, out.stderr
    assert rows(tmp_path / "a") == rows(tmp_path / "b")
    assert len({r[1] for r in rows(tmp_path / "a")}) == 16
    best = json.loads((tmp_path / "a" / "best.json").read_text())
    assert best["score"] == max(r[2] for r in rows(tmp_path / "a"))
    other = cli(*SEARCH, "--strategy", strategy, "--candidates", "16", *extra, "--seed", "1", "--run", tmp_path / "c")
    assert other.returncode == 0 and rows(tmp_path / "c") != rows(tmp_path / "a")


def test_killed_search_resumes_to_the_same_result(cli, tmp_path):
    args = [*SEARCH, "--strategy", "evolution", "--population", "8", "--candidates", "40"]
    assert cli(*args, "--run", tmp_path / "full").returncode == 0
    run = tmp_path / "killed"
    kill_search_after(args, run, 15)
    partial = rows(run)
    assert 15 <= len(partial) < 40
    out = cli("search", "--run", run, "--resume", "--quiet")
    assert out.returncode == 0, out.stderr
    resumed = rows(run)
    assert resumed[:len(partial)] == partial  # nothing finished was scored again
    assert resumed == rows(tmp_path / "full") and len({r[1] for r in resumed}) == 40
    assert json.loads((run / "best.json").read_text()) == json.loads((tmp_path / "full" / "best.json").read_text())
    # the per-candidate log holds each candidate once, as the uninterrupted search's does (times aside)
    logs = [[r.split(",")[:5] for r in (d / "trials.csv").read_text().splitlines()] for d in (run, tmp_path / "full")]
    assert logs[0] == logs[1] and len(logs[0]) == 41


def test_search_refuses_bad_input(cli, tmp_path):
    out = cli(*SEARCH, "--candidates", "2", "--space", "nope", "--run", tmp_path / "r")
    assert out.returncode == 2 and "--space: must be one of snasnet" in out.stderr
    assert cli(*SEARCH, "--candidates", "2", "--run", tmp_path / "r").returncode == 0
    again = cli(*SEARCH, "--candidates", "2", "--run", tmp_path / "r")
    assert again.returncode == 2 and "--resume" in again.stderr
    changed = cli("search", "--run", tmp_path / "r", "--resume", "--seed", "9")
    assert changed.returncode == 2 and "--seed" in changed.stderr
    for bad, words in ((["--cells", "4"], "--cells is not a setting of the snasnet space"),
                       (["--space", "mse", "--reductions", "3"], "a number between 0 and 2"),
                       (["--space", "mse", "--reductions", "two"], "expected a number or 'any'")):
        out = cli(*SEARCH, "--candidates", "2", *bad, "--run", tmp_path / "bad")
        assert out.returncode == 2 and words in out.stderr and len(out.stderr.strip().splitlines()) <= 3
        assert not (tmp_path / "bad").exists()  # refused before anything was written


def test_train_the_found_genotype(cli, tmp_path):
    assert cli(*SEARCH, "--candidates", "4", "--run", tmp_path / "s").returncode == 0
    out = cli("train", "--genotype", tmp_path / "s" / "best.json", "--dataset", "digits", "--epochs", "1",
              "--timesteps", "3", "--batch-size", "64", "--run", tmp_path / "t", "--quiet")
    assert out.returncode == 0, out.stderr
    m = json.loads((tmp_path / "t" / "metrics.json").read_text())
    assert m["model"]["name"] == "genotype" and m["model"]["channels"] == 8
    assert len(m["spikes_per_sample_per_layer"]) >= 3
    bad = tmp_path / "bad.json"
    bad.write_text('{"space": "snasnet", "matrix": [[0, 1, 0, 0], [0, 0, 0, 0], [0,0,0,1], [0,0,0,0]]}')
    out = cli("train", "--genotype", bad, "--dataset", "digits", "--run", tmp_path / "t2")
    assert out.returncode == 2 and "no path from the input (node 0) to the output (node 3)" in out.stderr


def test_search_and_train_on_event_frames(cli, tmp_path, monkeypatch):
    import numpy as np

    monkeypatch.setenv("SPIKENAS_CACHE", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    for split, n in (("train", 20), ("test", 6)):
        for cls in ("a", "b"):
            (tmp_path / "ev" / split / cls).mkdir(parents=True)
            for i in range(n):
                k = 200
                x0 = 2 if cls == "a" else 9  # class a fires on the left, b on the right
                np.savez(tmp_path / "ev" / split / cls / f"{i}.npz", x=rng.integers(x0, x0 + 5, k),
                         y=rng.integers(0, 12, k), t=np.sort(rng.integers(0, 10**5, k)), p=rng.integers(0, 2, k))
    (tmp_path / "ev" / "sensor.txt").write_text("12 16\n")
    out = cli("search", "--space", "snasnet", "--dataset", "npz-events", "--data-root", "ev",  # relative
              "--candidates", "3", "--timesteps", "4", "--batch-size", "16", "--channels", "8", "--quiet",
              "--run", "s", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads((tmp_path / "s" / "config.json").read_text())["data_root"] == str(tmp_path / "ev")
    again = cli("search", "--run", "s", "--resume", "--data-root", "ev", "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    out = cli("train", "--genotype", tmp_path / "s" / "best.json", "--dataset", "npz-events", "--data-root",
              tmp_path / "ev", "--epochs", "8", "--timesteps", "4", "--batch-size", "8", "--optimizer", "adamw",
              "--lr", "2e-3", "--quiet", "--run", tmp_path / "t")
    assert out.returncode == 0, out.stderr
    assert json.loads((tmp_path / "t" / "metrics.json").read_text())["test_accuracy"] >= 0.9
    payoff = cli("payoff", tmp_path / "s", "--top", "1", "--random", "0", "--baseline-width", "0", "--epochs", "1",
                 "--timesteps", "4", "--batch-size", "8", "--quiet")  # from another folder: the recorded root
    assert payoff.returncode == 0, payoff.stderr


def test_report_of_a_search_and_a_training_run(cli, tmp_path):
    assert cli(*SEARCH, "--candidates", "5", "--run", tmp_path / "s").returncode == 0
    out = cli("report", tmp_path / "s")
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "s" / "report.html").read_text()
    # four charts (scores: distribution, by candidate, over time, against spikes) and the chosen cell
    assert "5 candidates" in html and html.count("<svg") == 5 and "Chosen network" in html
    assert cli("train", "--dataset", "digits", "--epochs", "2", "--run", tmp_path / "t", "--quiet").returncode == 0
    assert cli("report", tmp_path / "t").returncode == 0
    html = (tmp_path / "t" / "report.html").read_text()
    # accuracy, loss, spikes by cell, spikes and firing rate by layer
    assert "test accuracy" in html and "features.0" in html and html.count("<svg") == 5
    missing = cli("report", tmp_path / "nothing")
    assert missing.returncode == 2 and "nothing: no run there" in missing.stderr


def same_store(a, b):
    """The same trials (genotypes, order, scores, spikes, states) and the same best.json: scoring with the same
    --threads gives the same numbers in every executor."""
    assert trial_rows(a) == trial_rows(b)
    assert json.loads((a / "best.json").read_text()) == json.loads((b / "best.json").read_text())


def test_parallel_executors_store_what_the_inline_search_stores(cli, tmp_path):
    base = [*SEARCH, "--strategy", "random", "--candidates", "6", "--threads", "1"]
    assert cli(*base, "--run", tmp_path / "inline").returncode == 0
    out = cli(*base, "--workers", "2", "--run", tmp_path / "procs")
    assert out.returncode == 0, out.stderr
    same_store(tmp_path / "procs", tmp_path / "inline")


RAY_SEARCH = ["search", "--space", "snasnet", "--strategy", "random", "--dataset", "digits", "--timesteps", "8",
              "--batch-size", "256", "--repeats", "3", "--channels", "16", "--threads", "1", "--quiet",
              "--candidates", "8"]


def test_ray_executor_survives_a_worker_killed_mid_candidate(cli, tmp_path):
    """A Ray worker SIGKILLed while it scores a candidate: Ray runs the task again, the search completes with
    every candidate stored once, and store and best.json equal the inline search's (same --threads)."""
    pytest.importorskip("ray")
    psutil = pytest.importorskip("psutil")
    assert cli(*RAY_SEARCH, "--run", tmp_path / "inline").returncode == 0
    env = {k: v for k, v in os.environ.items() if k != "SPIKENAS_DATA"}
    proc = subprocess.Popen([sys.executable, "-m", "spikenas", *RAY_SEARCH, "--executor", "ray", "--workers", "2",
                             "--run", str(tmp_path / "ray")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    killed, deadline = None, time.time() + 300
    while killed is None and proc.poll() is None and time.time() < deadline:
        for p in psutil.process_iter(["cmdline"]):
            if (p.info["cmdline"] or [""])[0].startswith("ray::_ray_score"):  # a worker inside a candidate
                p.kill()
                killed = p.pid
                break
        time.sleep(0.05)
    _, err = proc.communicate(timeout=300)
    assert killed is not None, "no Ray worker was seen scoring"
    assert proc.returncode == 0, err
    rows = trial_rows(tmp_path / "ray")
    assert len(rows) == 8 and len({r[1] for r in rows}) == 8 and all(r[-1] == "ok" for r in rows)
    same_store(tmp_path / "ray", tmp_path / "inline")
