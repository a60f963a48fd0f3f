"""Which layers should the RSA score read? The networks a finished payoff trained are scored again at
initialisation (built and seeded as the search built them, on the search's scoring batches) and each spiking
layer's RSA (the Spearman correlation between its RDM and the category RDM; spikenas.scores.rdm) is kept, so
that scores over different sets of layers can be compared by Kendall tau / Spearman rho against the
networks' validation accuracy (the payoff's seed, each seed `proxy_ceiling.py` trained, and their mean):

- every layer, averaged (the rsa reduction with `rdm_layers="all"`, checked equal to it);
- the readout layer (the spiking layer before the classifier);
- the last cell's layers (spikenas's default score since 2026-12-05); the last cell's and the readout;
- the mean over depths: each cell's layers averaged, then the cells and the readout averaged;
- the best layer (the maximum over layers);
- one correlation of the network's RDM (the mean of its layers' RDMs) with the category RDM.

    python benchmarks/proxy_layers.py runs/px2/mse --seeds-out runs/px2/mse-seeds --settings 16x64x2 \\
        --cache runs/px2/layers.json

`--dissimilarity pearson` builds every RDM from 1 - Pearson correlation instead of the Hamming distance
(spikenas's default). A setting is CHANNELSxBATCHxTIMESTEPS, as in proxy_variants.py; `--cache FILE` keeps
every network's per-layer values, so another ground truth or another setting costs only what it adds. For
MSE-NAS spaces (cells named `cells.K`; the readout `head_lif`).
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import torch

from spikenas.scores import RDMAccumulator, RdmOptions
from spikenas.scores.rdm import _rdms, spearman
from spikenas.search.scoring import score_network
from spikenas.snn import is_neuron

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_variants import arguments, each_setting, print_correlations  # noqa: E402  (benchmarks/ is not a package)


def layer_values(model, batches, labels, dissimilarity: str = "hamming") -> dict:
    """{"layers": {neuron name: its RSA, averaged over the batches}, "network": the RSA of the mean RDM,
    averaged over the batches, "rsa": spikenas's rsa score over every layer}, with RDMs of `dissimilarity`."""
    names = {id(m): n for n, m in model.named_modules() if is_neuron(m)}
    per_layer: dict[str, float] = {}
    network = 0.0
    for x, y in zip(batches, labels, strict=True):
        acc = RDMAccumulator(dissimilarity, "rsa", y)
        for n in (m for m in model.modules() if is_neuron(m)):
            n.monitor = acc
        try:
            model.train()
            with torch.no_grad():
                model(x)
        finally:
            for n in (m for m in model.modules() if is_neuron(m)):
                n.monitor = None
        keys = list(acc.G)
        rdms = _rdms(torch.stack([acc.n[k] for k in keys]), torch.stack([acc.G[k] for k in keys]),
                     torch.tensor([acc.N[k] for k in keys], dtype=torch.float64), dissimilarity)
        iu = torch.triu_indices(len(y), len(y), 1)
        category = (y.unsqueeze(1) != y.unsqueeze(0)).double()[iu[0], iu[1]]
        for k, D in zip(keys, rdms, strict=True):
            per_layer[names[k]] = per_layer.get(names[k], 0.0) + spearman(D[iu[0], iu[1]], category) / len(batches)
        network += spearman(rdms.mean(0)[iu[0], iu[1]], category) / len(batches)
    rsa, _ = score_network(model, batches, "rdm", labels=labels,
                           options=RdmOptions(rdm_dissimilarity=dissimilarity, rdm_layers="all"))
    return {"layers": per_layer, "network": network, "rsa": rsa}


def _cell(name: str) -> int | None:
    parts = name.split(".")
    return int(parts[1]) if parts[0] == "cells" else None


def variants(v: dict) -> dict[str, float]:
    layers = v["layers"]
    readout = [x for n, x in layers.items() if _cell(n) is None]
    cells = sorted({c for c in map(_cell, layers) if c is not None})
    by_cell = {c: [x for n, x in layers.items() if _cell(n) == c] for c in cells}
    last = by_cell[cells[-1]]
    depths = [sum(xs) / len(xs) for xs in by_cell.values()] + readout
    return {
        "every layer, averaged (rsa, the default until 2026-12-05)": sum(layers.values()) / len(layers),
        "the readout layer": sum(readout) / len(readout),
        "the last cell's layers": sum(last) / len(last),
        "the last cell's and the readout": sum(last + readout) / len(last + readout),
        "each depth averaged, then the depths": sum(depths) / len(depths),
        "the best layer": max(layers.values()),
        "the network's RDM (mean over layers), one correlation": v["network"],
    }


def main() -> None:
    a = arguments(__doc__.split("\n\n")[0], "16x64x2", dissimilarity=True)
    measure = functools.partial(layer_values, dissimilarity=a.dissimilarity)
    tag = "" if a.dissimilarity == "hamming" else f"/{a.dissimilarity}"  # hamming's values as cached before
    print(f"RDMs of {a.dissimilarity} dissimilarity\n")
    for setting, _, _, values, truth, t0 in each_setting(a, measure, "networks", "RSA over", tag):
        rows = [variants(v) for v in values]
        default = "every layer, averaged (rsa, the default until 2026-12-05)"
        worst = max(abs(r[default] - v["rsa"]) for r, v in zip(rows, values, strict=True))
        print_correlations(setting, rows, truth)
        print(f"<!-- {setting}: {time.perf_counter() - t0:.0f} s; every layer averaged here within {worst:.1e} "
              f"of spikenas's rsa score -->", flush=True)


if __name__ == "__main__":
    main()
