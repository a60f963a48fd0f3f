"""Scoring builds each network on the meta device and lets reset_parameters() fill it: that is only right if
reset_parameters() sets every parameter and buffer. A network so made must equal one built the ordinary way
and reset with the same seed, for every space and neuron kind."""

import numpy as np
import pytest
import torch

from spikenas import spaces
from spikenas.models.neuron_config import NeuronConfig
from spikenas.search.evaluate import Networks


@pytest.mark.parametrize("space_name", sorted(spaces.SPACES))  # every space, present and future
@pytest.mark.parametrize("kind", ["lif", "plif", "if"])
def test_meta_built_network_equals_an_ordinary_one(space_name, kind):
    space = spaces.get(space_name)
    rng = np.random.default_rng(0)
    neuron = NeuronConfig(kind=kind, tau=3.0)
    build = {"input_shape": (3, 16, 16), "num_classes": 10, "timesteps": 4, "channels": 8, "neuron": neuron}
    for _ in range(8):
        g = space.sample(rng)
        ordinary = space.build(g, **build)
        torch.manual_seed(7)
        ordinary.reset_parameters()
        made = Networks(space, build, torch.device("cpu"), reuse=False).get(g, seed=0)
        torch.manual_seed(7)
        made.reset_parameters()
        a, b = ordinary.state_dict(), made.state_dict()
        assert a.keys() == b.keys()
        for k in a:
            assert torch.equal(a[k], b[k]), (space_name, kind, k)
