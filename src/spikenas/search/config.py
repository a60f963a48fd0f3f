"""A search's settings: the general ones (data, budget, where it runs) and, per piece, the options the
space, the score and the strategy declare. Written to config.json (version 5); a config.json of release 0.1
(one flat list of every piece's fields) is read by moving each field to its piece, one of version 1 or 2
gets the RDM options of its time where they were not recorded (the default reduction was mean until
version 3), an MSE-NAS search before version 4 gets the pooled readout (flat became the default then), and
an RDM score recorded before version 5 reads every layer (the last cell became the default then), so a
search resumes with the networks and the scores it began with."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

from spikenas import spaces
from spikenas.devices import check_device
from spikenas.errors import InputError
from spikenas.limits import MAX_CHANNELS, MAX_SEED, MAX_TIMESTEPS
from spikenas.options import check_fields, make_options, option, options_dict
from spikenas.scores import SCORES, get_score
from spikenas.search.strategies import STRATEGIES, strategy_options, trains

VERSION = 5
# the RDM score's options before version 3 made rsa its default
RDM_BEFORE_V3 = {"rdm_dissimilarity": "hamming", "rdm_reduction": "mean"}
# release 0.1's flat fields, by the piece they belong to
V1_PIECE_FIELDS = {
    "space": ("cells", "motifs", "reductions"),
    "score": ("rdm_dissimilarity", "rdm_reduction"),
    "strategy": ("population", "sample", "generations", "offspring", "objectives", "pick"),
}
V1_ONLY_FOR = {"sample": ("evolution",), "generations": ("nsga2",), "offspring": ("nsga2",),
               "objectives": ("nsga2",), "pick": ("nsga2",), "population": ("evolution", "nsga2"),
               "cells": ("mse",), "motifs": ("mse",), "reductions": ("mse",), "rdm_dissimilarity": ("rdm",),
               "rdm_reduction": ("rdm",)}


def extra_scores(score: str, also_score: str | None) -> list[str]:
    """The scores recorded beside the selecting one: `--also-score`'s list, less the selecting score."""
    return [s for s in (also_score or "").split(",") if s and s != score]


@dataclass
class SearchConfig:
    space: str = option("snasnet", "search space: snasnet (forward and backward edges), snasnet-forward, mse "
                                   "(MSE-NAS: neuron ops, circuit motifs, connectivity across cells) or darts "
                                   "(DARTS cells; MA-DARTS)", choices=lambda: tuple(spaces.SPACES))
    strategy: str = option("random", "random (SNASNet's), evolution (regularized evolution), nsga2 "
                                     "(multi-objective, MSE-NAS's; needs --generations) or darts (differentiable)",
                           choices=lambda: tuple(STRATEGIES))
    score: str = option("sahd", "score: sahd (SNASNet's kernel log-det) or rdm (representational dissimilarity, "
                                "MSE-NAS's), both training-free; or early-loss (a few training steps: "
                                "docs/search.md)", choices=lambda: tuple(SCORES))
    space_options: dict = field(default_factory=dict)
    strategy_options: dict = field(default_factory=dict)
    score_options: dict = field(default_factory=dict)
    also_score: str | None = option(None, "further scores recorded for every candidate from the same forward "
                                          "pass, comma-separated (e.g. rdm), each with its default options",
                                    kind=str)
    also_score_options: dict = field(default_factory=dict)  # {score: its options}: defaults, recorded
    max_spikes: float | None = option(None, "spike budget: a candidate firing more than this many spikes per sample "
                                            "at initialisation is refused (stored as failed, never chosen nor bred "
                                            "from; none: no budget)", kind=float, low=0, high=1e12)
    dataset: str = option("digits", "dataset whose training set feeds the score (see `spikenas data list`)")
    data_root: str | None = option(None, "folder with the dataset's files (or $SPIKENAS_DATA)", kind=str)
    candidates: int | None = option(None, "how many candidates to score (none: 200; nsga2: set by "
                                          "--generations)", kind=int, low=1, high=10_000_000)
    timesteps: int = option(5, "timesteps T", low=1, high=MAX_TIMESTEPS)
    seed: int = option(0, "seed: the same seed gives the same candidates and the same best", low=0, high=MAX_SEED)
    batch_size: int = option(256, "samples per scoring batch", low=1, high=65_536)
    repeats: int = option(2, "scoring batches per candidate, score averaged", low=1, high=1000)
    channels: int | None = option(None, "cell channels C (none: the space's, scaled to the input's area)",
                                  kind=int, low=1, high=MAX_CHANNELS)
    device: str = option("cpu", "cpu, cuda or cuda:N", shown="cuda when present, else cpu")
    precision: str = option("fp32", "fp32, or bf16: autocast while scoring (and training a supernet), on CUDA or "
                                    "the CPU (there oneDNN's bf16 convolutions: up to 4x quicker with AMX or AVX-512 "
                                    "BF16, slower without)", choices=("fp32", "bf16"))
    workers: int = option(1, "candidates scored at once: worker processes (local) or concurrent tasks (ray)",
                          low=1, high=1024)
    threads: int | None = option(None, "CPU threads each candidate is scored with, in every executor (scores "
                                       "can change with the thread count, so a search records it and every "
                                       "executor and resume uses it; none: the cores divided among --workers)",
                                 kind=int, low=1, high=4096)
    executor: str = option("local", "local (this machine: in process, or --workers processes, one per GPU) or "
                                    "ray", choices=("local", "ray"))
    ray_address: str | None = option(None, "ray: address (host:port) of a running cluster (none: start a local "
                                           "one)", kind=str)
    gpus_per_candidate: float = option(1.0, "ray: GPUs each scoring task takes (0.5 puts two on a GPU)", low=0,
                                       high=64)

    # settings that may change when a search resumes: where it runs and which front member best.json holds,
    # not what it computes (resuming a finished nsga2 search with another --pick rewrites best.json only)
    RUNTIME = ("device", "executor", "ray_address", "gpus_per_candidate", "pick")
    # settings of scoring candidates at initialisation, which a training strategy (DARTS) does not do: refused
    # when given for one, and left out of its config.json and report
    SCORING = ("score", "score_options", "also_score", "also_score_options", "max_spikes", "candidates",
               "batch_size", "repeats", "workers", "threads", "executor", "ray_address", "gpus_per_candidate")

    def __post_init__(self) -> None:
        check_fields(self)
        self.data_root = absolute_root(self.data_root)  # payoff and resumes may run from another folder
        for name in ("space_options", "strategy_options", "score_options", "also_score_options"):
            if not isinstance(getattr(self, name), dict):
                raise InputError(f"{name} must be a mapping of option names to values")
        # each piece checks its own options; the resolved ones (defaults filled in) go to config.json
        self.space_obj = spaces.get(self.space, **self.space_options)
        self.space_options = options_dict(self.space_obj.options)
        score = get_score(self.score)
        self.score_opts = make_options(score.Options, self.score_options, f"{self.score} score")
        self.score_options = options_dict(self.score_opts)
        given = self.also_score_options
        self.also_score_opts = {name: make_options(get_score(name).Options, given.get(name, {}), f"{name} score")
                                for name in self.extra_scores()}
        self.also_score_options = {name: options_dict(o) for name, o in self.also_score_opts.items()}
        self.strategy_opts = strategy_options(self.strategy, self.strategy_options)
        if getattr(self.strategy_opts, "pick", "") is None:  # recorded resolved, so a resume keeps it
            self.strategy_opts.pick = getattr(self.space_obj, "pick", "knee")
        self.strategy_options = options_dict(self.strategy_opts)
        self.candidates = self.strategy_opts.budget(self.candidates)
        if self.threads is None:
            self.threads = max(1, (os.cpu_count() or 1) // self.workers)
        check_fields(self)
        for name, opts in self.scores():
            get_score(name).check(opts, self.batch_size, self.repeats)
        check_device(self.device)

    def extra_scores(self) -> list[str]:
        return extra_scores(self.score, self.also_score)

    def scores(self) -> list[tuple[str, object]]:
        """(name, options) of every score a candidate gets, the selecting one first."""
        return [(self.score, self.score_opts), *self.also_score_opts.items()]

    def to_dict(self) -> dict:
        unused = self.SCORING if trains(self.strategy) else ()
        return {"version": VERSION, **{f.name: getattr(self, f.name) for f in fields(self) if f.name not in unused}}

    @classmethod
    def from_dict(cls, d: dict) -> SearchConfig:
        d = dict(d)
        if d.get("version") is None:
            d = upgrade_v1(d)
        if (d.get("version") or 1) < 3 and "also_score_options" not in d:  # recorded only since version 3
            d["also_score_options"] = {"rdm": dict(RDM_BEFORE_V3)}
        opts = d.get("space_options", {})
        if (d.get("version") or 1) < 4 and d.get("space") == "mse" and isinstance(opts, dict):
            d["space_options"] = {"readout": "pool", **opts}  # every MSE-NAS network pooled until version 4
        if (d.get("version") or 1) < 5:  # every RDM score read every layer until version 5
            d = with_rdm_layers_all(d)
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def with_rdm_layers_all(d: dict) -> dict:
    """A config recorded before version 5 with its RDM scores (the selecting one, an --also-score one) reading
    every layer where it does not say otherwise."""
    if d.get("score") == "rdm" and isinstance(d.get("score_options"), dict):
        d["score_options"] = {"rdm_layers": "all", **d["score_options"]}
    also = d.get("also_score_options")
    if isinstance(also, dict) and isinstance(also.get("rdm"), dict):
        d["also_score_options"] = {**also, "rdm": {"rdm_layers": "all", **also["rdm"]}}
    return d


def absolute_root(root: str | None) -> str | None:
    """A data root as an absolute path (`~` expanded), as a search records it."""
    return None if root is None else os.path.abspath(os.path.expanduser(root))


def upgrade_v1(d: dict) -> dict:
    """Release 0.1's flat config -> per-piece options (only the fields the chosen pieces take)."""
    chosen = {"space": d.get("space", "snasnet"), "score": d.get("score", "sahd"),
              "strategy": d.get("strategy", "random")}
    out = {k: v for k, v in d.items() if not any(k in f for f in V1_PIECE_FIELDS.values())}
    for piece, names in V1_PIECE_FIELDS.items():
        out[f"{piece}_options"] = {k: d[k] for k in names
                                   if d.get(k) is not None and chosen[piece] in V1_ONLY_FOR[k]}
    if chosen["space"] == "mse" and "reductions" not in d:
        out["space_options"]["reductions"] = "any"  # searched before the setting existed: any count, as then
    if chosen["score"] == "rdm":  # release 0.1's defaults where it left them out
        out["score_options"] = {**RDM_BEFORE_V3, **out["score_options"]}
    if chosen["strategy"] == "nsga2":
        out["candidates"] = None  # recomputed from the generations
    return out
