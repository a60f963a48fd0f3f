"""The substrate rebuild changed no result: small versions of the reference searches (seed 0 on digits)
give the candidates, scores, best.json and front.json that release 0.1 gave (tests/golden, recorded with
that release's code). The full-size figures are in docs/benchmarks.md ("One substrate: the same results")."""

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
              "--offspring", "4"],
}


@pytest.mark.parametrize("name", sorted(SEARCHES))
def test_searches_give_release_0_1_results(cli, tmp_path, name):
    out = cli("search", *SEARCHES[name], *COMMON, "--run", tmp_path)
    assert out.returncode == 0, out.stderr
    expected = GOLDEN[name]
    assert [list(r) for r in trial_rows(tmp_path)] == expected["rows"]
    for f in ("best.json", "front.json"):
        if f in expected:
            assert (tmp_path / f).read_text() == expected[f], f
        else:
            assert not (tmp_path / f).exists()
