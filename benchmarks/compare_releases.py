"""Run the same search under two source trees, interleaved, and compare: wall time (with its spread) and
whether every candidate and best.json / front.json came out identical. For refactors that must not change
results or slow the search (docs/benchmarks.md, "One substrate").

    git worktree add /tmp/before <commit>
    python benchmarks/compare_releases.py --before /tmp/before/src --after src --rounds 3 \\
        -- --space snasnet --strategy random --score sahd --dataset digits --candidates 200 --seed 0
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def rows(run: Path) -> list[tuple]:
    """(idx, hash, state, score, spikes, params) from a store of either schema."""
    with sqlite3.connect(run / "search.sqlite") as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "candidates" in tables:
            return [(i, h, st, s, sp, p) for i, h, s, sp, p, st in db.execute(
                "SELECT idx, hash, score, spikes, params, status FROM candidates ORDER BY idx")]
        out = []
        for i, h, st, v in db.execute("SELECT idx, hash, state, objectives FROM trials ORDER BY idx"):
            v = json.loads(v)
            out.append((i, h, st, v.get("score"), v.get("spikes"), v.get("params")))
        return out


def run_once(src: str, args: list[str], run: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "spikenas", "search", *args, "--run", str(run), "--quiet"], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--before", required=True, help="src folder of the reference tree")
    p.add_argument("--after", required=True, help="src folder of the tree under test")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("search", nargs=argparse.REMAINDER, help="-- then the search options")
    a = p.parse_args()
    args = [x for x in a.search if x != "--"]
    times: dict[str, list[float]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for r in range(a.rounds):
            for name in (("before", "after") if r % 2 == 0 else ("after", "before")):  # interleaved
                run = Path(tmp) / f"{name}{r}"
                times[name].append(run_once(getattr(a, name), args, run))
                runs.setdefault(name, run)
        same_rows = rows(runs["before"]) == rows(runs["after"])
        files = [f for f in ("best.json", "front.json") if (runs["before"] / f).exists()]
        same_files = all(filecmp.cmp(runs["before"] / f, runs["after"] / f, shallow=False) for f in files)
    ratios = [b / t for b, t in zip(times["after"], times["before"], strict=True)]
    for name, ts in times.items():
        print(f"{name}: {statistics.median(ts):.1f} s median ({', '.join(f'{t:.1f}' for t in ts)})")
    print(f"after / before: {statistics.median(ratios):.3f} median, {min(ratios):.3f} .. {max(ratios):.3f}")
    print(f"candidates identical: {same_rows}; {', '.join(files)} identical: {same_files}")


if __name__ == "__main__":
    main()
