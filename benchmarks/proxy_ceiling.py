"""How well could any proxy rank a payoff run's networks? Train the same networks again with other seeds (the
payoff's recipe, its seed alone changed: the training subset, the validation hold-out, the weights and the
batches all move with it) and measure how well the runs agree with each other. Kendall tau between two seeds'
validation accuracies is about the most a proxy's tau against one seed can show, since the ground truth is
that noisy; each predictor's tau against the mean over the seeds is a steadier measurement than against one.

    python benchmarks/proxy_ceiling.py runs/px/snas-tbn --seeds 1 --out runs/px/snas-tbn-seeds

Every network is an ordinary training run folder, OUT/seedS/NAME; a killed measurement resumes with the same
command. Prints one markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from spikenas import run_folder
from spikenas.payoff.ranks import kendall_tau, spearman_rho
from spikenas.train.config import TrainConfig
from spikenas.train.run import run_training


def null_se(n: int) -> float:
    """Standard error of Kendall's tau between independent rankings of n items."""
    return math.sqrt(2 * (2 * n + 5) / (9 * n * (n - 1)))


def trained(run_dir: Path, entry: dict, dataset: str, data_root, train: dict) -> float:
    """The validation accuracy of `entry`'s network trained into `run_dir` (trained now unless it is done)."""
    metrics = run_folder.read_metrics(run_dir)
    if metrics is None or metrics.get("status") != "done":
        metrics = run_training(run_dir, dataset, data_root, entry["model"], TrainConfig.from_dict(train),
                               resume=(run_dir / "config.json").exists(), show_progress=False)
    return metrics["history"][-1]["val_accuracy"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("search_run", help="a search run folder whose payoff/ has finished")
    ap.add_argument("--seeds", default="1", help="comma-separated training seeds besides the payoff's own")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    payoff = Path(a.search_run) / "payoff"
    cfg = json.loads((payoff / "config.json").read_text())
    done = {r["name"]: r for r in json.loads((payoff / "payoff.json").read_text())["networks"]
            if r["status"] == "done" and r["kind"] != "baseline"}
    plan = [e for e in cfg["networks"] if e["name"] in done]
    runs = {cfg["train"]["seed"]: [done[e["name"]]["val_accuracy"] for e in plan]}
    for seed in (int(s) for s in a.seeds.split(",")):
        train = {**cfg["train"], "seed": seed}
        runs[seed] = []
        for i, e in enumerate(plan):
            runs[seed].append(trained(Path(a.out) / f"seed{seed}" / e["name"], e, cfg["dataset"], cfg["data_root"],
                                      train))
            print(f"seed {seed}: {i + 1}/{len(plan)} {e['name']} {100 * runs[seed][-1]:.2f}%", flush=True)
    seeds = list(runs)
    mean = [sum(runs[s][i] for s in seeds) / len(seeds) for i in range(len(plan))]
    names = list(dict.fromkeys(n for e in plan for n in (e.get("scores") or {})))
    rows = [e for e in range(len(plan)) if all((plan[e].get("scores") or {}).get(n) is not None for n in names)]
    predictors = {n: [plan[i]["scores"][n] for i in rows] for n in names}
    predictors["parameters"] = [plan[i]["parameters"] for i in rows]
    predictors["convolutions"] = [plan[i]["convolutions"] for i in rows]
    if len(seeds) > 1:  # against the other seeds: the ceiling
        predictors[f"seed {seeds[0]}'s accuracy"] = [runs[seeds[0]][i] for i in rows]
    print(f"\n{len(rows)} networks; tau's standard error between unrelated rankings: {null_se(len(rows)):.3f}\n")
    print("| predictor | " + " | ".join(f"tau / rho against seed {s}" for s in seeds) + " | against their mean |")
    print("|---|" + "---|" * (len(seeds) + 1))
    for name, xs in predictors.items():
        cells = []
        for ys in [*[[runs[s][i] for i in rows] for s in seeds], [mean[i] for i in rows]]:
            tau, rho = kendall_tau(xs, ys), spearman_rho(xs, ys)
            cells.append("-" if tau is None else f"{tau:+.3f} / {rho:+.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
