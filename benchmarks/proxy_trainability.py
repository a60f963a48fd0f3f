"""Does a measure of how a network trains, added to the search's score, rank a payoff's networks better? The
RDM score finds the networks that learn little but ranks the rest only loosely (docs/benchmarks.md); this
benchmark measures, for every network a finished payoff trained and the search could score, signals of
trainability at initialisation and after a few steps of the payoff's own optimiser, and prints Kendall tau /
Spearman rho against the networks' validation accuracy for each signal alone and for each averaged (by rank)
with the search's recorded score.

    python benchmarks/proxy_trainability.py runs/px3/mse --steps 4,8,16 --cache runs/px3/trainability.json

The signals, each "higher is better" (a network built and seeded as the search built it; batches of 64 from
the search's seeded scoring draw, the first held out, the rest to step on):
- init loss: the cross-entropy on the held batch at initialisation, negated;
- grad norm: log of the gradient's L2 norm on one batch; snip: log of sum |weight x gradient|;
- grad cosine: the cosine between the gradients of two disjoint batches (how much batches agree);
- after k steps (loss, accuracy): the held batch after k steps of the payoff's optimiser, learning rate and
  weight decay on k batches: the early part of the training whose end the ground truth is;
- early-loss: spikenas's score of that name at its defaults (16 steps; AdamW, 2e-3, 0.01) on the search's own
  scoring draw (its batches cut into mini-batches of 64, the first held out, the rest stepped on in turn),
  as a search with `--score early-loss` would record it.
`--cache FILE` keeps every value per genotype, so a second ground truth (`--seeds-out`) costs nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from spikenas.payoff.ranks import average_ranks, kendall_tau, spearman_rho
from spikenas.scores import EarlyLossOptions, early_loss
from spikenas.search.score_batches import score_batches
from spikenas.search.scoring import Networks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_variants import trained_networks  # noqa: E402  (benchmarks/ is not a package)

BATCH = 64


def gradient(model, x, y) -> list[torch.Tensor]:
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(x).float(), y).backward()
    return [p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p) for p in model.parameters()]


def held_out(model, x, y) -> tuple[float, float]:
    """(loss, accuracy) on the held batch, batch statistics (train mode), no update."""
    with torch.no_grad():
        out = model(x).float()
    return F.cross_entropy(out, y).item(), (out.argmax(1) == y).float().mean().item()


def training_free_and_steps(networks: Networks, genotype, seed: int, batches, labels, steps: list[int],
                            recipe: dict) -> dict:
    model = networks.get(genotype, seed)
    model.train()
    (hx, hy), (ax, ay), (bx, by) = zip(batches[:3], labels[:3], strict=True)
    out = {"init loss": -held_out(model, hx, hy)[0]}
    ga, gb = gradient(model, ax, ay), gradient(model, bx, by)
    flat_a, flat_b = torch.cat([g.flatten() for g in ga]), torch.cat([g.flatten() for g in gb])
    out["grad norm"] = math.log(flat_a.norm().item() + 1e-30)
    saliency = sum((g * p.detach()).abs().sum().item() for g, p in zip(ga, model.parameters(), strict=True))
    out["snip"] = math.log(saliency + 1e-30)
    out["grad cosine"] = F.cosine_similarity(flat_a, flat_b, dim=0).item()
    opt = torch.optim.AdamW(model.parameters(), lr=recipe["lr"], weight_decay=recipe["weight_decay"])
    for k in range(1, max(steps) + 1):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(batches[k]).float(), labels[k]).backward()
        opt.step()
        if k in steps:
            loss, acc = held_out(model, hx, hy)
            out[f"after {k} steps: loss"], out[f"after {k} steps: accuracy"] = -loss, acc
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("search_run", help="a search run folder whose payoff/ has finished")
    ap.add_argument("--seeds-out", type=Path, default=None, help="proxy_ceiling.py's --out for the same run")
    ap.add_argument("--steps", default="4,8,16", help="after how many optimiser steps to read the held batch")
    ap.add_argument("--cache", type=Path, default=None, help="a JSON file of the values so far, read and extended")
    a = ap.parse_args()
    steps = sorted(int(s) for s in a.steps.split(","))

    search = Path(a.search_run)
    scfg, plan, space, genotypes, truth = trained_networks(search, a.seeds_out)
    recipe = json.loads((search / "payoff" / "config.json").read_text())["train"]
    if recipe["optimizer"] != "adamw":
        raise SystemExit(f"this benchmark steps with AdamW; the payoff trained with {recipe['optimizer']}")
    C, T, seed = scfg["channels"], scfg["timesteps"], scfg["seed"]
    batches, labels, shape, classes = score_batches(scfg["dataset"], scfg["data_root"], T, BATCH,
                                                    max(steps) + 1, seed)
    draw = score_batches(scfg["dataset"], scfg["data_root"], T, scfg["batch_size"], scfg["repeats"], seed)[:2]
    networks = Networks(space, dict(input_shape=shape, num_classes=classes, timesteps=T, channels=C),
                        torch.device("cpu"), reuse=False, channels_last=False)
    cache = json.loads(a.cache.read_text()) if a.cache and a.cache.is_file() else {}
    known = cache.setdefault(f"{C}x{BATCH}x{T}/lr{recipe['lr']}/wd{recipe['weight_decay']}", {})
    t0 = time.perf_counter()
    for g in genotypes:
        have = known.setdefault(g.hash(), {})
        before = len(have)
        if "early-loss" not in have:
            have["early-loss"] = early_loss(networks.get(g, seed), *draw, EarlyLossOptions())
        if not all(f"after {k} steps: loss" in have for k in steps):
            have.update(training_free_and_steps(networks, g, seed, batches, labels, steps, recipe))
        if a.cache and len(have) > before:
            a.cache.write_text(json.dumps(cache))
    print(f"{len(genotypes)} networks; {time.perf_counter() - t0:.0f} s measuring; ground truth: "
          f"{', '.join(truth)}\n")
    rows = [known[g.hash()] for g in genotypes]
    score = [e["scores"][scfg["score"]] for e in plan]
    columns = {f"the search's score ({scfg['score']})": score}
    names = [n for n in rows[0] if not n.startswith("after") or any(n.startswith(f"after {k} ") for k in steps)]
    for n in names:
        columns[n] = [r[n] for r in rows]
    for n in names:
        rs, rn = average_ranks(score), average_ranks(columns[n])
        columns[f"{scfg['score']} + {n} (ranks averaged)"] = [u + v for u, v in zip(rs, rn, strict=True)]
    last = list(truth)[-1]  # the seeds' mean where there are several
    ys = [100 * y for y in truth[last]]  # payoff.json holds fractions
    print(f"(picks: the validation accuracy against {last} of the network each signal ranks first, and the mean "
          f"of its top 5; all {len(ys)}: mean {sum(ys) / len(ys):.2f}%, best {max(ys):.2f}%)\n")
    print("| signal | " + " | ".join(f"tau / rho against {k}" for k in truth) + " | its pick | its top 5 |")
    print("|---|" + "---|" * (len(truth) + 2))
    for n, xs in columns.items():
        cells = [f"{kendall_tau(xs, t):+.3f} / {spearman_rho(xs, t):+.3f}" for t in truth.values()]
        top = sorted(range(len(xs)), key=lambda i: -xs[i])[:5]
        cells += [f"{ys[top[0]]:.2f}%", f"{sum(ys[i] for i in top) / len(top):.2f}%"]
        print(f"| {n} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
