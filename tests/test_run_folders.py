"""Run folders across releases: a search folder of release 0.1 (flat config.json, a `candidates` table and
no saved strategy state) resumes to the result of an uninterrupted search; a store of a later release, or a
file that is no store, is refused with one line and nothing is touched. NSGA-II runs on the SNASNet space
through its integer encoding, and resumes after a kill."""

import json
import sqlite3

from .killing import kill_search_after
from .stored import trial_rows

SMALL = ["--dataset", "digits", "--timesteps", "3", "--batch-size", "64", "--channels", "8", "--quiet"]
V1_SCHEMA = """CREATE TABLE candidates (idx INTEGER PRIMARY KEY, hash TEXT NOT NULL, genotype TEXT NOT NULL,
    score REAL, spikes REAL, params INTEGER, seconds REAL, seed INTEGER, status TEXT NOT NULL, error TEXT,
    extra TEXT, created REAL NOT NULL)"""


def _as_release_0_1(full, old, keep: int) -> None:
    """`old`: the first `keep` candidates of the search in `full`, written as release 0.1 wrote them."""
    old.mkdir()
    cfg = json.loads((full / "config.json").read_text())
    flat = {k: v for k, v in cfg.items() if not k.endswith("_options") and k != "version"}
    flat.update(population=None, sample=5, generations=None, offspring=50, objectives="score,spikes,params",
                pick="knee", cells=None, motifs=None, reductions=None, rdm_dissimilarity=None, rdm_reduction=None)
    for piece in ("space", "score", "strategy"):
        flat.update(cfg[f"{piece}_options"])
    (old / "config.json").write_text(json.dumps(flat))
    with sqlite3.connect(full / "search.sqlite") as src, sqlite3.connect(old / "search.sqlite") as dst:
        dst.execute(V1_SCHEMA)
        for idx, h, g, state, values, metrics, seconds, seed, error, created in src.execute(
                "SELECT * FROM trials ORDER BY idx LIMIT ?", (keep,)):
            v = json.loads(values)
            dst.execute("INSERT INTO candidates VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (idx, h, g, v.get("score"), v.get("spikes"), v.get("params"), seconds, seed, state, error,
                         metrics, created))


def test_a_release_0_1_search_resumes(cli, tmp_path):
    args = ["search", "--space", "snasnet", "--strategy", "evolution", "--population", "5", "--candidates", "12",
            *SMALL]
    assert cli(*args, "--run", tmp_path / "full").returncode == 0
    old = tmp_path / "old"
    _as_release_0_1(tmp_path / "full", old, keep=7)
    out = cli("search", "--run", old, "--resume", "--quiet")
    assert out.returncode == 0, out.stderr
    assert trial_rows(old) == trial_rows(tmp_path / "full")
    assert (old / "best.json").read_text() == (tmp_path / "full" / "best.json").read_text()
    assert json.loads((old / "config.json").read_text())["version"] == 5


def test_later_or_foreign_stores_are_refused_untouched(cli, tmp_path):
    run = tmp_path / "r"
    assert cli("search", "--space", "snasnet", "--candidates", "2", *SMALL, "--run", run).returncode == 0
    db = sqlite3.connect(run / "search.sqlite")
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()  # the last connection folds the write-ahead log into the file
    before = {name: (run / name).read_bytes() for name in ("config.json", "best.json", "search.sqlite")}
    out = cli("search", "--run", run, "--resume", "--quiet")
    assert out.returncode == 2 and "later spikenas (store schema 99" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert {p: (run / p).read_bytes() for p in before} == before
    (run / "search.sqlite").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (run / f"search.sqlite{suffix}").unlink(missing_ok=True)
    out = cli("search", "--run", run, "--resume", "--quiet")
    assert out.returncode == 2 and "not a spikenas search store" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert (run / "config.json").read_bytes() == before["config.json"]


def test_nsga2_on_the_snasnet_space_writes_a_front_and_resumes(cli, tmp_path):
    args = ["search", "--space", "snasnet", "--strategy", "nsga2", "--generations", "2", "--population", "6",
            "--offspring", "4", *SMALL]
    full = tmp_path / "full"
    out = cli(*args, "--run", full)
    assert out.returncode == 0, out.stderr
    front = json.loads((full / "front.json").read_text())
    assert front["objectives"] == ["score", "spikes", "params"] and front["front"]
    assert json.loads((full / "best.json").read_text())["candidate"] == front["chosen"]
    assert len(trial_rows(full)) == 14 and len({r[1] for r in trial_rows(full)}) == 14
    killed = tmp_path / "killed"
    kill_search_after(args, killed, 8)  # inside generation 1
    partial = trial_rows(killed)
    assert 8 <= len(partial) < 14
    out = cli("search", "--run", killed, "--resume", "--quiet")
    assert out.returncode == 0, out.stderr
    assert trial_rows(killed) == trial_rows(full)
    for name in ("best.json", "front.json"):
        assert (killed / name).read_text() == (full / name).read_text()
