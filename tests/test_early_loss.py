"""The early-loss score (spikenas.scores.early): what it holds out, what it steps on, that its steps are real
training, and that a search refuses a scoring draw too small to feed it. That its training of a search's
pooled parts leaks into no later candidate: tests/test_meta_build.py."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from spikenas import spaces
from spikenas.errors import InputError
from spikenas.scores import EarlyLossOptions, early_loss
from spikenas.scores.early import mini_batches
from spikenas.search.config import SearchConfig
from spikenas.search.score_batches import score_batches
from spikenas.search.scoring import Networks, score_network


def test_mini_batches_cut_every_batch_in_order_and_drop_a_short_piece():
    x = torch.arange(2 * 10).float().view(2, 10, 1, 1, 1).expand(2, 10, 1, 2, 2)  # two of [10, 1, 2, 2]
    y = torch.arange(20).view(2, 10)
    pieces = mini_batches(list(x), list(y), 4)
    assert [p[1].tolist() for p in pieces] == [[0, 1, 2, 3], [4, 5, 6, 7], [10, 11, 12, 13], [14, 15, 16, 17]]
    assert all(torch.equal(px[:, 0, 0, 0], py.float()) for px, py in pieces)
    events = torch.zeros(3, 10, 2, 4, 4)  # [T, B, 2, H, W]: cut along the batch
    events[:, :, 0, 0, 0] = torch.arange(10).float()
    (first, y0), (second, _) = mini_batches([events], [torch.arange(10)], 5)
    assert first.shape == (3, 5, 2, 4, 4) and second[0, :, 0, 0, 0].tolist() == [5, 6, 7, 8, 9]


def mse_network(seed=0):
    space = spaces.get("mse")  # no dropout: every forward pass is the same function of the weights
    g = space.sample(np.random.default_rng(seed))
    build = {"input_shape": (1, 8, 8), "num_classes": 10, "timesteps": 2, "channels": 8}
    networks = Networks(space, build, torch.device("cpu"), reuse=False)
    return lambda: networks.get(g, 5)


def digits_draw(batch=64, repeats=4):
    batches, labels, _, _ = score_batches("digits", None, 2, batch, repeats, 0)
    return batches, labels


def test_without_a_learning_rate_it_is_the_held_batchs_loss_at_initialisation():
    make = mse_network()
    batches, labels = digits_draw()
    value = early_loss(make(), batches, labels, EarlyLossOptions(early_steps=3, early_lr=0.0))
    model = make().train()
    with torch.no_grad():
        direct = F.cross_entropy(model(batches[0][:64]).float(), labels[0][:64]).item()
    assert value == pytest.approx(-direct, rel=1e-6)


def test_its_steps_train_the_network_on_the_other_mini_batches():
    """16 steps on the digits (at a learning rate for these tiny 8x8 networks) lower the held batch's loss
    well below where it began; stepping on the held batch itself (a draw of one mini-batch repeated) would
    lower it further, so it is not stepped on."""
    batches, labels = digits_draw()
    options = EarlyLossOptions(early_lr=1e-2)
    start = early_loss(mse_network()(), batches, labels, EarlyLossOptions(early_lr=0.0))
    trained = early_loss(mse_network()(), batches, labels, options)
    assert trained > start + 0.3, (start, trained)
    held = [batches[0][:64]] * 4, [labels[0][:64]] * 4
    memorised = early_loss(mse_network()(), *held, options)
    assert memorised > trained, (trained, memorised)


def test_it_is_computed_after_the_spike_scores_of_the_same_pass():
    """Scored beside rdm, each value is what it is alone: the training comes after the spike scores read
    the network."""
    make = mse_network(seed=2)
    batches, labels = digits_draw()
    few = EarlyLossOptions(early_steps=4)
    both, _ = score_network(make(), batches, [("rdm", None), ("early-loss", few)], labels=labels)
    alone_rdm, _ = score_network(make(), batches, "rdm", labels=labels)
    alone_early, _ = score_network(make(), batches, "early-loss", options=few, labels=labels)
    assert both == {"rdm": alone_rdm, "early-loss": alone_early}


def test_a_search_refuses_a_draw_that_cannot_hold_out_and_train():
    with pytest.raises(InputError, match="needs two mini-batches of --early-batch 300 .* give 0"):
        SearchConfig(score="early-loss", score_options={"early_batch": 300}, batch_size=256, repeats=2)
    with pytest.raises(InputError, match="batches of --batch-size 50 give 0"):  # 150 samples, none cut to 60
        SearchConfig(score="early-loss", score_options={"early_batch": 60}, batch_size=50, repeats=3)
    with pytest.raises(InputError, match="early-loss"):
        SearchConfig(score="sahd", also_score="early-loss", also_score_options={"early-loss": {"early_batch": 64}},
                     batch_size=100, repeats=1)
    SearchConfig(score="sahd", also_score="early-loss", batch_size=128, repeats=1)  # two of 64: enough

