"""Edges leaving one node through equal neurons without parameters share one neuron (cells.graph_cell): the
network computes the same outputs and gradients with the same state dict, and counts each distinct
neuron's spikes once; learned neurons, different settings and pooled cells are left as they are."""

import copy

import pytest
import torch

from spikenas import spaces
from spikenas.cells import CellGraph, Edge, GraphCell, OpPool, share_duplicate_neurons
from spikenas.snn.monitor import SpikeMonitor
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.train.run import build_model

# SAHD's pick on Fashion-MNIST: node 0 feeds two LIF-conv3x3 edges (0_1, 0_3), and 3 -> 1 is a feedback edge
STEPPED = [[0, 3, 1, 3], [0, 0, 2, 0], [0, 0, 0, 3], [0, 3, 0, 0]]
SEQUENCE = [[0, 3, 1, 3], [0, 0, 2, 0], [0, 0, 0, 3], [0, 0, 0, 0]]  # no feedback: the whole sequence at once


def _pair(matrix, neuron=None):
    g = spaces.get("snasnet").genotype_from_dict({"space": "snasnet", "matrix": matrix, "hidden": 0,
                                                  "step_bn": True})
    torch.manual_seed(0)
    plain = spaces.get("snasnet").build(g, (1, 12, 12), 10, 3, channels=8, dropout=0.0,
                                        neuron=neuron or NeuronConfig(tau=2.0, threshold=0.5))
    shared = copy.deepcopy(plain)
    return plain, shared, share_duplicate_neurons(shared)


def _spikes(model, x):
    with torch.no_grad(), SpikeMonitor(model) as mon:
        model(x)
        mon.add_samples(len(x))
    return mon.summary()


@pytest.mark.parametrize("matrix", [STEPPED, SEQUENCE], ids=["stepped", "sequence"])
def test_a_shared_neuron_computes_what_the_edges_own_neurons_did(matrix):
    plain, shared, removed = _pair(matrix)
    assert removed == 2  # one per cell: node 0's two convolutions
    assert plain.state_dict().keys() == shared.state_dict().keys()
    x = torch.rand(6, 1, 12, 12) * 3
    for model in (plain, shared):
        model.zero_grad()
        model(x).square().sum().backward()  # training mode: batch statistics, gradients
    grads = dict(plain.named_parameters())
    for name, p in shared.named_parameters():
        assert torch.allclose(p.grad, grads[name].grad, rtol=1e-4, atol=1e-6), name
    plain.eval(), shared.eval()
    with torch.no_grad():
        assert torch.equal(plain(x), shared(x))
    a, b = _spikes(plain, x), _spikes(shared, x)
    per_layer = a["spikes_per_sample_per_layer"]
    twins = per_layer["cell1.ops.0_3.neuron"] + per_layer["cell2.ops.0_3.neuron"]
    assert twins > 0
    assert per_layer["cell1.ops.0_1.neuron"] == per_layer["cell1.ops.0_3.neuron"]
    assert b["spikes_per_sample"] == pytest.approx(a["spikes_per_sample"] - twins)
    assert b["spikes_per_sample_per_layer"]["cell1.shared.node0_0_1"] == per_layer["cell1.ops.0_1.neuron"]
    assert b["sops_per_sample"] == pytest.approx(a["sops_per_sample"])  # each convolution still reads them


def test_learned_neurons_and_different_settings_keep_their_own():
    assert _pair(STEPPED, NeuronConfig(kind="plif"))[2] == 0  # each PLIF edge learns its own leak
    graph = CellGraph(3, (Edge(0, 1, "lif_conv3x3_bn"), Edge(0, 2, "lif_conv1x1_bn", params=(("tau", 3.0),)),
                          Edge(0, 2, "lif_conv3x3_bn", key="0_2b", params=(("sign", "E"),)),
                          Edge(1, 2, "lif_conv3x3_bn")), outputs=(2,))
    cell = GraphCell(graph, 4, NeuronConfig())
    x = torch.rand(2, 3, 4, 6, 6) * 3
    with torch.no_grad():
        want = cell(x)
        assert cell.share_neurons() == 1  # 0_1 and 0_2b: the same neuron (a sign acts after the BN)
        assert torch.equal(cell(x), want)
    assert cell.spikes_of == {"0_1": "node0_0_1", "0_2b": "node0_0_1"}
    assert cell.share_neurons() == 0  # a second call finds nothing more to share
    pooled = GraphCell(graph, 4, NeuronConfig(), pool=OpPool())
    with pytest.raises(ValueError, match="op pool"):
        pooled.share_neurons()


def test_a_trained_network_is_built_with_shared_neurons():
    spec = {"name": "genotype", "space": "snasnet", "genotype": {"space": "snasnet", "matrix": STEPPED},
            "channels": 8}
    model = build_model(spec, (1, 12, 12), 10, 3)
    assert set(model.cell1.shared) == {"node0_0_1"} and not hasattr(model.cell1.ops["0_3"], "neuron")
