"""The report's part for a differentiable search: the supernet's curves, spikes per cell by epoch, and the
architecture weights by epoch (each op's mean softmax weight over a cell's edges; the exit depths' weights
when the network level is searched), with the final weights of every edge as a table."""

from __future__ import annotations

from html import escape

from spikenas.spaces.darts.genotype import PRIMITIVES, edges_of
from spikenas.viz import plots
from spikenas.viz.html_table import table


def darts_section(metrics: dict) -> str:
    h = metrics["history"]
    html = [f"<h2>Differentiable search</h2><p>{metrics.get('epochs_done')} epochs "
            f"({escape(str(metrics.get('status')))}); supernet parameters {metrics.get('supernet_parameters')}; "
            f"derived after the last epoch: <code>{escape(h[-1]['genotype'])}</code>.</p>", '<div class="charts">']
    html.append(plots.lines({"train (weights half)": [e["train_accuracy"] for e in h],
                              "architecture half": [e["val_accuracy"] for e in h]},
                             "supernet accuracy", "epoch", "accuracy"))
    cells = list(h[-1]["spikes_per_cell"])
    html.append(plots.lines({c: [e["spikes_per_cell"].get(c, 0.0) for e in h] for c in cells},
                             "spikes per sample by cell", "epoch", "spikes per sample"))
    for kind in ("normal", "reduce"):
        series = {}
        for k, op in enumerate(PRIMITIVES):
            series[op] = [sum(row[k] for row in e["alphas"][kind]) / len(e["alphas"][kind]) for e in h]
        html.append(plots.lines(series, f"{kind} cell: mean architecture weight per op", "epoch", "weight"))
    if "macro" in h[-1]:
        depths = range(1, len(h[-1]["macro"]["depth"]) + 1)
        html.append(plots.lines({f"{d} cells": [e["macro"]["depth"][d - 1] for e in h] for d in depths
                                  if any(e["macro"]["depth"][d - 1] > 0 for e in h)},
                                 "network level: weight of each exit depth", "epoch", "weight"))
    html.append("</div>")
    if "macro" in h[-1]:
        html.append(f"<p>Network level searched: {h[-1]['layers']} cells, reducing at "
                    f"{_cells(h[-1]['reduce_at'])} (the most probable path through the "
                    f"lattice to the exit depth of largest weight).</p>")
    last = h[-1]["alphas"]
    edges = edges_of(len(metrics["genotype"]["normal"]) // 2)
    if len(edges) == len(last["normal"]):
        for kind in ("normal", "reduce"):
            rows = [[f"{_node(s)} -> node {d - 2}"] + [f"{w:.3f}" for w in weights]
                    for (s, d), weights in zip(edges, last[kind], strict=True)]
            html.append(f"<h3>{kind} cell: architecture weights after the last epoch</h3>"
                        + table(rows, ["edge", *PRIMITIVES]))
    return "".join(html)


def _node(n: int) -> str:
    return "c(k-2)" if n == 0 else "c(k-1)" if n == 1 else f"node {n - 2}"


def _cells(ks: list[int]) -> str:
    return "no cell" if not ks else f"cell{'s' if len(ks) > 1 else ''} {', '.join(map(str, ks))}"
