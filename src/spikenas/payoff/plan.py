"""Which networks a payoff run trains, fixed once and written to payoff/config.json so a resumed run trains
the same ones: the search's chosen network, its next best by score (or its Pareto front), networks drawn at
random from its space and scored the way its candidates were, and the hand-built baseline at a similar
parameter count. Each entry carries what is known before training: the training-free score, the
parameters, and the convolutions the network holds (the spaces prune dead edges when they decode, so this
counts the convolutions that survive pruning): the two trivial proxies every score must beat."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from spikenas.errors import InputError
from spikenas.limits import MAX_CHANNELS
from spikenas.models.baseline import SpikingVGG
from spikenas.payoff.options import PayoffOptions
from spikenas.search.config import SearchConfig
from spikenas.search.executors import InlineExecutor
from spikenas.search.run import scoring_job
from spikenas.search.store import Store

DRAW_STREAM = 0x9A7  # the random draws' own stream: never the search's first candidates again


def network_size(build) -> tuple[int, int]:
    """(parameters, convolutions) of the network `build()` makes, built on the meta device (no memory)."""
    with torch.device("meta"):
        model = build()
    return (sum(p.numel() for p in model.parameters()),
            sum(isinstance(m, nn.Conv2d) for m in model.modules()))


def plan_networks(search_dir: Path, cfg: SearchConfig, opts: PayoffOptions, seed: int, shape, classes: int,
                  timesteps: int, device: str, neuron: dict) -> list[dict]:
    """The networks to train, in order: {"name", "kind" (found, top, front, random, baseline), "model" (a
    training run's model entry, with the one neuron (`neuron`, NeuronConfig's fields) they all train with, and
    the one dropout where the network has a dropout layer), "score" (None where there is none), "parameters",
    "convolutions"}."""
    space = cfg.space_obj
    best = json.loads((search_dir / "best.json").read_text(encoding="utf-8"))
    chosen = space.genotype_from_dict(best["genotype"])
    scored = cfg.strategy != "darts"
    trials = _trials(search_dir) if scored else []
    by_hash = {t.hash: t for t in trials}
    entries = [("found", "found", chosen, _scores(cfg, by_hash.get(chosen.hash())))]
    if scored:
        entries += [(f"{kind}{i + 2}", kind, g, _scores(cfg, t)) for i, (kind, g, t) in
                    enumerate(_next_best(search_dir, opts, space, chosen, trials, by_hash))]
    rng = np.random.default_rng([seed, DRAW_STREAM])
    if cfg.max_spikes is not None and scored:
        drawn, scores = draws_within_budget(cfg, opts.random, rng, device)
    else:
        drawn = distinct_draws(space, opts.random, rng)
        scores = score_genotypes(cfg, drawn, device) if scored and drawn else [None] * len(drawn)
    entries += [(f"random{i + 1}", "random", g, s) for i, (g, s) in enumerate(zip(drawn, scores, strict=True))]
    dropout = one_dropout(space, opts.dropout)
    plan = []
    for name, kind, g, values in entries:
        model = {"name": "genotype", "space": cfg.space, "genotype": g.to_dict(), "channels": cfg.channels,
                 "from": str((search_dir / "best.json").resolve()), "neuron": neuron}
        if space.dropout is not None:
            model["dropout"] = dropout
        params, convs = network_size(lambda g=g: space.build(g, shape, classes, timesteps, channels=cfg.channels))
        plan.append({"name": name, "kind": kind, "model": model,
                     "score": None if values is None else values[cfg.score], "scores": values,
                     "parameters": params, "convolutions": convs,
                     "code": g.code() if callable(getattr(g, "code", None)) else g.hash()})
    width = opts.baseline_width
    if width is None:
        width = covering_width(plan[0]["parameters"], shape, classes, timesteps)
    if width:
        params, convs = network_size(lambda: SpikingVGG(shape, classes, timesteps, width=width))
        plan.append({"name": "baseline", "kind": "baseline",
                     "model": {"name": "baseline", "width": width, "dropout": dropout, "neuron": neuron},
                     "score": None, "parameters": params, "convolutions": convs,
                     "code": f"SpikingVGG width {width}"})
    return plan


def one_dropout(space, given: float | None) -> float:
    """The dropout every network of the payoff trains with: `given`, or the space's own (0 where its networks
    have no dropout layer), so the baseline trains with the found network's. A space without a dropout layer
    cannot take p > 0: the baseline alone would train with it."""
    if given is None:
        return space.dropout or 0.0
    if given and space.dropout is None:
        raise InputError(f"--dropout {given}: the {space.name} space's networks have no dropout layer, so the "
                         "baseline alone would train with it")
    return given


def one_neuron(space, given: dict) -> dict:
    """The neuron every network of the payoff trains with (NeuronConfig's fields): the search space's own
    (SNASNet: the paper's LIF with tau 4/3; the others: the default LIF, tau 2) with the settings `given`
    in place of its own, so the baseline trains with the found network's neuron."""
    return asdict(replace(space.neuron, **given))


def distinct_draws(space, k: int, rng: np.random.Generator) -> list:
    """k different networks drawn at random from the space (a repeat is drawn again: training one network
    twice tells nothing new and shrinks the spread); an InputError if the space cannot give k."""
    drawn, seen = [], set()
    for _ in range(100 * k):
        if len(drawn) == k:
            break
        g = space.sample(rng)
        if g.hash() not in seen:
            seen.add(g.hash())
            drawn.append(g)
    if len(drawn) < k:
        raise InputError(f"--random {k}: {len(drawn)} different networks found in {100 * k} draws from the "
                         f"{space.name} space; ask for fewer")
    return drawn


def _trials(search_dir: Path) -> list:
    store = Store(search_dir / "search.sqlite", readonly=True)
    try:
        return [t for t in store.trials() if t.ok]
    finally:
        store.close()


def _scores(cfg: SearchConfig, trial) -> dict | None:
    """Every score a stored candidate got ({name: value}, the selecting one among them); None without one."""
    if trial is None:
        return None
    return {cfg.score: trial.score, **(trial.metrics.get("scores") or {})}


def _next_best(search_dir: Path, opts: PayoffOptions, space, chosen, trials: list, by_hash: dict) -> list[tuple]:
    """(kind, genotype, trial) of the search's front members, or its best candidates by score, the chosen
    network and repeats left out."""
    if opts.front:
        members = [space.genotype_from_dict(m["genotype"])
                   for m in json.loads((search_dir / "front.json").read_text(encoding="utf-8"))["front"]]
        found, kind = [(g, by_hash.get(g.hash())) for g in members], "front"
    else:
        ranked = sorted(trials, key=lambda t: (-t.score, t.idx))
        found, kind = [(space.genotype_from_json(t.genotype), t) for t in ranked], "top"
    seen, out = {chosen.hash()}, []
    for g, trial in found:
        if g.hash() not in seen and (opts.front or len(out) < opts.top - 1):
            seen.add(g.hash())
            out.append((kind, g, trial))
    return out


def score_genotypes(cfg: SearchConfig, genotypes: list, device: str) -> list[dict | None]:
    """Each genotype's training-free scores ({name: value}), computed exactly as the search scored its
    candidates (same batches, same seed rule, the same --also-score); None where it cannot be scored."""
    return [None if "error" in r else _score_values(cfg, r) for r in _results(cfg, genotypes, device)]


@contextmanager
def _scorer(cfg: SearchConfig, device: str):
    """A function genotypes -> each one's scoring result (search.scoring.score_candidate's, or {"error": ...}),
    on one executor: the search's scoring batches are read once however often it is called."""
    executor = InlineExecutor(scoring_job(cfg), torch.device(device))

    def score(genotypes: list) -> list[dict]:
        results = dict(executor.run([g.to_json() for g in genotypes]))
        return [results[i] for i in range(len(genotypes))]

    try:
        yield score
    finally:
        executor.close()


def _results(cfg: SearchConfig, genotypes: list, device: str) -> list[dict]:
    """Each genotype's scoring result, as the search scored its candidates."""
    with _scorer(cfg, device) as score:
        return score(genotypes)


def _score_values(cfg: SearchConfig, r: dict) -> dict:
    return {k: float(v) for k, v in (r.get("scores") or {cfg.score: r["score"]}).items()}


def draws_within_budget(cfg: SearchConfig, k: int, rng: np.random.Generator, device: str,
                        rounds: int = 50) -> tuple[list, list[dict]]:
    """k different networks drawn at random from the part of the space a search with a spike budget chose
    from (scored, and kept where they fire within --max-spikes at initialisation), with their scores; drawn
    k at a time; an InputError when `rounds` of draws do not give k."""
    kept, scores, seen = [], [], set()
    with _scorer(cfg, device) as score:
        for _ in range(rounds):
            batch = [g for g in distinct_draws(cfg.space_obj, k, rng) if g.hash() not in seen]
            seen.update(g.hash() for g in batch)
            for g, r in zip(batch, score(batch), strict=True):
                if "error" not in r and r["spikes"] <= cfg.max_spikes and len(kept) < k:
                    kept.append(g)
                    scores.append(_score_values(cfg, r))
            if len(kept) == k:
                return kept, scores
    raise InputError(f"--random {k}: {len(kept)} of {len(seen)} different networks drawn from the "
                     f"{cfg.space_obj.name} space fire within the search's --max-spikes {cfg.max_spikes:,.0f}; "
                     "ask for fewer")


def covering_width(params: int, shape, classes: int, timesteps: int) -> int:
    """The narrowest baseline with at least `params` parameters (so a found network that matches it does so
    at no more parameters), or the widest the baseline takes."""
    for width in range(1, MAX_CHANNELS + 1):
        n, _ = network_size(lambda w=width: SpikingVGG(shape, classes, timesteps, width=w))
        if n >= params:
            return width
    return MAX_CHANNELS
