"""Report pages as a person sees them: for an NSGA-II search, a random search and the training of its chosen
cell, the page names one chosen candidate everywhere, shows the charts the run calls for, and (where Chromium
is installed) renders in a headless browser with every chart drawn."""

import json
import re
import shutil
import subprocess

import pytest

SMALL = ["--timesteps", "2", "--batch-size", "32", "--repeats", "1", "--channels", "8", "--quiet"]


def _chosen_marks(html: str) -> set[str]:
    return set(re.findall(r"The chosen candidate, #(\d+)", html)) | set(re.findall(r"Chosen network \(#(\d+)\)", html))


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from spikenas.cli.main import main

    root = tmp_path_factory.mktemp("pages")
    runs = {"nsga2": ["search", "--space", "mse", "--strategy", "nsga2", "--population", "6", "--generations", "2",
                      "--offspring", "4", *SMALL],
            "random": ["search", "--candidates", "8", "--also-score", "rdm", *SMALL]}
    for name, argv in runs.items():
        assert main([*argv, "--run", str(root / name)]) == 0
    assert main(["train", "--genotype", str(root / "random" / "best.json"), "--dataset", "digits", "--epochs", "2",
                 "--timesteps", "2", "--batch-size", "128", "--quiet", "--run", str(root / "train")]) == 0
    for name in ("nsga2", "random", "train"):
        assert main(["report", str(root / name)]) == 0
    return root


def test_every_page_shows_one_chosen_candidate_and_its_charts(pages):
    nsga2 = (pages / "nsga2" / "report.html").read_text()
    chosen = json.loads((pages / "nsga2" / "front.json").read_text())["chosen"]
    assert _chosen_marks(nsga2) == {str(chosen)}
    assert nsga2.count("<svg") >= 4 + 3 + 3 + 1  # scores, three front pairs, three by generation, the cell
    assert "score by generation" in nsga2 and "spikes against score" in nsga2
    random = (pages / "random" / "report.html").read_text()
    assert ("<td>also_score_options.rdm</td><td>rdm_dissimilarity hamming, rdm_reduction rsa, rdm_layers last-cell"
            "</td>") in random
    assert _chosen_marks(random) == {str(json.loads((pages / "random" / "best.json").read_text())["candidate"])}
    best = random[random.index("Best candidates by score"):].split("</table>")[0]
    assert "<th>score (sahd)</th><th>rdm</th>" in best  # the --also-score's values beside the score's
    rdm_cells = re.findall(r"<td>(-?\d+\.\d{4})</td><td>(-?\d+\.\d{4})</td>", best)
    assert len(rdm_cells) >= 2 and all(float(a) != float(b) for a, b in rdm_cells)
    train = (pages / "train" / "report.html").read_text()
    assert "firing rate by layer" in train and "synaptic operations" in train and "Trained network" in train
    assert "random/report.html" in train  # the link to the search the genotype came from
    settings = train[train.index("<h2>Settings</h2>"):].split("</table>")[0]
    assert ">None<" not in settings and "not set (its default rule)" in settings  # e.g. eval_batch_size
    assert ">False<" not in settings and "<td>false</td>" in settings  # as the command line writes it (--flip)
    assert len((pages / "random" / "trials.csv").read_text().splitlines()) == 1 + 8
    history = (pages / "train" / "history.csv").read_text().splitlines()
    assert len(history) == 1 + 2 and history[0].startswith("epoch,train_samples,train_loss")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium on this machine")
@pytest.mark.parametrize("name", ["nsga2", "random", "train"])
def test_pages_render_in_a_browser(pages, name):
    page = pages / name / "report.html"
    out = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    source = page.read_text()
    assert out.stdout.count("<svg") == source.count("<svg") > 0  # every chart parsed into the page
    assert "spikenas run" in out.stdout
