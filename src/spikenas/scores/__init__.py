"""Scores: a network at initialisation and its scoring batches in, one number out (higher is better).

A spike score is an accumulator fed every spiking layer's spikes during one forward pass (the spike-monitor
protocol: `record(neuron, spikes)`, then `value()`); several scores of one candidate share that pass
(search.scoring.score_network). A training score (`trains`, early-loss) instead trains the network a few
steps after that pass. SCORES maps a name to its options and how it is computed; adding a score is one entry
(docs/extending.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from spikenas.errors import InputError
from spikenas.options import Options, option
from spikenas.scores.early import EarlyLossOptions, check_draw, early_loss
from spikenas.scores.layers import DEFAULT_LAYERS, LAYERS, neurons_read
from spikenas.scores.rdm import (
    DEFAULT_DISSIMILARITY,
    DEFAULT_REDUCTION,
    DISSIMILARITIES,
    REDUCTIONS,
    RDMAccumulator,
    rdm,
)
from spikenas.scores.sahd import SAHDAccumulator, sahd


@dataclass
class SahdOptions(Options):
    """SAHD takes no option."""


@dataclass
class RdmOptions(Options):
    rdm_dissimilarity: str = option(DEFAULT_DISSIMILARITY, "rdm: how two samples' spike patterns differ",
                                    choices=DISSIMILARITIES)
    rdm_reduction: str = option(DEFAULT_REDUCTION, "rdm: how the dissimilarity matrix becomes a score (rsa: "
                                                   "against the batch's classes; mean, nn, logdet: label-free); "
                                                   "see docs/mse.md", choices=REDUCTIONS)
    rdm_layers: str = option(DEFAULT_LAYERS, "rdm: which spiking layers it reads: last-cell (those of the "
                                             "network's last cell, where it names one: MSE-NAS's) or all",
                             choices=LAYERS)


@dataclass(frozen=True)
class ScoreInfo:
    """`make(options, labels)`: a fresh accumulator for one batch; `needs_labels(options)`: whether it reads
    the batch's labels; `reads(options, model)`: the ids of the neurons whose spikes it is fed (None: every
    spiking layer). A training score has `trains(model, batches, labels, options, precision)` instead of
    `make` (the value; it may change the network, so it runs after every spike score), and may have
    `check(options, batch_size, repeats)`, which raises InputError when a search's scoring draw (`repeats`
    batches of `batch_size`) cannot feed it."""

    name: str
    Options: type
    make: Callable[[Options, torch.Tensor | None], object] | None = None
    needs_labels: Callable[[Options], bool] = lambda o: False
    reads: Callable[[Options, nn.Module], frozenset | None] = lambda o, model: None
    trains: Callable[..., float] | None = None
    check: Callable[[Options, int, int], None] = lambda o, batch_size, repeats: None

    def options_or_defaults(self, given: Options | None) -> Options:
        """`given`, or the score's defaults where it is None."""
        return given if given is not None else self.Options()


SCORES: dict[str, ScoreInfo] = {
    "sahd": ScoreInfo("sahd", SahdOptions, lambda o, labels: SAHDAccumulator()),
    "rdm": ScoreInfo("rdm", RdmOptions,
                     lambda o, labels: RDMAccumulator(o.rdm_dissimilarity, o.rdm_reduction, labels),
                     lambda o: o.rdm_reduction == "rsa", lambda o, model: neurons_read(model, o.rdm_layers)),
    "early-loss": ScoreInfo("early-loss", EarlyLossOptions, needs_labels=lambda o: True, trains=early_loss,
                            check=check_draw),
}


def register(info: ScoreInfo) -> None:
    SCORES[info.name] = info


def get_score(name: str) -> ScoreInfo:
    if name not in SCORES:
        raise InputError(f"unknown score {name!r}; known: {', '.join(SCORES)}")
    return SCORES[name]


__all__ = ["SCORES", "EarlyLossOptions", "RDMAccumulator", "SAHDAccumulator", "ScoreInfo", "early_loss",
           "get_score", "rdm", "register", "sahd"]
