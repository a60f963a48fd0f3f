"""The substrate rebuild changed no result: small versions of the reference searches (seed 0 on digits)
give the candidates, scores, best.json and front.json that release 0.1 gave (tests/golden, recorded with
that release's code). The full-size figures are in docs/benchmarks.md ("One substrate: the same results").
Candidates, hashes, spike counts and sizes must match exactly; scores to 1e-9 relative, because the last bits
of a float64 log-determinant follow the CPU's kernels (oneDNN picks them by instruction set: an AMD EPYC gave
-65.73964053695299 where the recording machine gave -65.73964053695353)."""

import json
from pathlib import Path

import pytest

from .stored import trial_rows

GOLDEN = json.loads((Path(__file__).parent / "golden" / "search_figures.json").read_text())
COMMON = ["--dataset", "digits", "--timesteps", "3", "--batch-size", "64", "--channels", "8", "--seed", "0",
          "--quiet"]
SEARCHES = {
    "random": ["--space", "snasnet", "--strategy", "random", "--score", "sahd", "--candidates", "12"],
    "evolution": ["--space", "snasnet", "--strategy", "evolution", "--score", "sahd", "--candidates", "16",
                  "--population", "6", "--sample", "3"],
    "nsga2": ["--space", "mse", "--strategy", "nsga2", "--score", "rdm", "--generations", "2", "--population", "6",
              "--offspring", "4", "--rdm-reduction", "mean", "--readout", "pool",
              "--rdm-layers", "all", "--pick", "knee"],  # 0.1's defaults
}


@pytest.mark.parametrize("name", sorted(SEARCHES))
def test_searches_give_release_0_1_results(cli, tmp_path, name):
    out = cli("search", *SEARCHES[name], *COMMON, "--run", tmp_path)
    assert out.returncode == 0, out.stderr
    expected = GOLDEN[name]
    assert same([list(r) for r in trial_rows(tmp_path)], expected["rows"])
    for f in ("best.json", "front.json"):
        if f in expected:
            assert same(json.loads((tmp_path / f).read_text()), json.loads(expected[f])), f
        else:
            assert not (tmp_path / f).exists()


def same(a, b) -> bool:
    """Equal, except that floats agree to 1e-9 relative (integers and text exactly)."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and a == pytest.approx(b, rel=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
