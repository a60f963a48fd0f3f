"""A search's settings: the general ones (data, budget, where it runs) and, per piece, the options the
space, the score and the strategy declare. Written to config.json (version 2); a config.json of release 0.1
(one flat list of every piece's fields) is read by moving each field to its piece."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from spikenas import spaces
from spikenas.errors import InputError
from spikenas.options import make_options, options_dict
from spikenas.scores import get_score
from spikenas.search.strategies import strategy_options

VERSION = 2
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


@dataclass
class SearchConfig:
    space: str = "snasnet"
    strategy: str = "random"
    score: str = "sahd"
    space_options: dict = field(default_factory=dict)
    strategy_options: dict = field(default_factory=dict)
    score_options: dict = field(default_factory=dict)
    also_score: str | None = None  # further scores recorded per candidate, comma-separated (same forward pass)
    dataset: str = "digits"
    data_root: str | None = None
    candidates: int | None = None  # None: the strategy's budget (200; nsga2: from its generations)
    timesteps: int = 5
    seed: int = 0
    batch_size: int = 256
    repeats: int = 2
    channels: int | None = None
    device: str = "cpu"
    precision: str = "fp32"  # "bf16": autocast on CUDA while scoring
    workers: int = 1  # candidates scored at once (the strategy proposes this many before it is told)
    executor: str = "local"
    ray_address: str | None = None
    gpus_per_candidate: float = 1.0

    # settings that may change when a search resumes: where it runs and which front member best.json holds,
    # not what it computes (resuming a finished nsga2 search with another --pick rewrites best.json only)
    RUNTIME = ("device", "executor", "ray_address", "gpus_per_candidate", "pick")

    def __post_init__(self) -> None:
        # each piece checks its own options; the resolved ones (defaults filled in) go to config.json
        self.space_obj = spaces.get(self.space, **self.space_options)
        self.space_options = options_dict(self.space_obj.options)
        score = get_score(self.score)
        self.score_opts = make_options(score.Options, self.score_options, f"{self.score} score")
        self.score_options = options_dict(self.score_opts)
        for name in self.extra_scores():
            get_score(name)
        self.strategy_opts = strategy_options(self.strategy, self.strategy_options)
        self.strategy_options = options_dict(self.strategy_opts)
        self.candidates = self.strategy_opts.budget(self.candidates)
        if self.precision not in ("fp32", "bf16"):
            raise InputError(f"--precision must be fp32 or bf16, not {self.precision!r}")
        for name in ("candidates", "timesteps", "batch_size", "repeats"):
            if getattr(self, name) < 1:
                raise InputError(f"--{name.replace('_', '-')} must be at least 1, not {getattr(self, name)}")
        if self.channels is not None and self.channels < 1:
            raise InputError(f"--channels must be at least 1, not {self.channels}")

    def extra_scores(self) -> list[str]:
        return [s for s in (self.also_score or "").split(",") if s and s != self.score]

    def scores(self) -> list[tuple[str, object]]:
        """(name, options) of every score a candidate gets, the selecting one first."""
        return [(self.score, self.score_opts)] + [(s, get_score(s).Options()) for s in self.extra_scores()]

    def to_dict(self) -> dict:
        return {"version": VERSION, **{f.name: getattr(self, f.name) for f in fields(self)}}

    @classmethod
    def from_dict(cls, d: dict) -> SearchConfig:
        d = dict(d)
        if d.get("version") is None:
            d = upgrade_v1(d)
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


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
    if chosen["strategy"] == "nsga2":
        out["candidates"] = None  # recomputed from the generations
    return out
