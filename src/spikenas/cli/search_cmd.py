"""`spikenas search`: a training-free search, every candidate stored, the best written to best.json."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from spikenas.cli.parser import default_device
from spikenas.errors import InputError
from spikenas.search.run import SearchConfig, run_search

S = argparse.SUPPRESS


def count_or_any(text: str) -> int | str:
    if text == "any":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'any', not {text!r}") from None

OPTIONS = {  # option -> (type, help)
    "--space": (str, "search space: snasnet (forward and backward edges), snasnet-forward, or mse (MSE-NAS: "
                     "neuron ops, circuit motifs, connectivity across cells)"),
    "--cells": (int, "mse: cells in the network (4)"),
    "--motifs": (int, "mse: motif slots per cell (3)"),
    "--reductions": (count_or_any,
                     "mse: how many cells halve the resolution, where being evolved (2), or any (the count "
                     "evolved too, 0 to 2)"),
    "--strategy": (str, "random (SNASNet's), evolution (regularized evolution) or nsga2 (multi-objective, "
                        "MSE-NAS's; needs --generations)"),
    "--score": (str, "training-free score: sahd (SNASNet's kernel log-det) or rdm (representational "
                     "dissimilarity, MSE-NAS's)"),
    "--dataset": (str, "dataset whose training set feeds the score"),
    "--data-root": (str, "folder with the dataset's files (or $SPIKENAS_DATA)"),
    "--candidates": (int, "how many candidates to score (200; nsga2: set by --generations)"),
    "--generations": (int, "nsga2: generations after the initial population (candidates = population + "
                           "generations x offspring)"),
    "--offspring": (int, "nsga2: new candidates per generation (50)"),
    "--objectives": (str, "nsga2: comma-separated, among score (maximised), spikes, params (minimised) "
                          "(score,spikes,params)"),
    "--pick": (str, "nsga2: which front member becomes best.json: knee (default) or primary (best score)"),
    "--rdm-dissimilarity": (str, "rdm: hamming (default) or pearson"),
    "--rdm-reduction": (str, "rdm: mean (default), nn, logdet, or rsa (label-aware); see docs/search.md"),
    "--timesteps": (int, "timesteps T (5)"),
    "--seed": (int, "seed: the same seed gives the same candidates and the same best (0)"),
    "--batch-size": (int, "samples per scoring batch (256)"),
    "--repeats": (int, "scoring batches per candidate, score averaged (2)"),
    "--channels": (int, "cell channels C (default: 256 x input area / 32x32, e.g. 16 at 8x8)"),
    "--population": (int, "evolution: population size (20); nsga2: population size (50)"),
    "--sample": (int, "evolution: tournament sample size (5)"),
    "--device": (str, "cpu or cuda (default: cuda when present)"),
    "--precision": (str, "fp32 (default) or bf16: autocast while scoring on CUDA"),
    "--workers": (int, "candidates scored at once: worker processes (local) or concurrent tasks (ray) (1)"),
    "--executor": (str, "local (this machine: in process, or --workers processes, one per GPU) or ray"),
    "--ray-address": (str, "ray: address of a running cluster (default: start a local one)"),
    "--gpus-per-candidate": (float, "ray: GPUs each scoring task takes (1; 0.5 puts two on a GPU)"),
}


def add_parser(sub) -> None:
    p = sub.add_parser("search", help="search an architecture (training-free)",
                       description="Sample candidates from a search space, score each at initialisation, keep "
                                   "every one in RUN/search.sqlite and the best in RUN/best.json.")
    for opt, (typ, hlp) in OPTIONS.items():
        p.add_argument(opt, type=typ, default=S, help=hlp)
    p.add_argument("--run", required=True, help="run folder to write (or resume)")
    p.add_argument("--resume", action="store_true", help="continue the search in --run")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    given = {opt[2:].replace("-", "_"): getattr(args, opt[2:].replace("-", "_"))
             for opt in OPTIONS if hasattr(args, opt[2:].replace("-", "_"))}
    run_dir = Path(args.run)
    saved = run_dir / "config.json"
    if args.resume and saved.exists():
        old = SearchConfig.from_dict(json.loads(saved.read_text()))
        for k, v in given.items():
            if k not in SearchConfig.RUNTIME and getattr(old, k) != v:
                raise InputError(f"--{k.replace('_', '-')} {v} differs from the search's {getattr(old, k)}")
        cfg = SearchConfig.from_dict({**old.to_dict(), **given})
    else:
        if given.get("strategy") == "nsga2" and "candidates" in given:
            raise InputError("--strategy nsga2 takes --generations, not --candidates")
        cfg = SearchConfig(**{"device": default_device(), **given})
    result = run_search(run_dir, cfg, resume=args.resume, show_progress=not args.quiet)
    best = result["best"]
    code = best.extra.get("code") if best.extra else None
    name = code if code and len(code) <= 40 else best.hash
    chosen = f"chosen ({cfg.pick} of the front in {run_dir / 'front.json'})" if cfg.strategy == "nsga2" else "best"
    print(f"{result['candidates']} candidates ({result['failed']} failed); {chosen} #{best.idx} "
          f"{name}: {cfg.score} {best.score:.3f}, spikes/sample at init {best.spikes:.0f}, "
          f"parameters {best.params} -> {run_dir / 'best.json'}")
    return 0
