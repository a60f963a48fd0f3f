"""`spikenas search`: a search, every candidate stored, the chosen one written to best.json.

The general options are SearchConfig's declared fields; every option of a space, score or strategy comes from
that piece's declared Options (spikenas.options), so a new piece's options reach the command line with no edit
here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from spikenas import run_folder, spaces
from spikenas.cli.parser import default_device
from spikenas.errors import InputError
from spikenas.options import add_arguments, declared, field_parser, flag_of, help_line, metavar, option_fields
from spikenas.scores import SCORES
from spikenas.search.config import SearchConfig
from spikenas.search.run import run_search
from spikenas.search.strategies import STRATEGIES, strategy_class

S = argparse.SUPPRESS
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
    add_arguments(p, SearchConfig)
    seen: set[str] = {f.name for f in declared(SearchConfig)}
    for names in piece_options().values():
        for name, owners in names.items():
            if name in seen:
                continue
            seen.add(name)
            f = owners[0][1]
            p.add_argument(flag_of(f), dest=name, type=field_parser(f), default=S, help=help_line(f),
                           metavar=metavar(f))
    p.add_argument("--run", required=True, help="run folder to write (or resume)")
    p.add_argument("--resume", action="store_true", help="continue the search in --run")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def split_given(args: argparse.Namespace) -> tuple[dict, dict[str, dict]]:
    """(general settings given, {piece kind: {option: value}}) from the command line."""
    general = {f.name: getattr(args, f.name) for f in declared(SearchConfig) if hasattr(args, f.name)}
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
    run_folder.prepare(run_dir, "search", args.resume)
    saved = run_dir / "config.json"
    if args.resume:
        try:
            old = SearchConfig.from_dict(json.loads(saved.read_text()))
        except (ValueError, TypeError) as e:
            raise InputError(f"{saved}: not a search's config ({e})") from None
        except InputError as e:
            raise InputError(f"{saved}: {e}") from None
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
