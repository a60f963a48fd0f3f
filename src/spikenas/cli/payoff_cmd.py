"""`spikenas payoff SEARCH_RUN`: did the search pay? Train its chosen network, its next best, random draws
from its space and the baseline with one recipe; rank agreement and found-versus-random in payoff.json and
the search's report."""

from __future__ import annotations

import argparse
from pathlib import Path

from spikenas.cli.parser import default_device
from spikenas.cli.train_cmd import add_recipe_arguments, recipe_given
from spikenas.options import add_arguments, declared
from spikenas.payoff.options import PayoffOptions
from spikenas.payoff.run import DEFAULT_VAL_SPLIT, FOLDER, run_payoff
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.viz.report import write_report

S = argparse.SUPPRESS
NEURON_HELP = ("Each setting not given is the found network's own (SNASNet: the paper's LIF, tau 4/3; the other "
               "spaces: the LIF with tau 2), whatever its default below says.")


def add_parser(sub) -> None:
    p = sub.add_parser("payoff", help="train a search's networks against random draws and the baseline",
                       description="Did the search pay? Train the network a search chose, its next best by score "
                                   "(or its Pareto front), networks drawn at random from its space and the "
                                   "hand-built baseline, all with one recipe, into SEARCH_RUN/payoff/. Reports "
                                   "Kendall tau and Spearman rho between the training-free score (and the "
                                   "parameter and convolution counts) and the accuracy on a validation hold-out, "
                                   "and the found network against the random ones and the baseline on the test "
                                   f"set. The recipe takes every `spikenas train` option; --val-split defaults to "
                                   f"{DEFAULT_VAL_SPLIT} here and must not be 0.")
    p.add_argument("search", metavar="SEARCH_RUN", help="a search run folder (with its best.json)")
    p.add_argument("--resume", action="store_true", help="continue the payoff run in SEARCH_RUN/payoff")
    p.add_argument("--dataset", default=None, help="train on this dataset (default: the search's)")
    p.add_argument("--data-root", default=None, help="its files (default: the search's, for the search's dataset)")
    add_arguments(p, PayoffOptions, skip=("front",))
    p.add_argument("--front", action="store_true", default=S, help="train every member of an NSGA-II search's "
                                                                    "Pareto front instead of the top K")
    add_recipe_arguments(p)
    add_arguments(p.add_argument_group("the neuron of every network, the baseline's too", NEURON_HELP), NeuronConfig)
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    train = recipe_given(args)
    payoff = {f.name: getattr(args, f.name) for f in declared(PayoffOptions) if hasattr(args, f.name)}
    neuron = {f.name: getattr(args, f.name) for f in declared(NeuronConfig) if hasattr(args, f.name)}
    given = {"dataset": args.dataset, "data_root": args.data_root, "train": train, "payoff": payoff,
             "neuron": neuron}
    summary = run_payoff(Path(args.search), given, resume=args.resume, show_progress=not args.quiet,
                         default_device=default_device())
    print(format_table(summary))
    report = write_report(Path(args.search))
    print(f"-> {Path(args.search) / FOLDER / 'payoff.json'}; report {report}")
    return 0


def format_table(summary: dict) -> str:
    def pct(v):
        return "-" if v is None else f"{100 * v:.2f}%"

    lines = [f"{'network':10s} {'score':>10s} {'params':>9s} {'convs':>5s} {'val':>7s} {'test':>7s} "
             f"{'spikes':>8s}  genotype"]
    for r in summary["networks"]:
        score = "-" if r["score"] is None else f"{r['score']:.3f}"
        spikes = "-" if r["spikes_per_sample"] is None else f"{r['spikes_per_sample']:.0f}"
        lines.append(f"{r['name']:10s} {score:>10s} {r['parameters']:>9,} {r['convolutions']:>5d} "
                     f"{pct(r['val_accuracy']):>7s} {pct(r['test_accuracy']):>7s} {spikes:>8s}  {r['code']}")
    for proxy, c in summary["correlations"].items():
        if c["kendall_tau"] is not None:
            lines.append(f"{proxy} vs validation accuracy over {c['networks']} networks: Kendall tau "
                         f"{c['kendall_tau']:+.3f}, Spearman rho {c['spearman_rho']:+.3f}")
    lines.append(summary["comparison"]["verdict"])
    return "\n".join(lines)
