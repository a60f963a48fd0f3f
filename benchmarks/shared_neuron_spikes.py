"""Spikes per sample of finished training runs recounted with each distinct neuron once (cells.graph_cell's
shared neurons), from the per-layer counts their metrics.json recorded when every edge had its own neuron.

    python benchmarks/shared_neuron_spikes.py runs/same-budget-d0 runs/tau2-d0

Every training run folder under the given folders (payoff networks included) is read. For a cell network, the
edges that a trained network now gives one shared neuron are found by building it; their own neurons' counts
must be equal (they fired the same spikes: checked, the run is reported as unequal otherwise), and all but
the first are taken off the total. Baselines and networks without such edges keep their counts. No training
or evaluation is run: the recorded counts are exact, and the shared network computes the same outputs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from spikenas import spaces
from spikenas.cells import GraphCell, share_duplicate_neurons


def twins(metrics: dict) -> tuple[str, float, bool] | None:
    """(the genotype's code, spikes the shared neurons no longer count, whether every group's counts agreed);
    None: not a cell network."""
    model = metrics["model"]
    if model.get("name") != "genotype":
        return None
    space = spaces.get(model["space"])
    genotype = space.genotype_from_dict(model["genotype"])
    with torch.device("meta"):
        net = space.build(genotype, tuple(metrics["input_shape"]), metrics["classes"], 2,
                          channels=model.get("channels"))
    share_duplicate_neurons(net)
    layers = metrics["spikes_per_sample_per_layer"]
    dropped, equal = 0.0, True
    for name, cell in net.named_modules():
        if not isinstance(cell, GraphCell):
            continue
        for edge, key in cell.spikes_of.items():
            first = next(e for e, k in cell.spikes_of.items() if k == key)
            if edge == first:
                continue
            mine, theirs = layers[f"{name}.ops.{edge}.neuron"], layers[f"{name}.ops.{first}.neuron"]
            equal &= abs(mine - theirs) <= 1e-9 * max(1.0, theirs)
            dropped += mine
    return genotype.code(), dropped, equal


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("folders", nargs="+", type=Path)
    args = p.parse_args(argv)
    print("| run | network | parameters | test | spikes/sample, one neuron per edge | each neuron once | change |")
    print("|---|---|---|---|---|---|---|")
    for folder in args.folders:
        for path in sorted(folder.rglob("metrics.json")):
            m = json.loads(path.read_text())
            if m.get("status") != "done" or "spikes_per_sample_per_layer" not in m:
                continue
            found = twins(m)
            total = m["spikes_per_sample"]
            if found is None:
                what, after, note = f"baseline width {m['model'].get('width')}", total, ""
            else:
                code, dropped, equal = found
                what, after = f"`{code}`", total - dropped
                note = "" if equal else " (twins' counts differ)"
            change = f"{(after - total) / total:+.0%}" if after != total else "-"
            print(f"| {path.parent} | {what} | {m['parameters']:,} | {m['test_accuracy']:.2%} | {total:,.0f} | "
                  f"{after:,.0f} | {change}{note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
