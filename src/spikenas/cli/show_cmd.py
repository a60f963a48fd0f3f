"""`spikenas show GENOTYPE.json [--out FILE.svg]`: a genotype described in words and drawn."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from spikenas import spaces
from spikenas.errors import InputError
from spikenas.viz.genotype_view import describe, draw


def add_parser(sub) -> None:
    p = sub.add_parser("show", help="describe and draw a genotype",
                       description="Print a genotype's edges and write its drawing as SVG.")
    p.add_argument("genotype", help="best.json of a search, or a genotype JSON")
    p.add_argument("--out", default=None, help="SVG file to write (default: next to the genotype, .svg)")
    p.set_defaults(func=run)


def load_genotype(path: Path):
    try:
        text = path.read_text()
        d = json.loads(text)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not valid JSON ({e})") from None
    inner = d.get("genotype") if isinstance(d, dict) else None
    name = d.get("space") if isinstance(d, dict) else None
    name = name or (inner.get("space") if isinstance(inner, dict) else None)
    if not isinstance(name, str):
        raise InputError(f"{path}: no 'space' named")
    return name, spaces.get(name).genotype_from_json(text), d


def run(args: argparse.Namespace) -> int:
    path = Path(args.genotype)
    space, g, _ = load_genotype(path)
    out = Path(args.out) if args.out else path.with_suffix(".svg")
    print(describe(g))
    out.write_text(draw(g, space))
    print(f"drawing -> {out}")
    return 0
