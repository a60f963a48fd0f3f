"""The MSE-NAS space: the genome decodes to the documented cells, variation keeps genomes valid, and the
network does what the decoded genotype says (signs, feedback delay, macro connections, reductions)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from spikenas import spaces
from spikenas.cells import CellGraph, Edge, GraphCell
from spikenas.errors import InputError
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.snn.timestep_bn import TimestepBatchNorm2d
from spikenas.spaces.genotype import stable_hash
from spikenas.spaces.mse.genome import InvalidGenome, Layout, cell_graph, decode, decode_cells, is_valid
from spikenas.spaces.mse.motifs import MOTIF_BY_NAME, MOTIFS
from spikenas.spaces.mse.silence import NEG, POS, output_signs
from spikenas.spaces.mse.space import MseSpace

TEMPLATE = {m.name: i for i, m in enumerate(MOTIFS)}
OP = {"none": 0, "identity": 1, "conv3x3": 2, "conv5x5": 3}


def genome(layout: Layout, cells: list[dict]) -> np.ndarray:
    """A genome from a readable description: per cell reduce, reads, and motifs as
    (template, source, [(op, sign, delay) per template edge])."""
    g = np.zeros(len(layout), dtype=np.int64)
    for c, cell in enumerate(cells):
        s = layout.cell_start(c)
        g[s] = cell.get("reduce", 0)
        for k in cell["reads"]:
            g[s + 1 + k] = 1
        for m, (template, source, edges) in enumerate(cell["motifs"]):
            p = layout.motif_start(c, m)
            g[p], g[p + 1] = TEMPLATE[template], source
            for e, (op, sign, delay) in enumerate(edges):
                g[p + 2 + 3 * e: p + 5 + 3 * e] = OP[op], "EI".index(sign), delay
    return g


def ident(n):
    return [("identity", "E", 0)] * n


def test_hand_built_genome_decodes_to_the_documented_cells():
    L = Layout(cells=2, motifs=2)
    g = genome(L, [
        {"reads": [0], "motifs": [
            ("lateral-3", 0, [("conv3x3", "E", 0), ("conv5x5", "E", 1), ("conv3x3", "E", 0), ("identity", "E", 0)]),
            ("ff-inhibition-3", 1, [("conv3x3", "I", 0), ("none", "E", 0), ("conv3x3", "E", 0)])]},
        {"reduce": 1, "reads": [0, 1], "motifs": [
            ("shortcut-3", 0, [("none", "E", 0), ("conv3x3", "E", 0), ("identity", "E", 0)]),
            ("feedforward-2", 0, [("conv5x5", "I", 0)])]},
    ])
    c0, c1 = decode(L, g)
    assert c0.reads == (0,) and not c0.reduce and c1.reads == (0, 1) and c1.reduce
    lat, ffi = c0.motifs
    assert lat.template == "lateral-3" and lat.source == 0
    # the sign gene applies to convolutions; a delay gene turns 0 -> 2 into feedback 2 -> 0 at t+1; the
    # template's 2 -> 1 always is feedback
    assert [(e.src, e.dst, e.op, e.sign, e.delay) for e in lat.edges] == [
        (0, 1, "conv3x3", "E", False), (2, 0, "conv5x5", "E", True), (1, 2, "conv3x3", "E", False),
        (2, 1, "identity", None, True)]
    # the template's fixed signs override the genes; the motif reads motif 0's output
    assert ffi.source == 1
    assert [(e.src, e.dst, e.sign) for e in ffi.edges] == [(0, 1, "E"), (1, 2, "I")]
    # motif 1 reads motif 0, so only motif 1's output leaves cell 0; both motifs of cell 1 are outputs
    assert c0.outputs == (1,) and c1.outputs == (0, 1)
    # node 1 of the shortcut is cut off from the input: pruned with its edge
    assert [(e.src, e.dst) for e in c1.motifs[0].edges] == [(0, 2)]
    # the network built from it: cell 0's graph joins motif 1 onto motif 0's output node
    net = spaces.get("mse").build(_genotype(L, g), (1, 8, 8), 10, 3, channels=4)
    cell = net.cells[0]
    assert cell.graph.nodes == 5 and cell.graph.outputs == (4,) and cell.stepped
    assert sorted(cell.ops) == ["m0_0_1", "m0_1_2", "m0_2_0", "m0_2_1", "m1_0_1", "m1_1_2"]
    assert (2, 0, "m0_2_0", True) in [(e.src, e.dst, e.name, e.delay) for e in cell.graph.edges]  # feedback into
    # the cell's input node
    assert not net.cells[1].stepped and net.levels == [0, 0, 1]


def _genotype(L, g):
    from spikenas.spaces.mse.genotype import MseGenotype

    return MseGenotype(L.cells, L.motifs, tuple(int(v) for v in g))


def test_invalid_genomes_are_named():
    L = Layout(cells=2, motifs=1)
    ok = genome(L, [{"reads": [0], "motifs": [("feedforward-2", 0, ident(1))]},
                    {"reads": [1], "motifs": [("feedforward-2", 0, ident(1))]}])
    assert is_valid(L, ok)
    cases = [
        (lambda g: g.__setitem__(L.cell_start(1) + 2, 0), "reads nothing"),
        (lambda g: (g.__setitem__(L.cell_start(1) + 1, 1), g.__setitem__(L.cell_start(1) + 2, 0)),
         "read by no later cell"),
        (lambda g: g.__setitem__(L.motif_start(0, 0) + 2, 0), "output cannot be reached"),
        (lambda g: g.__setitem__(L.motif_start(0, 0), len(MOTIFS)), "outside 0.."),
    ]
    for change, words in cases:
        g = ok.copy()
        change(g)
        with pytest.raises(InvalidGenome, match=words):
            decode(L, g)
    three = Layout(cells=3, motifs=1)
    g = genome(three, [{"reduce": 1, "reads": [0], "motifs": [("feedforward-2", 0, ident(1))]}] * 3)
    g[three.cell_start(1) + 2] = g[three.cell_start(2) + 3] = 1  # a chain: cell 0 -> 1 -> 2
    with pytest.raises(InvalidGenome, match="at most 2"):
        decode(three, g)
    space = spaces.get("mse")
    with pytest.raises(InputError, match="genes"):
        space.genotype_from_json('{"space": "mse", "genome": [1, 2, 3]}')
    with pytest.raises(InputError, match="integers"):
        space.genotype_from_json('{"space": "mse", "genome": [1.5]}')


def _cell(template, edges, C=2, T=4):
    L = Layout(cells=1, motifs=1)
    g = genome(L, [{"reads": [0], "motifs": [(template, 0, edges)]}])
    return GraphCell(cell_graph(decode_cells(L, g)[0]), C, NeuronConfig(tau=2.0), T, per_step_bn=True)  # silent too


def test_feedback_edge_delivers_one_step_later():
    x = torch.rand(4, 3, 2, 5, 5) + 0.1
    # recurrent-3 with identity ops: node 1 = x[t] + node 2[t-1], node 2 = node 1: a running sum
    rec = _cell("recurrent-3", ident(3))
    assert torch.allclose(rec(x), x.cumsum(0))
    # lateral-3, identity ops, 0 -> 2 turned into feedback 2 -> 0: n0 = x + n2[t-1], n1 = n0 + n2[t-1],
    # n2 = n1, so y[t] = x[t] + 2 y[t-1]
    lat = _cell("lateral-3", [("identity", "E", 0), ("identity", "E", 1), ("identity", "E", 0), ("identity", "E", 0)])
    y, expect = lat(x), [x[0]]
    for t in range(1, 4):
        expect.append(x[t] + 2 * expect[-1])
    assert torch.allclose(y, torch.stack(expect))
    # a delay on the only path to the output would leave it unreachable within the step: invalid
    with pytest.raises(InvalidGenome, match="cannot be reached"):
        _cell("feedforward-2", [("identity", "E", 1)])


def test_a_template_edge_turned_into_feedback_beside_the_templates_own_keeps_its_operation():
    # ei-recurrent-4 with identity ops, 0 -> 2 and 2 -> 3 (inhibitory) turned into feedback: node 2 holds what
    # 3 -> 2 (excitatory) and the inhibitory 3 -> 2 deliver, n3[t-1] for positive inputs, and feeds node 0 at the
    # next step, so y[t] = x[t] + y[t-2]. Both 3 -> 2 edges once ran one operation (the excitatory one, its
    # membrane stepped twice): y[t] = x[t] + 2 y[t-2].
    cell = _cell("ei-recurrent-4", [("identity", "E", 0), ("identity", "E", 1), ("identity", "E", 0),
                                    ("identity", "I", 1), ("identity", "E", 0)])
    assert {cell.ops["m0_3_2"].sign, cell.ops["m0_3_2_b"].sign} == {"E", "I"}
    x = torch.rand(5, 3, 2, 5, 5) + 0.1
    expect = []
    for t in range(5):
        expect.append(x[t] + (expect[t - 2] if t >= 2 else 0))
    assert torch.allclose(cell(x), torch.stack(expect))
    edges = (Edge(0, 1, "identity"), Edge(0, 1, "lif_conv3x3_bn"))
    with pytest.raises(ValueError, match="0_1 more than once"):
        GraphCell(CellGraph(2, edges, (1,)), 4, NeuronConfig())


@pytest.mark.parametrize("sign", ["E", "I"])
def test_excitatory_and_inhibitory_edges_keep_their_part(sign):
    cell = _cell("feedforward-2", [("conv3x3", sign, 0)])
    y = cell(torch.rand(3, 8, 2, 6, 6) * 4)
    assert (y >= 0).all() if sign == "E" else (y <= 0).all()
    assert (y != 0).any()
    # a template's fixed inhibitory edge applies even to an identity op
    ffi = _cell("ff-inhibition-3", [("identity", "E", 0), ("none", "E", 0), ("identity", "E", 0)])
    x = torch.randn(2, 3, 2, 4, 4)
    assert torch.equal(ffi(x), -torch.relu(-torch.relu(x)))  # E then I on the path 0 -> 1 -> 2: zero
    assert torch.equal(ffi(x), torch.zeros_like(x))


def test_inhibitory_sign_without_gradient_is_the_same_as_with():
    """Scoring keeps the negative part in one op (min(y, 0)); training keeps -relu(-y), whose gradient is 0
    at y = 0. Same values either way, and the training gradient is unchanged."""
    from spikenas.cells.ops import make_op

    op = make_op("identity", 4, NeuronConfig(), None, {"sign": "I"})
    y = torch.randn(3, 2, 4, 5, 5)
    y[0] = 0.0
    with torch.no_grad():
        fast = op(y)
    assert torch.equal(fast, -torch.relu(-y))
    y.requires_grad_(True)
    slow = op(y)
    assert torch.equal(slow, fast)
    slow.sum().backward()
    assert torch.equal(y.grad, (y < 0).float())


def test_stepped_and_sequence_paths_agree_for_forward_cells():
    torch.manual_seed(0)
    cell = _cell("diamond-4", [("conv3x3", "E", 0), ("conv5x5", "I", 0), ("identity", "E", 0),
                               ("conv3x3", "E", 0)], C=3)
    x = torch.randn(4, 5, 3, 6, 6) * 2
    assert not cell.stepped
    cell.eval()  # in train mode BN's batch statistics span all steps in one path and one step in the other
    assert torch.allclose(cell._sequence(x), cell._stepped(x), atol=1e-6)


def test_a_stepped_cell_evaluates_as_it_trained():
    """Each step of a cell with feedback is normalised by its own batch statistics in training; evaluation
    must use that step's running statistics, not an average over steps (measured: 63.6% vs 95.5%)."""
    torch.manual_seed(0)
    cell = _cell("lateral-3", [("conv3x3", "E", 1), ("conv3x3", "E", 0), ("conv5x5", "I", 0), ("conv3x3", "E", 0)],
                 C=4, T=4)
    assert cell.stepped
    steps = torch.arange(4.0).view(4, 1, 1, 1, 1)
    x = torch.randn(4, 64, 4, 6, 6) * (steps + 1) + steps  # every step distributed differently
    for m in cell.modules():
        if isinstance(m, TimestepBatchNorm2d):
            m.momentum = 1.0  # running statistics = this batch's
    with torch.no_grad():
        trained = cell.train()(x)
        evaluated = cell.eval()(x)
    # equal up to the unbiased variance kept in the running statistics (n / (n - 1), n = 64 * 36)
    assert (trained - evaluated).abs().max() < 1e-2 and (trained - evaluated).abs().mean() < 1e-3
    with pytest.raises(ValueError, match="outside the 4"):
        cell(torch.randn(5, 2, 4, 6, 6))


def test_timestep_batchnorm_keeps_statistics_per_step():
    torch.manual_seed(0)
    bn, plain = TimestepBatchNorm2d(3, timesteps=2), [torch.nn.BatchNorm2d(3) for _ in range(2)]
    with torch.no_grad():
        bn.weight.uniform_(0.5, 2)
        bn.bias.normal_()
        for p in plain:
            p.weight.copy_(bn.weight)
            p.bias.copy_(bn.bias)
    for _ in range(3):
        x = torch.randn(2, 8, 3, 4, 4) * torch.tensor([1.0, 5.0]).view(2, 1, 1, 1, 1)
        assert torch.allclose(bn(x), torch.stack([plain[t](x[t]) for t in range(2)]), atol=1e-6)
    for t in range(2):  # step t's running statistics are those of a BN that saw only step t
        assert torch.allclose(bn.running_mean[t], plain[t].running_mean, atol=1e-6)
        assert torch.allclose(bn.running_var[t], plain[t].running_var, atol=1e-6)
    bn.eval()
    for p in plain:
        p.eval()
    assert torch.allclose(bn.step(x[1], 1), plain[1](x[1]), atol=1e-6)
    assert sum(p.numel() for p in bn.parameters()) == sum(p.numel() for p in plain[0].parameters())


def test_macro_connections_and_reductions():
    """Cell 1 reads the stem and cell 0 and reduces: its input is both, average-pooled to half size and
    padded with zero channels to twice the width; cell 2 reduces again and reads the stem (pooled twice, four
    times the width) and cell 1."""
    L = Layout(cells=3, motifs=1)
    g = genome(L, [{"reads": [0], "motifs": [("feedforward-2", 0, ident(1))]},
                   {"reduce": 1, "reads": [0, 1], "motifs": [("feedforward-2", 0, ident(1))]},
                   {"reduce": 1, "reads": [0, 2], "motifs": [("feedforward-2", 0, [("conv3x3", "E", 0)])]}])
    net = spaces.get("mse").build(_genotype(L, g), (1, 8, 8), 10, 2, channels=4)
    assert net.widths == [4, 4, 8, 16] and [c.ops["m0_0_1"].conv.in_channels if c.ops["m0_0_1"].kind != "identity"
                                             else None for c in net.cells] == [None, None, 16]
    assert net.fc.in_features == 16
    seen = {}
    for i, cell in enumerate(net.cells):
        cell.register_forward_hook(lambda m, inp, out, i=i: seen.__setitem__(i, (inp[0], out)))
    net(torch.randn(3, 1, 8, 8))
    stem = seen[0][0]
    assert torch.equal(seen[0][1], stem)  # identity cell
    pool = lambda x: torch.nn.functional.avg_pool2d(x.flatten(0, 1), 2).unflatten(0, x.shape[:2])  # noqa: E731
    pad = lambda x, c: torch.cat([x, x.new_zeros(*x.shape[:2], c - x.shape[2], *x.shape[3:])], 2)  # noqa: E731
    assert seen[1][0].shape == (2, 3, 8, 4, 4) and torch.allclose(seen[1][0], pad(pool(stem + stem), 8))
    expect = pad(pool(pool(stem)), 16) + pad(pool(seen[1][1]), 16)
    assert seen[2][0].shape == (2, 3, 16, 2, 2) and torch.allclose(seen[2][0], expect)


def test_the_flat_readout_reads_every_position_and_old_genotypes_keep_the_pooled_one():
    """A search's networks read the last cell's spikes at every position (flat); a genotype written before the
    choice (no 'readout') keeps the pooled readout, its JSON and its hash; the file's readout wins over the
    space's; a bad one is named."""
    space = MseSpace(cells=3, motifs=1)
    g = space.sample(np.random.default_rng(0))
    assert g.readout == "flat" and g.to_dict()["readout"] == "flat" and g.code().endswith(" flat")
    net = space.build(g, (1, 9, 9), 10, 2, channels=4)  # two reductions: 9 -> 4 -> 2
    assert net.fc.in_features == 16 * 2 * 2
    seen = {}
    net.head_lif.register_forward_hook(lambda m, inp, out: seen.__setitem__("spikes", out))
    x = torch.randn(3, 1, 9, 9)
    out = net(x)
    expect = torch.nn.functional.linear(seen["spikes"].flatten(2), net.fc.weight, net.fc.bias).mean(0)
    assert out.shape == (3, 10) and torch.allclose(out, expect)

    old = {k: v for k, v in g.to_dict().items() if k != "readout"}
    pooled = space.genotype_from_dict(old)
    assert pooled.readout == "pool" and "readout" not in pooled.to_dict() and not pooled.code().endswith("flat")
    assert pooled.hash() == stable_hash({"space": "mse", "structure": old["structure"]})  # as it was
    assert pooled.hash() != g.hash() and space.genotype_from_json(g.to_json()) == g
    assert space.build(pooled, (1, 9, 9), 10, 2, channels=4).fc.in_features == 16
    assert MseSpace(readout="pool").sample(np.random.default_rng(0)).readout == "pool"
    with pytest.raises(InputError, match="genotype: 'readout' must be flat or pool, not 'mean'"):
        space.genotype_from_dict({**old, "readout": "mean"})
    with pytest.raises(InputError, match="--readout must be flat or pool"):
        MseSpace(readout="gap")


@pytest.mark.parametrize("reductions", ["any", None])  # any count; the default count
@settings(max_examples=1000, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_sample_mutate_crossover_stay_valid(reductions, seed):
    space = spaces.get("mse", reductions=reductions)
    rng = np.random.default_rng(seed)
    a, b = space.sample_genome(rng), space.sample_genome(rng)
    m = space.mutate_genome(a, rng)
    c = space.crossover_genome(a, b, rng)
    for g in (a, b, m, c):
        assert is_valid(space.layout, g)
        assert ((g >= 0) & (g <= space.upper)).all()
    assert space.genotype(m).hash() != space.genotype(a).hash()
    # the genotype survives JSON
    ga = space.genotype(a)
    assert space.genotype_from_json(ga.to_json()) == ga


def _reduce_bits(space, g):
    return tuple(int(g[space.layout.cell_start(c)]) for c in range(space.layout.cells))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(4, 0), (4, 1), (4, 2), (6, 2), (2, 2)]))
def test_a_fixed_reduction_count_holds_through_variation(seed, shape):
    cells, reductions = shape
    space = MseSpace(cells=cells, motifs=2, reductions=reductions)
    rng = np.random.default_rng(seed)
    a, b = space.sample_genome(rng), space.sample_genome(rng)
    for g in (a, b, space.mutate_genome(a, rng), space.crossover_genome(a, b, rng)):
        assert is_valid(space.layout, g) and sum(_reduce_bits(space, g)) == reductions


def test_mutation_moves_reductions_it_cannot_add():
    """With the count fixed, where the network reduces still evolves: mutations move reductions between cells."""
    space = MseSpace(cells=4, motifs=1, reductions=1)
    rng = np.random.default_rng(0)
    g, seen = space.sample_genome(rng), set()
    for _ in range(300):
        g = space.mutate_genome(g, rng)
        seen.add(_reduce_bits(space, g))
    assert seen == {(1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1)}
    free = MseSpace(cells=4, motifs=1, reductions="any")  # any count: sampling reaches 0, 1 and 2 reductions
    counts = {sum(_reduce_bits(free, free.sample_genome(rng))) for _ in range(200)}
    assert counts == {0, 1, 2}


def test_space_settings_are_checked():
    with pytest.raises(InputError, match="--reductions must be 'any' or a number between 0 and 2"):
        MseSpace(reductions=3)
    with pytest.raises(InputError, match="not 'some'"):
        MseSpace(reductions="some")
    assert MseSpace().reductions == 2 and MseSpace(cells=1).reductions == 1
    with pytest.raises(InputError, match="between 0 and 1 for 1 cells"):
        MseSpace(cells=1, reductions=2)
    with pytest.raises(InputError, match="--cells must be a positive integer"):
        MseSpace(cells=0)
    with pytest.raises(InputError, match="--cells is not a setting of the snasnet space"):
        spaces.get("snasnet", cells=4)
    assert spaces.get("mse", cells=6, motifs=2, reductions=None).layout == Layout(6, 2)
    assert spaces.get("mse", reductions="any").reductions == "any"


def test_motif_library_is_well_formed():
    for m in MOTIFS:
        assert all(0 <= s < m.nodes and 0 <= d < m.nodes and s != d for s, d, _ in m.edges)
        assert all(d != 0 for _, d, _ in m.edges)  # nothing feeds a motif's input node
    assert {n for n in MOTIF_BY_NAME} >= {"feedforward-2", "lateral-3", "recurrent-3", "ff-inhibition-3", "diamond-4"}


def test_a_network_whose_readout_never_fires_fails_scoring():
    """A network whose last cell outputs a constant: the readout BN sees a constant and its neurons never
    fire. Scoring records that as a failure, not a score."""
    from spikenas.search.scoring import score_network

    L = Layout(cells=1, motifs=1)
    alive = genome(L, [{"reads": [0], "motifs": [("feedforward-2", 0, [("conv3x3", "E", 0)])]}])
    torch.manual_seed(0)
    net = MseSpace(cells=1, motifs=1).build(_genotype(L, alive), (1, 8, 8), 10, 3, channels=4)
    batches, labels = [torch.randn(32, 1, 8, 8)], [torch.arange(32) % 10]
    assert np.isfinite(score_network(net, batches, "rdm", labels=labels)[0])  # a score (rsa may be below 0 here)
    net.cells[-1].register_forward_hook(lambda m, inp, out: torch.zeros_like(out))
    with pytest.raises(ValueError, match="never fire"):
        score_network(net, batches, "rdm", labels=labels)


def test_the_default_rdm_score_asks_for_labels():
    """RDM's default reduction (rsa) reads the batches' labels: without them, or with a label tensor missing,
    scoring fails before the network runs, naming the label-free way; a label-free reduction needs none."""
    from spikenas.scores import RdmOptions
    from spikenas.search.scoring import score_network

    L = Layout(cells=1, motifs=1)
    g = genome(L, [{"reads": [0], "motifs": [("feedforward-2", 0, [("conv3x3", "E", 0)])]}])
    net = MseSpace(cells=1, motifs=1).build(_genotype(L, g), (1, 8, 8), 10, 3, channels=4)
    batches = [torch.randn(16, 1, 8, 8) for _ in range(2)]
    with pytest.raises(ValueError, match="reads each batch's labels.*label-free rdm_reduction"):
        score_network(net, batches, "rdm")
    with pytest.raises(ValueError, match="1 label tensors for 2 batches"):
        score_network(net, batches, "rdm", labels=[torch.arange(16) % 10])
    assert score_network(net, batches, "rdm", options=RdmOptions(rdm_reduction="mean"))[0] > 0


def test_silent_cells_are_invalid():
    """An excitatory edge into an inhibitory identity passes nothing: the genome is refused by name."""
    L = Layout(cells=1, motifs=1)
    dead = genome(L, [{"reads": [0], "motifs": [("ff-inhibition-3", 0, [("identity", "E", 0), ("none", "E", 0),
                                                                        ("identity", "E", 0)])]}])
    with pytest.raises(InvalidGenome, match="cell 0: its output is zero"):
        decode(L, dead)
    # an inhibitory cell silences a reader whose every path starts with a convolution
    L2 = Layout(cells=2, motifs=1)
    g = genome(L2, [{"reads": [0], "motifs": [("feedforward-2", 0, [("conv3x3", "I", 0)])]},
                    {"reads": [1], "motifs": [("feedforward-2", 0, [("conv3x3", "E", 0)])]}])
    with pytest.raises(InvalidGenome, match="cell 1: its output is zero"):
        decode(L2, g)
    g[L2.cell_start(1) + 1] = 1  # reading the stem as well gives it something positive
    assert is_valid(L2, g)


@pytest.mark.parametrize("seed", range(4))
def test_sign_analysis_matches_the_cells_it_describes(seed):
    """For random cells (silent ones included) and inputs that are positive, negative or mixed: a cell the
    analysis calls zero outputs zeros, one it calls non-negative (non-positive) never outputs a value
    below (above) zero, and one it says can take a sign does on random input."""
    space, rng = MseSpace(cells=1, motifs=3), np.random.default_rng(seed)
    torch.manual_seed(seed)
    seen = set()
    for _ in range(25):
        (spec,) = decode_cells(space.layout, space._draw_blocks(rng))
        cell = GraphCell(cell_graph(spec), 3, NeuronConfig(tau=2.0), 4, per_step_bn=True)
        for x_signs, x in ((POS | NEG, torch.randn(4, 16, 3, 6, 6) * 3), (POS, torch.rand(4, 16, 3, 6, 6) * 3),
                           (NEG, -torch.rand(4, 16, 3, 6, 6) * 3)):
            with torch.no_grad():
                y = cell(x)
            signs = output_signs(cell_graph(spec), x_signs)
            seen.add(signs)
            assert bool((y > 0).any()) == bool(signs & POS) and bool((y < 0).any()) == bool(signs & NEG), spec
    assert seen == {0, POS, NEG, POS | NEG}  # every outcome was exercised


class _Layers:
    """Spike monitor keeping every neuron's spikes, [B, timesteps x positions] per neuron."""

    def __init__(self) -> None:
        self.spikes: dict[int, list[torch.Tensor]] = {}

    def record(self, neuron, spikes: torch.Tensor) -> None:
        self.spikes.setdefault(id(neuron), []).append(spikes.transpose(0, 1).reshape(spikes.shape[1], -1))


def test_rdm_reads_the_last_cell_by_default_and_every_layer_when_asked():
    """RDM's default (rsa over the last cell's layers) equals the reference rdm() over those layers' spikes,
    'all' equals it over every layer, and a network that names no last cell is read whole either way."""
    from spikenas.models.baseline import SpikingVGG
    from spikenas.options import make_options
    from spikenas.scores import RdmOptions, rdm
    from spikenas.search.scoring import score_network
    from spikenas.snn import is_neuron

    space = MseSpace(cells=3, motifs=2)
    for seed in range(20):  # a network whose last cell has spiking layers of its own
        torch.manual_seed(0)
        net = space.build(space.sample(np.random.default_rng(seed)), (1, 12, 12), 4, 2, channels=4)
        last = [m for m in net.cells[-1].modules() if is_neuron(m)]
        if last:
            break
    assert net.last_cell_neurons() == last
    x, y = torch.randn(48, 1, 12, 12), torch.arange(48) % 4
    neurons = [m for m in net.modules() if is_neuron(m)]
    assert len(neurons) > len(last)
    rec = _Layers()
    for n in neurons:
        n.monitor = rec
    net.train()
    with torch.no_grad():
        net(x)
    for n in neurons:
        n.monitor = None
    maps = {k: torch.cat(v, 1) for k, v in rec.spikes.items()}
    want_last = rdm([maps[id(m)] for m in last], reduction="rsa", labels=y)
    want_all = rdm([maps[id(m)] for m in neurons], reduction="rsa", labels=y)
    got_last, _ = score_network(net, [x], "rdm", labels=[y])
    got_all, _ = score_network(net, [x], "rdm", options=RdmOptions(rdm_layers="all"), labels=[y])
    assert got_last == pytest.approx(want_last, abs=1e-12) and got_all == pytest.approx(want_all, abs=1e-12)
    assert abs(got_last - got_all) > 1e-6  # two different scores

    vgg = SpikingVGG((1, 12, 12), 4, 2, width=4)
    vgg_default, _ = score_network(vgg, [x], "rdm", labels=[y])
    vgg_all, _ = score_network(vgg, [x], "rdm", options=RdmOptions(rdm_layers="all"), labels=[y])
    assert vgg_default == vgg_all
    with pytest.raises(InputError, match="rdm-layers"):
        make_options(RdmOptions, {"rdm_layers": "first-cell"}, "rdm score")
