"""The differentiable (MA-DARTS) search: the derivation rule, the attention modules, the supernet's options,
a search that runs on digits and whose best.json trains, draws and reports, and a kill and resume that ends
as an uninterrupted search."""

import json
import re

import numpy as np
import pytest
import torch

from spikenas import spaces
from spikenas.cells.attention import CBAM, ECA, TemporalAttention, make_attention
from spikenas.spaces.darts.genotype import PRIMITIVES, derive_cell, edges_of

from .killing import kill_when

SEARCH = ["search", "--space", "darts", "--strategy", "darts", "--dataset", "digits", "--layers", "3",
          "--timesteps", "2", "--channels", "8", "--search-batch-size", "128", "--samples", "512", "--quiet"]


def test_derivation_keeps_the_two_strongest_edges_and_their_strongest_op():
    nodes = 2
    w = torch.full((len(edges_of(nodes)), len(PRIMITIVES)), 0.1)
    op = {p: k for k, p in enumerate(PRIMITIVES)}
    # node 0 reads 0, 1 (both kept); node 1 reads 0, 1, 2: keep 2 and 0 (edge 1 is strongest only at `none`)
    w[0, op["lif_conv3x3_bn"]] = 0.5
    w[1, op["maxpool3x3"]] = 0.4
    w[2, op["skip"]] = 0.3
    w[3, op["none"]] = 0.9
    w[3, op["avgpool3x3"]] = 0.2
    w[4, op["lif_dilconv3x3_bn"]] = 0.6
    assert derive_cell(w, nodes) == (("lif_conv3x3_bn", 0), ("maxpool3x3", 1), ("skip", 0),
                                     ("lif_dilconv3x3_bn", 2))


def test_attention_keeps_shapes_changes_outputs_and_weighs_each_sample_and_step():
    torch.manual_seed(0)
    T, B, C = 4, 3, 16
    x = torch.rand(T, B, C, 6, 6) + torch.arange(T).view(T, 1, 1, 1, 1)
    for module in (ECA(C), CBAM(C), TemporalAttention(T), make_attention(("eca", "cbam", "temporal"), C, T)):
        y = module(x)
        assert y.shape == x.shape and not torch.allclose(y, x)
    temporal = TemporalAttention(T)
    w = temporal.weights(x)
    assert w.shape == (T, B)  # one weight per step per sample
    assert torch.allclose(temporal(x), x * w[:, :, None, None, None])
    x2 = x.clone()
    x2[:, 0] *= 3  # another sample: its weights change, the others' do not
    w2 = temporal.weights(x2)
    assert not torch.allclose(w2[:, 0], w[:, 0]) and torch.allclose(w2[:, 1:], w[:, 1:])
    assert len(set(w[:, 0].tolist())) == T  # each step its own weight
    with pytest.raises(ValueError, match="built for 4 steps"):
        temporal(x[:2])


@pytest.mark.parametrize("options", [dict(), dict(mixing="spikes", partial=2, attention="cbam,temporal")])
@pytest.mark.parametrize("order", ["first", "second"])
def test_an_architecture_step_moves_the_architecture_weights_only(options, order):
    from spikenas.search.architect import Architect

    space = spaces.get("darts", layers=2, nodes=2, reduce_at=[1], **options)
    torch.manual_seed(0)
    net = space.supernet((1, 8, 8), 10, 2, channels=8)
    x, y = torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,))
    before = [p.detach().clone() for p in net.weight_parameters()]
    alphas = [a.detach().clone() for a in net.arch_parameters()]
    arch = Architect(net, net, second_order=order == "second", spike_weight=0.5)
    arch.step(x, y, x.flip(0), y.flip(0), eta=0.01)
    assert any(not torch.equal(a, b) for a, b in zip(net.arch_parameters(), alphas, strict=True))
    assert all(torch.equal(p, b) for p, b in zip(net.weight_parameters(), before, strict=True))


def test_sampling_strategies_and_scores_work_on_the_darts_space(cli, tmp_path):
    space = spaces.get("darts")
    rng = np.random.default_rng(0)
    for _ in range(20):
        g = space.sample(rng)
        assert space.decode(space.encode(g)) == g == space.genotype_from_json(g.to_json())
        assert space.mutate(g, rng) != g
    out = cli("search", "--space", "darts", "--layers", "3", "--strategy", "evolution", "--population", "4",
              "--sample", "2", "--candidates", "6", "--score", "sahd", "--dataset", "digits", "--timesteps", "2",
              "--batch-size", "32", "--channels", "8", "--quiet", "--run", tmp_path / "evo")
    assert out.returncode == 0, out.stderr
    assert json.loads((tmp_path / "evo" / "best.json").read_text())["genotype"]["space"] == "darts"


def test_a_darts_search_writes_a_genotype_that_trains_draws_and_reports(cli, tmp_path):
    run = tmp_path / "s"
    out = cli(*SEARCH, "--epochs", "1", "--attention", "eca", "--run", run)
    assert out.returncode == 0, out.stderr
    best = json.loads((run / "best.json").read_text())
    assert best["space"] == "darts" and best["epoch"] == 1 and len(best["genotype"]["normal"]) == 8
    metrics = json.loads((run / "metrics.json").read_text())
    cells = metrics["history"][0]["spikes_per_cell"]
    assert {"cells.0", "cells.1", "cells.2"} <= set(cells) and metrics["status"] == "done"
    assert len(metrics["history"][0]["alphas"]["normal"]) == 14
    train = cli("train", "--genotype", run / "best.json", "--dataset", "digits", "--epochs", "1", "--timesteps", "2",
                "--batch-size", "64", "--run", tmp_path / "t", "--quiet")
    assert train.returncode == 0, train.stderr
    trained = json.loads((tmp_path / "t" / "metrics.json").read_text())
    assert "cells.2" in trained["spikes_per_sample_per_cell"] and trained["history"][0]["spikes_per_cell"]
    show = cli("show", run / "best.json", "--out", tmp_path / "g.svg")
    assert show.returncode == 0 and "reduction cell" in show.stdout
    assert (tmp_path / "g.svg").read_text().startswith("<svg")
    for folder in (run, tmp_path / "t"):
        report = cli("report", folder)
        assert report.returncode == 0, report.stderr
    page = (run / "report.html").read_text()
    assert "architecture weights after the last epoch" in page
    config = json.loads((run / "config.json").read_text())  # no scoring settings: DARTS scores no candidates
    assert not {"score", "batch_size", "repeats", "workers"} & set(config)
    assert "<td>repeats</td>" not in page and "<td>batch_size</td>" not in page
    bad = cli(*SEARCH, "--epochs", "1", "--candidates", "3", "--run", tmp_path / "bad")
    assert bad.returncode == 2 and "--epochs, not --candidates" in bad.stderr
    wrong = cli("search", "--space", "snasnet", "--strategy", "darts", "--dataset", "digits", "--epochs", "1",
                "--run", tmp_path / "w")
    assert wrong.returncode == 2 and "Relaxable" in wrong.stderr


def _kill_after_epoch(args, run, epoch: int) -> None:
    kill_when(args, run, lambda: json.loads((run / "metrics.json").read_text())["epochs_done"] >= epoch)


def test_a_killed_darts_search_resumes_to_the_same_genotype_and_weights(cli, tmp_path):
    args = [*SEARCH, "--epochs", "3", "--order", "second", "--spike-weight", "0.1"]
    assert cli(*args, "--run", tmp_path / "full").returncode == 0
    killed = tmp_path / "killed"
    _kill_after_epoch(args, killed, 1)
    done = json.loads((killed / "metrics.json").read_text())["epochs_done"]
    assert 1 <= done < 3
    mixed = cli("search", "--run", killed, "--resume", "--score", "rdm", "--quiet")
    assert mixed.returncode == 2 and "--score: a setting of scoring" in mixed.stderr
    out = cli("search", "--run", killed, "--resume", "--quiet")
    assert out.returncode == 0, out.stderr
    a, b = (json.loads((r / "best.json").read_text()) for r in (tmp_path / "full", killed))
    assert a["genotype"] == b["genotype"] and a["score"] == b["score"]
    wa, wb = (torch.load(r / "supernet.pt", weights_only=False)["model"] for r in (tmp_path / "full", killed))
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    ha, hb = (json.loads((r / "metrics.json").read_text())["history"] for r in (tmp_path / "full", killed))
    assert [{k: v for k, v in e.items() if k != "wall_time_s"} for e in ha] == \
        [{k: v for k, v in e.items() if k != "wall_time_s"} for e in hb]


def test_a_drawn_cell_puts_its_labels_over_the_arcs_and_fits_its_rows():
    from spikenas.spaces.darts.genotype import DartsGenotype
    from spikenas.viz.darts_svg import darts_svg

    low = (("skip", 1), ("maxpool3x3", 0)) + tuple(("avgpool3x3", n + 1) for n in range(6))  # short arcs
    high = (("skip", 0), ("maxpool3x3", 1)) + tuple(("lif_conv3x3_bn", 0) for _ in range(6))  # from c(k-2)
    svgs = [darts_svg(DartsGenotype(normal=c, reduce=c)) for c in (low, high)]
    for row in (part for svg in svgs for part in svg.split("reduction cell (")):
        cut = row.index('paint-order="stroke"')  # the row's first edge label
        assert "<path" not in row[cut:], "an arc drawn over a label hides it"
    heights = [int(re.search(r'height="(\d+)"', svg).group(1)) for svg in svgs]
    assert heights[0] < heights[1] - 100  # each row as tall as its highest arc, not the tallest possible
    for svg, h in zip(svgs, heights, strict=True):
        tops = [float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.-]+)"', svg)]
        assert 0 < min(tops) and max(tops) < h
