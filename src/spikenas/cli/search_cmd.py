"""`spikenas search`: a search, every candidate stored, the chosen one written to best.json.

The general options are listed here; every option of a space, score or strategy comes from that piece's
declared Options (spikenas.options), so a new piece's options reach the command line with no edit here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from spikenas import spaces
from spikenas.cli.parser import default_device
from spikenas.errors import InputError
from spikenas.options import field_parser, option_fields
from spikenas.scores import SCORES
from spikenas.search.config import SearchConfig
from spikenas.search.run import run_search
from spikenas.search.strategies import STRATEGIES, strategy_class

S = argparse.SUPPRESS

GENERAL = {  # option -> (type, help)
    "--space": (str, "search space: snasnet (forward and backward edges), snasnet-forward, or mse (MSE-NAS: "
                     "neuron ops, circuit motifs, connectivity across cells)"),
    "--strategy": (str, "random (SNASNet's), evolution (regularized evolution) or nsga2 (multi-objective, "
                        "MSE-NAS's; needs --generations)"),
    "--score": (str, "training-free score: sahd (SNASNet's kernel log-det) or rdm (representational "
                     "dissimilarity, MSE-NAS's)"),
    "--also-score": (str, "further scores recorded for every candidate from the same forward pass, "
                          "comma-separated (e.g. rdm)"),
    "--dataset": (str, "dataset whose training set feeds the score"),
    "--data-root": (str, "folder with the dataset's files (or $SPIKENAS_DATA)"),
    "--candidates": (int, "how many candidates to score (200; nsga2: set by --generations)"),
    "--timesteps": (int, "timesteps T (5)"),
    "--seed": (int, "seed: the same seed gives the same candidates and the same best (0)"),
    "--batch-size": (int, "samples per scoring batch (256)"),
    "--repeats": (int, "scoring batches per candidate, score averaged (2)"),
    "--channels": (int, "cell channels C (default: the space's, scaled to the input's area)"),
    "--device": (str, "cpu or cuda (default: cuda when present)"),
    "--precision": (str, "fp32 (default) or bf16: autocast while scoring on CUDA"),
    "--workers": (int, "candidates scored at once: worker processes (local) or concurrent tasks (ray) (1)"),
    "--executor": (str, "local (this machine: in process, or --workers processes, one per GPU) or ray"),
    "--ray-address": (str, "ray: address of a running cluster (default: start a local one)"),
    "--gpus-per-candidate": (float, "ray: GPUs each scoring task takes (1; 0.5 puts two on a GPU)"),
}
PIECES = ("space", "score", "strategy")


def piece_options() -> dict[str, dict[str, list]]:
    """piece kind -> option name -> [(piece name, dataclass field)] for every registered space, score and
    strategy."""
    registries = {"space": {n: c.Options for n, c in spaces.SPACES.items()},
                  "score": {n: s.Options for n, s in SCORES.items()},
                  "strategy": {n: e.Options for n, e in STRATEGIES.items()}}
    out: dict[str, dict[str, list]] = {k: {} for k in PIECES}
    for kind, reg in registries.items():
        for name, cls in reg.items():
            for f in option_fields(cls):
                out[kind].setdefault(f.name, []).append((name, f))
    return out


def add_parser(sub) -> None:
    p = sub.add_parser("search", help="search an architecture",
                       description="Propose candidates from a search space, score each, keep every one in "
                                   "RUN/search.sqlite and the chosen one in RUN/best.json.")
    for opt, (typ, hlp) in GENERAL.items():
        p.add_argument(opt, type=typ, default=S, help=hlp)
    seen: set[str] = set()
    for names in piece_options().values():
        for name, declared in names.items():
            if name in seen:
                continue
            seen.add(name)
            f = declared[0][1]
            p.add_argument("--" + name.replace("_", "-"), dest=name, type=_parse(f), default=S,
                           help=f.metadata.get("help", ""))
    p.add_argument("--run", required=True, help="run folder to write (or resume)")
    p.add_argument("--resume", action="store_true", help="continue the search in --run")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def _parse(f):
    parse = field_parser(f)

    def typed(text: str):
        try:
            return parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    typed.__name__ = getattr(parse, "__name__", "value")
    return typed


def split_given(args: argparse.Namespace) -> tuple[dict, dict[str, dict]]:
    """(general settings given, {piece kind: {option: value}}) from the command line."""
    general = {o[2:].replace("-", "_"): getattr(args, o[2:].replace("-", "_"))
               for o in GENERAL if hasattr(args, o[2:].replace("-", "_"))}
    by_piece: dict[str, dict] = {k: {} for k in PIECES}
    for kind, names in piece_options().items():
        for name in names:
            if hasattr(args, name):
                by_piece[kind][name] = getattr(args, name)
    return general, by_piece


def route(general: dict, by_piece: dict[str, dict], chosen: dict[str, str]) -> dict:
    """Options for the chosen pieces; an option none of them takes is refused in one line."""
    declared = piece_options()
    out = {f"{k}_options": {} for k in PIECES}
    for kind in PIECES:
        for name, value in by_piece[kind].items():
            takers = [k for k in PIECES if any(p == chosen[k] for p, _ in declared[k].get(name, []))]
            if not takers:
                owner = kind
                raise InputError(f"--{name.replace('_', '-')} is not a setting of the {chosen[owner]} {owner}")
            for k in takers:
                out[f"{k}_options"][name] = value
    return {**general, **out}


def run(args: argparse.Namespace) -> int:
    general, by_piece = split_given(args)
    run_dir = Path(args.run)
    saved = run_dir / "config.json"
    if args.resume and saved.exists():
        try:
            old = SearchConfig.from_dict(json.loads(saved.read_text()))
        except (json.JSONDecodeError, TypeError) as e:
            raise InputError(f"{saved}: not a search's config ({e})") from None
        chosen = {k: getattr(old, k) for k in PIECES}
        given = route(general, by_piece, chosen)
        for k, v in general.items():
            if k not in SearchConfig.RUNTIME and getattr(old, k) != v:
                raise InputError(f"--{k.replace('_', '-')} {v} differs from the search's {getattr(old, k)}")
        merged = old.to_dict()
        for kind in PIECES:
            for k, v in given[f"{kind}_options"].items():
                if k not in SearchConfig.RUNTIME and merged[f"{kind}_options"].get(k) != v:
                    raise InputError(f"--{k.replace('_', '-')} {v} differs from the search's "
                                     f"{merged[f'{kind}_options'].get(k)}")
                merged[f"{kind}_options"][k] = v
        merged.update({k: v for k, v in general.items()})
        cfg = SearchConfig.from_dict(merged)
    else:
        chosen = {k: general.get(k, SearchConfig.__dataclass_fields__[k].default) for k in PIECES}
        given = route(general, by_piece, chosen)
        takes = STRATEGIES[chosen["strategy"]].Options.budget_option if chosen["strategy"] in STRATEGIES else None
        if takes not in (None, "candidates") and "candidates" in general:
            raise InputError(f"--strategy {chosen['strategy']} takes --{takes}, not --candidates")
        cfg = SearchConfig(**{"device": default_device(), **given})
    result = run_search(run_dir, cfg, resume=args.resume, show_progress=not args.quiet)
    best = result["best"]
    code = best.metrics.get("code")
    name = code if code and len(code) <= 40 else best.hash
    if strategy_class(cfg.strategy).trains:
        print(f"derived {best.metrics.get('code')}: supernet accuracy {100 * best.score:.2f}% on the architecture "
              f"half, spikes/sample {best.values['spikes']:.0f} -> {run_dir / 'best.json'}")
        return 0
    multi = cfg.strategy_opts.multi_objective
    chosen_txt = f"chosen ({cfg.strategy_opts.pick} of the front in {run_dir / 'front.json'})" if multi else "best"
    print(f"{result['candidates']} candidates ({result['failed']} failed); {chosen_txt} #{best.idx} "
          f"{name}: {cfg.score} {best.score:.3f}, spikes/sample at init {best.values['spikes']:.0f}, "
          f"parameters {best.values['params']} -> {run_dir / 'best.json'}")
    return 0
