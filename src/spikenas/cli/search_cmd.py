"""`spikenas search`: a search, every candidate stored, the chosen one written to best.json.

The general options are SearchConfig's declared fields; every option of a space, score or strategy comes from
that piece's declared Options (spikenas.options), so a new piece's options reach the command line with no edit
here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from spikenas import run_folder
from spikenas.options import add_arguments, declared, field_parser, flag_of, help_line, metavar
from spikenas.search.config import SearchConfig
from spikenas.search.routing import piece_options, search_config, split_options
from spikenas.search.run import run_search
from spikenas.search.strategies import trains

S = argparse.SUPPRESS
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
    names = {f.name for f in declared(SearchConfig)} | {n for names in piece_options().values() for n in names}
    return split_options({n: getattr(args, n) for n in names if hasattr(args, n)})


def run(args: argparse.Namespace) -> int:
    general, by_piece = split_given(args)
    run_dir = Path(args.run)
    run_folder.prepare(run_dir, "search", args.resume)
    cfg = search_config(run_dir, general, by_piece, args.resume)
    result = run_search(run_dir, cfg, resume=args.resume, show_progress=not args.quiet)
    best = result["best"]
    code = best.metrics.get("code")
    name = code if code and len(code) <= 40 else best.hash
    if trains(cfg.strategy):
        print(f"derived {best.metrics.get('code')}: supernet accuracy {100 * best.score:.2f}% on the architecture "
              f"half, spikes/sample {best.values['spikes']:.0f} -> {run_dir / 'best.json'}")
        return 0
    multi = cfg.strategy_opts.multi_objective
    chosen_txt = f"chosen ({cfg.strategy_opts.pick} of the front in {run_dir / 'front.json'})" if multi else "best"
    over = f", {result['over_budget']} over --max-spikes" if result.get("over_budget") else ""
    print(f"{result['candidates']} candidates ({result['failed']} failed{over}); {chosen_txt} #{best.idx} "
          f"{name}: {cfg.score} {best.score:.3f}, spikes/sample at init {best.values['spikes']:.0f}, "
          f"parameters {best.values['params']} -> {run_dir / 'best.json'}")
    return 0
