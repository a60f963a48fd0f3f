"""The SNASNet space: genotypes validated and pruned, variation stays valid, feedback edges delay one step."""

import json
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from spikenas import spaces
from spikenas.cells import GraphCell
from spikenas.errors import InputError
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.spaces.snasnet.genotype import NODES, SnasGenotype, from_code, make_genotype, prune


def valid(g: SnasGenotype) -> bool:
    m = g.matrix
    pairs_ok = all(not (m[i][j] and m[j][i]) for i in range(NODES) for j in range(i + 1, NODES))
    return pairs_ok and m[0][3] != 0 and prune(m) == m and all(m[i][i] == 0 for i in range(NODES))


def test_paper_cell_parses_with_its_edges():
    g = from_code("0303 0030 2002 0200")
    assert g.forward_edges() == [(0, 1, 3), (1, 2, 3), (0, 3, 3), (2, 3, 2)]
    assert g.backward_edges() == [(2, 0, 2), (3, 1, 2)]
    space = spaces.get("snasnet")
    assert space.genotype_from_json(g.to_json()) == g
    assert g.hash() == space.genotype_from_json(g.to_json()).hash() == "ba6c5ab91262f64b"


def test_pruning_removes_dead_nodes():
    # node 2 receives from the input but reaches nothing: removed with its edge
    g = make_genotype([[0, 3, 2, 1], [0, 0, 0, 3], [0, 0, 0, 0], [0, 0, 0, 0]])
    assert g.code() == "0301 0003 0000 0000"


@pytest.mark.parametrize("matrix, words", [
    ([[0, 1], [0, 0]], "4 rows"),
    ([[0, 0, 0, 7], [0] * 4, [0] * 4, [0] * 4], "op code"),
    ([[0, 1, 0, 1], [1, 0, 0, 0], [0] * 4, [0] * 4], "both a forward and a backward"),
    ([[0, 1, 0, 0], [0] * 4, [0, 0, 0, 1], [0] * 4], "no path from the input (node 0) to the output (node 3)"),
    ([[1, 0, 0, 1], [0] * 4, [0] * 4, [0] * 4], "no self edge"),
])
def test_malformed_genotypes_are_refused(matrix, words):
    with pytest.raises(InputError, match=re.escape(words)):
        make_genotype(matrix)


def test_forward_space_refuses_backward_edges():
    g = from_code("0303 0030 2002 0200")
    with pytest.raises(InputError, match="forward-only"):
        spaces.get("snasnet-forward").genotype_from_json(g.to_json())


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_sample_mutate_crossover_stay_valid(seed, backward):
    space = spaces.get("snasnet" if backward else "snasnet-forward")
    rng = np.random.default_rng(seed)
    a, b = space.sample(rng), space.sample(rng)
    m = space.mutate(a, rng)
    c = space.crossover(a, b, rng)
    for g in (a, b, m, c):
        assert valid(g), g.matrix
        if not backward:
            assert not g.backward_edges()
    assert m != a


def identity_cell(matrix, C=2):
    cell = GraphCell(SnasGenotype(tuple(tuple(r) for r in matrix)).cell_graph(), C, NeuronConfig(tau=4 / 3),
                     stacked_sums=True)
    return cell.eval()


def test_cells_without_a_direct_input_output_edge_load_build_and_run():
    """The paper's sampler demands the edge 0 -> 3; a genotype read from a file only needs some path (a
    benchmark built on these parts has a fifth of its cells without that edge)."""
    space = spaces.get("snasnet")
    g = space.genotype_from_json('{"space": "snasnet", "matrix": [[0,3,0,0],[0,0,0,3],[0,0,0,0],[0,0,0,0]]}')
    assert g.matrix[0][3] == 0 and g == space.genotype_from_json(g.to_json())
    net = space.build(g, (1, 8, 8), 10, 2, channels=8)
    assert net(torch.randn(4, 1, 8, 8)).shape == (4, 10)


def test_a_cell_graph_without_a_path_outputs_zeros():
    from spikenas.cells import CellGraph, Edge

    graph = CellGraph(4, (Edge(0, 1, "lif_conv3x3_bn"), Edge(2, 3, "identity")), (3,))
    assert not graph.connected()
    cell = GraphCell(graph, 2, NeuronConfig())
    x = torch.randn(3, 2, 2, 4, 4)
    assert torch.equal(cell(x), torch.zeros_like(x))


def test_backward_edge_delivers_one_step_later():
    # 0 -> 3 and 1 -> 2 -> 3 forward (identity), 3 -> 1 backward (identity): y[t] = x[t] + y[t-1]
    cell = identity_cell([[0, 0, 0, 1], [0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 0, 0]])
    x = torch.arange(1.0, 6.0).view(5, 1, 1, 1, 1).expand(5, 1, 2, 3, 3)
    y = cell(x)
    assert torch.equal(y[:, 0, 0, 0, 0], torch.tensor([1.0, 3.0, 6.0, 10.0, 15.0]))


def test_backward_spiking_edge_feeds_spikes_of_the_previous_step():
    # 0 -> 3 identity; 3 -> 0 backward through LIF -> conv1x1 (identity weights) -> BN (eval, identity)
    cell = identity_cell([[0, 0, 0, 1], [0] * 4, [0] * 4, [2, 0, 0, 0]], C=1)
    op = cell.ops["3_0"]
    with torch.no_grad():
        op.conv.weight.fill_(1.0)
    x = torch.tensor([2.0, 0.5, 0.0, 1.5, 0.2]).view(5, 1, 1, 1, 1)
    y = cell(x)[:, 0, 0, 0, 0]
    # transcription: node0[t] = x[t] + BN(conv(S[t-1])), S from a LIF (tau 4/3) reading node3 = node0
    v, spike_prev, expected = 0.0, 0.0, []
    for t in range(5):
        node = x[t].item() + spike_prev / (1 + 1e-5) ** 0.5
        expected.append(node)
        h = v + (node - v) * 0.75
        s = 1.0 if h >= 1.0 else 0.0
        v = h * (1 - s)
        spike_prev = s
    assert y.tolist() == pytest.approx(expected, abs=1e-6)
    assert expected[1] == pytest.approx(1.5, abs=1e-4)  # x[1] = 0.5 plus the spike fired at t = 0


def test_stepped_and_sequence_paths_agree_for_forward_cells():
    torch.manual_seed(0)
    g = from_code("0323 0014 0003 0000")
    cell = GraphCell(g.cell_graph(), 3, NeuronConfig(tau=4 / 3), stacked_sums=True).eval()
    x = torch.randn(4, 2, 3, 5, 5) * 2
    assert torch.allclose(cell._sequence(x), cell._stepped(x), atol=1e-6)


def test_show_draws_and_describes(cli, tmp_path):
    path = tmp_path / "cell.json"
    path.write_text('{"space": "snasnet", "matrix": [[0,3,0,3],[0,0,3,0],[2,0,0,2],[0,2,0,0]]}')
    out = cli("show", path)
    assert out.returncode == 0, out.stderr
    assert "feedback 3 -> 1 (at t+1): LIF-conv1x1-BN" in out.stdout
    svg = (tmp_path / "cell.svg").read_text()
    assert svg.startswith("<svg") and svg.count("stroke-dasharray") == 2 and svg.count("marker-end") == 6
    path.write_text('{"space": "snasnet", "matrix": [[0,3],[0,0]]}')
    bad = cli("show", path)
    assert bad.returncode == 2 and "4 rows" in bad.stderr


def test_network_from_pooled_ops_scores_as_one_built_afresh():
    """The fast path (each network built from the previous one's edge operations) against the reference (a
    new network per candidate): same weights, same state_dict keys, same score and spikes for every
    candidate, including a genotype seen before and one with feedback edges."""
    from spikenas.search.scoring import Networks, score_candidate

    space = spaces.get("snasnet")
    rng = np.random.default_rng(3)
    genotypes = [space.sample(rng) for _ in range(5)]
    genotypes += [genotypes[0], from_code("0303 0030 2002 0200")]
    build = {"input_shape": (1, 8, 8), "num_classes": 10, "timesteps": 3, "channels": 8}
    gen = torch.Generator().manual_seed(0)
    batches = [torch.randn(16, 1, 8, 8, generator=gen) for _ in range(2)]
    fresh = Networks(space, build, torch.device("cpu"), reuse=False)
    reused = Networks(space, build, torch.device("cpu"))
    for g in genotypes:
        a, b = score_candidate(fresh, g, batches, seed=7), score_candidate(reused, g, batches, seed=7)
        assert (a["score"], a["spikes"], a["params"]) == (b["score"], b["spikes"], b["params"]), g.code()
        sa, sb = fresh.get(g, 7).state_dict(), reused.get(g, 7).state_dict()
        assert list(sa) == list(sb)
        assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert reused.pool is not None and fresh.pool is None


@pytest.mark.parametrize("hidden", [0, 32])
def test_the_hidden_width_travels_in_every_genotype_and_sizes_the_classifier(hidden):
    """`--hidden` (the space's option) reaches every sampled, varied and decoded genotype, its JSON, hash and
    code; a network built from such a genotype (by any SNASNet space, as `spikenas train` does) has that
    classifier: hidden 0 is one linear readout from the pooled spikes to the classes, without votes."""
    space, paper = spaces.get("snasnet", hidden=hidden), spaces.get("snasnet")
    rng = np.random.default_rng(1)
    a, b = space.sample(rng), space.sample(rng)
    for g in (a, b, space.mutate(a, rng), space.crossover(a, b, rng), space.decode(space.encode(a))):
        assert g.hidden == hidden and g.to_dict()["hidden"] == hidden
    assert paper.genotype_from_json(a.to_json()) == a and a.code().endswith(f" h{hidden}")
    assert from_code(a.code()) == a
    same_cell = SnasGenotype(a.matrix)
    assert same_cell.hidden == 1024 and "hidden" not in same_cell.to_dict() and same_cell.hash() != a.hash()
    C, shape = 8, (1, 8, 8)
    net = paper.build(a, shape, 10, 2, channels=C)
    features = 2 * C * 2 * 2
    if hidden:
        assert net.fc1.module.weight.shape == (hidden, features) and net.fc2.module.weight.shape == (100, hidden)
    else:
        assert net.fc1 is None and net.fc_lif is None and net.fc2.module.weight.shape == (10, features)
    wide = paper.build(same_cell, shape, 10, 2, channels=C)
    head = lambda n: sum(p.numel() for m in (n.fc1, n.fc2) if m is not None for p in m.parameters())  # noqa: E731
    body = sum(p.numel() for p in net.parameters()) - head(net)
    assert body == sum(p.numel() for p in wide.parameters()) - head(wide)  # the cells are the same
    assert head(net) == (features * hidden + hidden * 100 + 100 if hidden else features * 10 + 10)
    assert net(torch.rand(3, *shape)).shape == (3, 10)


@pytest.mark.parametrize("bad", [-1, True, "64", 1.5, 10**6])
def test_a_malformed_hidden_width_is_refused(bad):
    text = json.dumps({"space": "snasnet", "matrix": [[0, 3, 0, 3], [0, 0, 0, 3], [0] * 4, [0] * 4], "hidden": bad})
    with pytest.raises(InputError, match="hidden must be an integer in"):
        spaces.get("snasnet").genotype_from_json(text)
    with pytest.raises(InputError, match="--hidden"):
        spaces.get("snasnet", hidden=bad)


def test_a_search_with_a_hidden_width_records_it_in_best_json(cli, tmp_path):
    out = cli("search", "--space", "snasnet", "--candidates", "2", "--timesteps", "2", "--channels", "8",
              "--hidden", "0", "--quiet", "--run", tmp_path / "s")
    assert out.returncode == 0, out.stderr
    best = json.loads((tmp_path / "s" / "best.json").read_text())
    g = spaces.get("snasnet").genotype_from_dict(best["genotype"])
    assert best["genotype"]["hidden"] == 0 and " h0" in out.stdout
    net = spaces.get("snasnet").build(g, (1, 8, 8), 10, 2, channels=8)
    assert best["parameters"] == sum(p.numel() for p in net.parameters())


def test_per_timestep_statistics_travel_in_every_genotype():
    """`--step-bn` (the space's option) reaches every sampled, varied and decoded genotype, its JSON, hash and
    code; a genotype written without it (every one before the option) reads back without it."""
    space, paper = spaces.get("snasnet", step_bn=True, hidden=0), spaces.get("snasnet")
    rng = np.random.default_rng(2)
    a, b = space.sample(rng), space.sample(rng)
    for g in (a, b, space.mutate(a, rng), space.crossover(a, b, rng), space.decode(space.encode(a))):
        assert g.step_bn and g.to_dict()["step_bn"] is True
    assert paper.genotype_from_json(a.to_json()) == a and a.code().endswith(" h0 tbn")
    assert from_code(a.code()) == a and from_code("0303 0030 2002 0200 tbn").hidden == 1024
    plain = SnasGenotype(a.matrix, a.hidden)
    assert not plain.step_bn and "step_bn" not in plain.to_dict() and plain.hash() != a.hash()
    assert not paper.genotype_from_json(json.dumps({"space": "snasnet", "matrix": [list(r) for r in a.matrix]})).step_bn
    with pytest.raises(InputError, match="step_bn must be true or false"):
        paper.genotype_from_json(json.dumps({**plain.to_dict(), "step_bn": "yes"}))
    with pytest.raises(InputError, match="cell code"):
        from_code("0303 0030 2002 0200 tbn h0")  # the order the code is written in
    from spikenas.viz.cell_svg import describe

    assert "per timestep" in describe(from_code("0302 0020 1000 0200 tbn"))
    assert "unused" in describe(from_code("0303 0030 0002 0000 tbn"))


def _bns(net):
    from spikenas.snn.timestep_bn import TimestepBatchNorm2d

    cells = [m for c in (net.cell1, net.cell2) for m in c.modules()]
    return ([m for m in cells if isinstance(m, TimestepBatchNorm2d)],
            [m for m in cells if isinstance(m, torch.nn.BatchNorm2d)])


def test_step_bn_gives_feedback_cells_statistics_per_timestep_and_leaves_the_rest():
    """Per-timestep statistics in the cells' batch norms where the cell steps through time, none where it
    runs all steps at once; the same parameters either way, and at initialisation (batch statistics, as
    scoring runs) the same outputs bit for bit; a search scores a genotype alike with or without it (its
    weights are seeded without it: `init_hash`)."""
    space = spaces.get("snasnet")
    feedback, forward = from_code("0302 0020 1000 0200 h0 tbn"), from_code("0303 0030 0002 0000 h0 tbn")
    shape, T = (1, 8, 8), 3
    for g, stepped in ((feedback, True), (forward, False)):
        nets = []
        for step_bn in (True, False):
            torch.manual_seed(0)
            nets.append(space.build(SnasGenotype(g.matrix, 0, step_bn), shape, 10, T, channels=8, dropout=0.0))
        per_step, plain = _bns(nets[0])
        assert (bool(per_step), bool(plain)) == ((True, False) if stepped else (False, True))
        assert all(m.running_mean.shape == (T, m.num_features) for m in per_step)
        assert [p.shape for p in nets[0].parameters()] == [p.shape for p in nets[1].parameters()]
        x = torch.rand(16, *shape)
        assert torch.equal(nets[0](x), nets[1](x))
    from spikenas.search.scoring import Networks, score_candidate

    build = {"input_shape": shape, "num_classes": 10, "timesteps": T, "channels": 8}
    networks = Networks(space, build, torch.device("cpu"))
    batches = [torch.rand(32, *shape, generator=torch.Generator().manual_seed(0))]
    a = score_candidate(networks, feedback, batches, seed=3)
    b = score_candidate(networks, SnasGenotype(feedback.matrix, 0), batches, seed=3)
    assert (a["score"], a["spikes"], a["params"]) == (b["score"], b["spikes"], b["params"])


def test_step_bn_makes_evaluation_normalise_each_step_as_training_did():
    """The reason for the option: a cell with feedback edges, trained (here: one batch norm update with
    momentum 1, so the running statistics are that batch's) and then evaluated on the same batch. With
    statistics per timestep evaluation gives training's outputs; with one set averaged over the steps (the
    paper's) it does not, because feedback makes the steps' statistics differ. (Not bit for bit: the running
    variance is the unbiased one, which flips the odd spike near the threshold; hence the mean gap.)"""
    space = spaces.get("snasnet")
    g = from_code("0302 0020 1000 0200 h0")
    gaps = {}
    for step_bn in (True, False):
        torch.manual_seed(0)
        net = space.build(SnasGenotype(g.matrix, 0, step_bn), (1, 8, 8), 10, 4, channels=8, dropout=0.0).double()
        for m in net.modules():
            if hasattr(m, "momentum") and hasattr(m, "running_mean"):
                m.momentum = 1.0
        x = torch.rand(256, 1, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            trained = net.train()(x)
            evaluated = net.eval()(x)
        gaps[step_bn] = (evaluated - trained).abs().mean().item() / trained.abs().mean().item()
    assert gaps[True] < 0.02 and gaps[False] > 0.3, gaps  # measured: 0.003 and 0.97


def test_training_a_feedback_cell_with_shared_statistics_says_how_to_keep_them_per_step(cli, tmp_path):
    """The paper's default (one set of statistics) stays, but whoever trains a cell it can hurt is told; a
    cell with per-timestep statistics, or without feedback, has nothing to be told."""
    path = tmp_path / "shared.json"
    path.write_text(json.dumps({"space": "snasnet", "matrix": [[0, 3, 0, 2], [0, 0, 2, 0], [1, 0, 0, 0], [0, 2, 0, 0]],
                                "hidden": 0}))
    out = cli("train", "--genotype", path, "--dataset", "digits", "--epochs", "1", "--timesteps", "2",
              "--channels", "4", "--train-samples", "64", "--quiet", "--run", tmp_path / "run")
    assert out.returncode == 0, out.stderr
    notes = [line for line in out.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and '"step_bn": true' in notes[0]
    assert from_code("0302 0020 1000 0200 h0 tbn").training_note() is None
    assert from_code("0303 0030 0002 0000 h0").training_note() is None
