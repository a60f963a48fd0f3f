"""A training step of every architecture frees its activations by reference counting alone.

A reference cycle through a forward pass's tensors (a recursive closure over the activations, say) keeps each
step's activations and autograd graph alive until Python's cyclic collector happens to run: on the GPU the
allocated memory climbs epoch after epoch until an out-of-memory error (it did, at epoch 17 of a C = 128
MSE-NAS network on Fashion-MNIST). With the collector off, a step must leave nothing for it to find.
"""

import gc

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from spikenas import spaces
from spikenas.models.baseline import SpikingVGG


def _networks():
    yield "baseline", SpikingVGG((1, 16, 16), 10, 3, width=8)
    for name in ("mse", "snasnet"):
        space = spaces.get(name)
        rng = np.random.default_rng(1)
        for i in range(4):
            yield f"{name}-{i}", space.build(space.sample(rng), (1, 16, 16), 10, 3, channels=8)


@pytest.mark.parametrize("train_mode", [True, False])
def test_a_step_leaves_no_reference_cycles(train_mode):
    x = torch.randn(4, 1, 16, 16)
    y = torch.randint(0, 10, (4,))
    for label, model in _networks():
        model.train(train_mode)
        _step(model, x, y, train_mode)  # a first call compiles the CPU LIF kernels, leaving the compiler's cycles once
        for _ in range(20):  # what earlier tests' compilers left is freed over several rounds (finalizers)
            if gc.collect() == 0:
                break
        gc.disable()
        try:
            _step(model, x, y, train_mode)
            found = gc.collect()
        finally:
            gc.enable()
        assert found == 0, f"{label}: a forward pass left {found} objects in reference cycles"


def _step(model, x, y, train_mode):
    out = model(x)
    if train_mode:
        F.cross_entropy(out, y).backward()
