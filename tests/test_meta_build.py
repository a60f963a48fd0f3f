"""Scoring builds each network on the meta device, strips its batch norms' running statistics and lets
reset_parameters() fill it: that is only right if reset_parameters() sets every parameter and buffer left,
and if the stripped statistics change nothing scoring sees. A network so made must equal one built the
ordinary way and reset with the same seed (its parameters and remaining buffers), and give the same outputs
and spikes in train mode, for every space and neuron kind."""

import numpy as np
import pytest
import torch

from spikenas import spaces
from spikenas.search.scoring import Networks, score_network
from spikenas.snn.neuron_config import NeuronConfig


@pytest.mark.parametrize("space_name", sorted(spaces.SPACES))  # every space, present and future
@pytest.mark.parametrize("kind", ["lif", "plif", "if"])
def test_meta_built_network_equals_an_ordinary_one(space_name, kind):
    space = spaces.get(space_name)
    rng = np.random.default_rng(0)
    neuron = NeuronConfig(kind=kind, tau=3.0)
    build = {"input_shape": (3, 16, 16), "num_classes": 10, "timesteps": 4, "channels": 8, "neuron": neuron}
    x = torch.randn(6, 3, 16, 16)
    for _ in range(8):
        g = space.sample(rng)
        ordinary = space.build(g, **build)
        torch.manual_seed(7)
        ordinary.reset_parameters()
        made = Networks(space, build, torch.device("cpu"), reuse=False).get(g, seed=0)
        torch.manual_seed(7)
        made.reset_parameters()
        a, b = ordinary.state_dict(), made.state_dict()
        assert not [k for k in b if "running" in k or "num_batches" in k]
        assert set(b) == {k for k in a if "running" not in k and "num_batches" not in k}
        for k in b:
            assert torch.equal(a[k], b[k]), (space_name, kind, k)
        ordinary.train()
        made.train()
        with torch.no_grad():  # the same seed for dropout in train mode
            torch.manual_seed(1)
            y = ordinary(x)
            torch.manual_seed(1)
            assert torch.equal(y, made(x)), (space_name, kind)
        try:
            torch.manual_seed(1)
            expect = score_network(ordinary, [x], "sahd")
        except ValueError:  # a readout that never fires is refused the same way
            with pytest.raises(ValueError):
                score_network(made, [x], "sahd")
            continue
        torch.manual_seed(1)
        assert score_network(made, [x], "sahd") == expect


@pytest.mark.parametrize("space_name", sorted(spaces.SPACES))
def test_reused_parts_give_the_networks_built_afresh(space_name):
    """The fast path (every network built from the previous network's pooled edge
    operations) against a network built afresh per candidate: same weights and buffers, same scores and
    spikes, over a run of candidates that includes a repeat. Each candidate also gets early-loss, which
    trains the pooled parts in place: nothing of that may leak into the next candidate."""
    from spikenas.scores import EarlyLossOptions
    from spikenas.search.scoring import score_candidate

    space = spaces.get(space_name)
    rng = np.random.default_rng(4)
    genotypes = [space.sample(rng) for _ in range(10)]
    genotypes.insert(5, genotypes[1])
    build = {"input_shape": (3, 12, 12), "num_classes": 10, "timesteps": 3, "channels": 8}
    batches = [torch.randn(10, 3, 12, 12, generator=torch.Generator().manual_seed(b)) for b in range(2)]
    labels = [torch.arange(10) % 4] * 2
    scores = [("rdm", None), ("early-loss", EarlyLossOptions(early_steps=2, early_batch=5))]
    fresh = Networks(space, build, torch.device("cpu"), reuse=False)
    reused = Networks(space, build, torch.device("cpu"))
    for g in genotypes:
        try:
            a = score_candidate(fresh, g, batches, seed=3, score=scores, labels=labels)
        except ValueError as e:
            assert "never fire" in str(e)
            with pytest.raises(ValueError, match="never fire"):
                score_candidate(reused, g, batches, seed=3, score=scores, labels=labels)
        else:
            b = score_candidate(reused, g, batches, seed=3, score=scores, labels=labels)
            assert (a["score"], a["spikes"], a["params"]) == (b["score"], b["spikes"], b["params"])
            assert a["scores"] == b["scores"]
        sa, sb = fresh.get(g, 3).state_dict(), reused.get(g, 3).state_dict()
        assert list(sa) == list(sb)
        assert all(torch.equal(sa[k], sb[k]) for k in sa)
