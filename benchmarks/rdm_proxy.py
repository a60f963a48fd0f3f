"""Proxy quality of the training-free RDM scores: how well each variant ranks MSE-NAS candidates by the
accuracy they reach when trained (Kendall tau), the measurement that picks `spikenas.scores.rdm`'s default.

    python benchmarks/rdm_proxy.py [--dataset digits] [--candidates 24] [--epochs 8] [--out runs/rdm_proxy]

Candidates are sampled from the mse space with the seed; every RDM variant (2 dissimilarities x 4
reductions), SAHD, and two naive baselines (spikes at initialisation, parameters) score the same freshly
initialised network on the same 2 batches (as `spikenas search` does); then each candidate is trained
(AdamW 2e-3, cosine, batch 32) and its test accuracy read. Results also go to OUT/proxy.json; trained runs
are kept in OUT, one folder per genotype, so a rerun resumes.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from scipy.stats import kendalltau

from spikenas import spaces
from spikenas.scores import RDMAccumulator, SAHDAccumulator
from spikenas.scores.rdm import DISSIMILARITIES, REDUCTIONS
from spikenas.search.score_batches import score_batches
from spikenas.search.scoring import candidate_seed
from spikenas.snn import is_neuron
from spikenas.spaces.mse.space import count_or_any
from spikenas.train.config import TrainConfig
from spikenas.train.run import run_training


class Fanout:
    def __init__(self, kernels: dict) -> None:
        self.kernels, self.spikes = kernels, 0.0

    def record(self, neuron, spikes: torch.Tensor) -> None:
        for k in self.kernels.values():
            k.record(neuron, spikes)
        self.spikes += float(spikes.sum())


def scores_of(model, batches, labels) -> dict:
    neurons = [m for m in model.modules() if is_neuron(m)]
    model.train()
    totals: dict[str, float] = {}
    spikes = 0.0
    for x, y in zip(batches, labels, strict=True):
        kernels = {f"rdm/{d}/{r}": RDMAccumulator(d, r, y) for d in DISSIMILARITIES for r in REDUCTIONS}
        kernels["sahd"] = SAHDAccumulator()
        fan = Fanout(kernels)
        for n in neurons:
            n.monitor = fan
        with torch.no_grad():
            model(x)
        for name, k in kernels.items():
            totals[name] = totals.get(name, 0.0) + k.value() / len(batches)
        spikes += fan.spikes / len(x) / len(batches)
    for n in neurons:
        n.monitor = None
    totals["spikes at init (fewer is better)"] = -spikes
    totals["parameters (more is better)"] = float(sum(p.numel() for p in model.parameters()))
    return totals


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="digits")
    p.add_argument("--data-root", default=None)
    p.add_argument("--candidates", type=int, default=24)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--timesteps", type=int, default=4)
    p.add_argument("--channels", type=int, default=16)
    p.add_argument("--batch-size", type=int, default=128, help="scoring batch")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--out", default="runs/rdm_proxy")
    p.add_argument("--reductions", type=count_or_any, default=None,
                   help="cells that halve the resolution, or any (default: the space's, as a search's)")
    args = p.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    batches, labels, shape, classes = score_batches(args.dataset, args.data_root, args.timesteps, args.batch_size,
                                                    2, args.seed)
    space = spaces.get("mse", reductions=args.reductions)
    rng = np.random.default_rng(args.seed)
    genotypes = [space.sample(rng) for _ in range(args.candidates)]
    rows = []
    t0 = time.perf_counter()
    for i, g in enumerate(genotypes):
        torch.manual_seed(candidate_seed(args.seed, g.hash()))
        model = space.build(g, shape, classes, args.timesteps, channels=args.channels)
        s = scores_of(model, batches, labels)
        run = out / f"c{i:03d}-{g.hash()}"  # named by the genotype: a rerun never reuses another network's run
        if (run / "metrics.json").exists() and json.loads((run / "metrics.json").read_text())["status"] == "done":
            acc = json.loads((run / "metrics.json").read_text())["test_accuracy"]
        else:
            spec = {"name": "genotype", "space": "mse", "genotype": g.to_dict(), "channels": args.channels}
            tc = TrainConfig(epochs=args.epochs, batch_size=32, optimizer="adamw", lr=2e-3, weight_decay=0.01,
                             timesteps=args.timesteps, device=args.device, seed=args.seed)
            acc = run_training(run, args.dataset, args.data_root, spec, tc, resume=(run / "config.json").exists(),
                               show_progress=False)["test_accuracy"]
        rows.append({"candidate": i, "hash": g.hash(), "accuracy": acc, "scores": s})
        print(f"{i + 1}/{len(genotypes)} accuracy {acc:.4f}  ({time.perf_counter() - t0:.0f} s)", flush=True)
    acc = [r["accuracy"] for r in rows]
    taus = {name: float(kendalltau([r["scores"][name] for r in rows], acc)[0]) for name in rows[0]["scores"]}
    print(f"\nKendall tau against test accuracy after {args.epochs} epochs, {len(rows)} candidates, "
          f"{args.dataset}, T={args.timesteps}, C={args.channels}; accuracy {min(acc):.3f}..{max(acc):.3f}")
    for name, tau in sorted(taus.items(), key=lambda kv: -np.nan_to_num(kv[1], nan=-9)):
        print(f"  {name:40s} {tau:+.3f}")
    (out / "proxy.json").write_text(json.dumps({"args": vars(args), "kendall_tau": taus, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
