"""Does averaging the score over several initialisations, or over more scoring batches, rank networks
better? The networks a finished payoff trained are scored again at initialisation by spikenas's RDM score
(its defaults: hamming / rsa over the last cell), one value per (initialisation, batch): initialisation k
builds the network with the search's seed plus k (k = 0: the weights the search scored), batch b is the
b-th disjoint batch of the search's seeded scoring draw (b = 0, 1: the batches the search scored at that
size). Printed: how well the score at one initialisation repeats at another (Kendall tau between two
initialisations' scores), then tau / rho against the networks' validation accuracy (the payoff's seed,
each seed `proxy_ceiling.py` trained, and their mean) for every (initialisations, batches) combination.

    python benchmarks/proxy_inits.py runs/px-flat/mse --seeds-out runs/px-flat/mse-seeds --inits 4 \\
        --batches 8 --batch-size 64 --cache runs/px-flat/inits.json

A network whose readout never fires at some initialisation is left out of that initialisation's mean
(counted and said). `--cache FILE` keeps every value, so more initialisations or batches cost only what
they add.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from pathlib import Path

import torch

from spikenas.payoff.ranks import kendall_tau
from spikenas.scores import RdmOptions
from spikenas.search.score_batches import score_batches
from spikenas.search.scoring import Networks, score_network

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_variants import print_correlations, trained_networks  # noqa: E402  (benchmarks/ is not a package)


def values_of(model, batches, labels) -> list[float]:
    """The default RDM score of one network on each batch alone (NaN where its readout stays silent)."""
    out = []
    for x, y in zip(batches, labels, strict=True):
        try:
            out.append(score_network(model, [x], "rdm", options=RdmOptions(), labels=[y])[0])
        except ValueError:
            out.append(math.nan)
    return out


def mean(xs) -> float:
    xs = [x for x in xs if not math.isnan(x)]
    return sum(xs) / len(xs) if xs else math.nan


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("search_run", help="a search run folder whose payoff/ has finished")
    ap.add_argument("--seeds-out", type=Path, default=None, help="proxy_ceiling.py's --out for the same run")
    ap.add_argument("--inits", type=int, default=4, help="initialisations per network (seed, seed + 1, ...)")
    ap.add_argument("--batches", type=int, default=8, help="scoring batches per initialisation")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--cache", type=Path, default=None, help="a JSON file of the values so far, read and extended")
    a = ap.parse_args()

    scfg, plan, space, genotypes, truth = trained_networks(Path(a.search_run), a.seeds_out)
    C, T, seed = scfg["channels"], scfg["timesteps"], scfg["seed"]
    batches, labels, shape, classes = score_batches(scfg["dataset"], scfg["data_root"], T, a.batch_size,
                                                    a.batches, seed)
    networks = Networks(space, dict(input_shape=shape, num_classes=classes, timesteps=T, channels=C),
                        torch.device("cpu"), reuse=False, channels_last=False)
    cache = json.loads(a.cache.read_text()) if a.cache and a.cache.is_file() else {}
    setting = f"{C}x{a.batch_size}x{T}"
    known = cache.setdefault(setting, {})
    t0 = time.perf_counter()
    for k in range(a.inits):
        for g in genotypes:
            have = known.setdefault(g.hash(), {}).setdefault(str(k), [])
            if len(have) < a.batches:
                model = networks.get(g, seed + k)
                have.extend(values_of(model, batches[len(have):], labels[len(have):]))
        if a.cache:
            a.cache.write_text(json.dumps(cache))
    values = [[known[g.hash()][str(k)][:a.batches] for k in range(a.inits)] for g in genotypes]
    print(f"{len(plan)} networks scored by the search; RDM defaults (hamming / rsa, last cell), C={C}, "
          f"batch {a.batch_size}, T={T}; {time.perf_counter() - t0:.0f} s of scoring\n")
    silent = sum(math.isnan(x) for v in values for row in v for x in row)
    print(f"(network, initialisation, batch) values with a silent readout, left out of their means: {silent}\n")

    per_init = [[mean(v[k]) for v in values] for k in range(a.inits)]
    pairs = list(itertools.combinations(range(a.inits), 2))
    taus = [kendall_tau(*_both(per_init[i], per_init[j])) for i, j in pairs]
    if taus:
        print(f"the score at one initialisation against another ({a.batches} batches each): Kendall tau "
              f"{min(taus):+.3f} to {max(taus):+.3f} over {len(taus)} pairs (mean {sum(taus) / len(taus):+.3f})\n")

    print("| setting | score | " + " | ".join(f"tau / rho against {k}" for k in truth) + " |")
    print("|---|---|" + "---|" * len(truth))
    rows: list[dict] = [{} for _ in genotypes]
    for inits in sorted({1, 2, a.inits} | ({4} if a.inits >= 4 else set())):
        for nb in sorted({2, a.batches} | ({4} if a.batches >= 4 else set())):
            if nb > a.batches or inits > a.inits:
                continue
            for r, v in zip(rows, values, strict=True):
                r[f"{inits} init{'s' * (inits > 1)} x {nb} batches"] = mean(x for row in v[:inits] for x in row[:nb])
    _correlate(setting, rows, truth)
    # the same budget spent on one initialisation's batches or spread over initialisations
    if a.inits > 1:
        spread = [{f"init {k}, 2 batches": mean(v[k][:2]) for k in range(a.inits)} for v in values]
        _correlate(setting, spread, truth)


def _both(xs, ys):
    keep = [i for i in range(len(xs)) if not (math.isnan(xs[i]) or math.isnan(ys[i]))]
    return [xs[i] for i in keep], [ys[i] for i in keep]


def _correlate(setting: str, rows: list[dict], truth: dict) -> None:
    """print_correlations, leaving out a network whose score is NaN (silent at every initialisation)."""
    keep = [i for i, r in enumerate(rows) if not any(math.isnan(x) for x in r.values())]
    if len(keep) < len(rows):
        print(f"({len(rows) - len(keep)} networks silent at some setting left out below)")
    print_correlations(setting, [rows[i] for i in keep], {k: [v[i] for i in keep] for k, v in truth.items()})


if __name__ == "__main__":
    main()
