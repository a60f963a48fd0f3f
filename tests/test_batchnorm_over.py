"""The batch norm written over its input (snn.batchnorm_over) against the module's own forward: the same
bits in train mode without running statistics (scoring) and in eval mode, in either layout; anything it
cannot reproduce exactly takes the module's forward and leaves the input alone; a network scores the same
with it and without it."""

import numpy as np
import pytest
import torch
from torch import nn

from spikenas import spaces
from spikenas.search.scoring import Networks, score_candidate
from spikenas.snn import batchnorm_over
from spikenas.snn.batchnorm_over import bn_over, run_chain


def _bn(mode: str) -> nn.BatchNorm2d:
    torch.manual_seed(0)
    bn = nn.BatchNorm2d(6)
    nn.init.uniform_(bn.weight, 0.5, 1.5)
    nn.init.normal_(bn.bias)
    if mode == "train, no running statistics":  # as the scoring path builds it
        bn.track_running_stats = False
        bn.running_mean = bn.running_var = bn.num_batches_tracked = None
    else:
        bn.running_mean.normal_()
        bn.running_var.uniform_(0.5, 2.0)
        bn.eval()
    return bn


@pytest.mark.parametrize("mode", ["train, no running statistics", "eval"])
@pytest.mark.parametrize("layout", [torch.contiguous_format, torch.channels_last])
def test_written_over_the_input_with_the_modules_bits(mode, layout):
    bn = _bn(mode)
    y = (torch.randn(8, 6, 5, 7) * 3 + 1).to(memory_format=layout)
    with torch.no_grad():
        expect = bn(y)
        out = bn_over(bn, y.clone())
        mine = y.clone()
        assert bn_over(bn, mine).data_ptr() == mine.data_ptr()  # written over its input
    assert torch.equal(out, expect) and torch.equal(mine, expect)


def test_what_it_cannot_reproduce_takes_the_modules_forward_and_leaves_the_input():
    y = torch.randn(4, 6, 3, 3)
    with torch.no_grad():
        tracked = nn.BatchNorm2d(6)  # train mode with running statistics: the module updates them
        out = bn_over(tracked, y)
        assert out.data_ptr() != y.data_ptr() and tracked.num_batches_tracked.item() == 1
        hooked = _bn("eval")
        calls = []
        hooked.register_forward_hook(lambda *a: calls.append(1))
        assert bn_over(hooked, y).data_ptr() != y.data_ptr() and calls == [1]
    bn = _bn("eval")
    out = bn_over(bn, y.requires_grad_())  # a gradient to carry
    assert out.grad_fn is not None


def test_a_chain_runs_conv_then_bn_over_the_conv_output_and_the_rest_as_is():
    torch.manual_seed(1)
    chain = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1, bias=False), _bn("eval"), nn.AvgPool2d(2))
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        assert torch.equal(run_chain(chain, x), chain(x))


@pytest.mark.parametrize("space_name", sorted(spaces.SPACES))
def test_networks_score_the_same_with_it_and_without_it(space_name, monkeypatch):
    space = spaces.get(space_name)
    rng = np.random.default_rng(2)
    genotypes = [space.sample(rng) for _ in range(4)]
    build = {"input_shape": (3, 12, 12), "num_classes": 10, "timesteps": 3, "channels": 8}
    batches = [torch.randn(10, 3, 12, 12, generator=torch.Generator().manual_seed(b)) for b in range(2)]

    def scores():
        networks, out = Networks(space, build, torch.device("cpu")), []
        for g in genotypes:
            try:
                r = score_candidate(networks, g, batches, seed=5, score="sahd")
                out.append((r["score"], r["spikes"]))
            except ValueError as e:  # a readout that never fires: the same either way
                out.append(str(e))
        return out

    decide, decisions = batchnorm_over._can_write_over, []
    monkeypatch.setattr(batchnorm_over, "_can_write_over",
                        lambda bn, y: decisions.append(decide(bn, y)) or decisions[-1])
    fast = scores()
    assert any(decisions)  # the batch norms were written over their inputs
    monkeypatch.setattr(batchnorm_over, "_can_write_over", lambda bn, y: False)
    assert scores() == fast
