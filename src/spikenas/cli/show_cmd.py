"""`spikenas show GENOTYPE.json [--out FILE.svg]`: a genotype described in words and drawn."""

from __future__ import annotations

import argparse
from pathlib import Path

from spikenas.spaces.files import load_genotype
from spikenas.viz.genotype_view import describe, draw


def add_parser(sub) -> None:
    p = sub.add_parser("show", help="describe and draw a genotype",
                       description="Print a genotype's edges and write its drawing as SVG.")
    p.add_argument("genotype", help="best.json of a search, or a genotype JSON")
    p.add_argument("--out", default=None, help="SVG file to write (default: next to the genotype, .svg)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.genotype)
    space, g, _ = load_genotype(path)
    out = Path(args.out) if args.out else path.with_suffix(".svg")
    print(describe(g))
    out.write_text(draw(g, space))
    print(f"drawing -> {out}")
    return 0
