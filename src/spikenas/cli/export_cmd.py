"""`spikenas export RUN_OR_GENOTYPE --format nir|torchscript`: a network out of spikenas."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from spikenas.export import FORMATS, SUFFIX, to_torchscript
from spikenas.options import Bounds
from spikenas.runs import load_network


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="export a network to NIR or TorchScript",
                       description="Write a network as NIR (neuromorphic hardware and SNN frameworks) or "
                                   "TorchScript: a training run's with its trained weights, or a genotype's "
                                   "(best.json, or a search folder) freshly initialised. docs/export.md has "
                                   "the conventions.")
    p.add_argument("source", help="a training run folder, a search run folder, or a genotype file")
    p.add_argument("--format", required=True, type=Bounds(str, choices=FORMATS).parser("--format"),
                   help=f"one of {', '.join(FORMATS)}")
    p.add_argument("--out", default=None, help="file to write (default: SOURCE/model.<suffix> for a run folder, "
                                               "else beside the genotype file)")
    p.add_argument("--dataset", default=None, help="genotypes: the dataset that sets the input shape and classes "
                                                   "(default: the search's)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    source = Path(args.source)
    model, about = load_network(source, dataset=args.dataset)
    suffix = SUFFIX[args.format]
    out = Path(args.out) if args.out else (source / f"model{suffix}" if source.is_dir()
                                           else source.with_suffix(suffix))
    tmp = out.with_name(out.name + ".tmp")
    try:
        if args.format == "nir":
            from spikenas.export.nir_graph import to_nir

            graph = to_nir(model, about)  # refuses, in one line, what NIR cannot hold (or a missing nir package)
            import nir

            nir.write(str(tmp), graph)
        else:
            to_torchscript(model, about, tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    weights = "trained weights" if about["trained"] else "untrained (a genotype)"
    print(f"{args.format} -> {out} ({weights}; input {list(about['input_shape'])}, T = {about['timesteps']}, "
          f"{about['classes']} classes)")
    return 0
