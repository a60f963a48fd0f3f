"""Does the search pay? A found genotype against genotypes drawn at random from the same space and the
hand-built baseline, trained with one recipe on one subset, the best random one chosen on held-out training
images (never the test set).

    python benchmarks/search_vs_random.py --found runs/fd/best.json --random 3 --baseline-width 8 \\
        --dataset fashion-mnist --data-root DATA/fashion-mnist --train-samples 12000 --val-samples 2000 \\
        --test-samples 10000 --epochs 2 --timesteps 2 --channels 8 --out runs/fd-compare

The random genotypes are drawn with `--seed` from the space the found one was searched in (its run folder's
config.json: the same options). Every network is trained with AdamW 2e-3, weight decay 0.01, cosine, batch
128, random crop with padding 2, on the first `--train-samples` of a seeded permutation of the training set;
the next `--val-samples` of it are the held-out set the random draws are ranked on; the test images are read
once per network, at the end. Prints one row per network: parameters, held-out and test accuracy, spikes per
sample, seconds.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from spikenas import data, spaces
from spikenas.models.baseline import SpikingVGG
from spikenas.train.config import TrainConfig
from spikenas.train.measure import measure
from spikenas.train.trainer import fit


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--found", required=True, help="best.json of a search")
    p.add_argument("--random", type=int, default=3)
    p.add_argument("--baseline-width", type=int, default=8)
    p.add_argument("--dataset", default="fashion-mnist")
    p.add_argument("--data-root", default=None)
    p.add_argument("--train-samples", type=int, default=12000)
    p.add_argument("--val-samples", type=int, default=2000)
    p.add_argument("--test-samples", type=int, default=10000)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--timesteps", type=int, default=2)
    p.add_argument("--channels", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--out", default="runs/compare")
    args = p.parse_args()
    found_path = Path(args.found)
    best = json.loads(found_path.read_text())
    cfg_file = found_path.parent / "config.json"
    space_options = json.loads(cfg_file.read_text()).get("space_options", {}) if cfg_file.exists() else {}
    space = spaces.get(best["space"], **space_options)
    found = space.genotype_from_dict(best["genotype"])
    rng = np.random.default_rng(args.seed)
    drawn = [space.sample(rng) for _ in range(args.random)]

    cfg = TrainConfig(epochs=args.epochs, optimizer="adamw", lr=2e-3, weight_decay=0.01, timesteps=args.timesteps,
                      crop_padding=2, device=args.device, seed=args.seed)
    xtr, ytr = data.load(args.dataset, args.data_root, "train", None)
    xte, yte = data.load(args.dataset, args.data_root, "test", None)
    ytr, yte = torch.as_tensor(np.asarray(ytr)), torch.as_tensor(np.asarray(yte))
    mean, std = data.channel_stats(xtr)
    perm = torch.from_numpy(np.random.default_rng(args.seed).permutation(len(xtr)))
    tr, va = perm[:args.train_samples], perm[args.train_samples:args.train_samples + args.val_samples]
    train = data.DeviceBatches(xtr[tr], ytr[tr], cfg.batch_size, cfg.device, mean, std,
                               data.Augment(cfg.crop_padding, False, 0), shuffle=True, seed=args.seed)
    val = data.DeviceBatches(xtr[va], ytr[va], 500, cfg.device, mean, std)
    test = data.DeviceBatches(xte[:args.test_samples], yte[:args.test_samples], 500, cfg.device, mean, std)
    shape, classes = tuple(xtr.shape[-3:]), int(ytr.max()) + 1

    nets = [("found", found.code() if hasattr(found, "code") else found.hash(), found)]
    nets += [(f"random {k}", g.code() if hasattr(g, "code") else g.hash(), g) for k, g in enumerate(drawn)]
    nets.append(("baseline", f"SpikingVGG width {args.baseline_width}", None))
    rows = []
    for name, desc, g in nets:
        torch.manual_seed(args.seed)
        model = (SpikingVGG(shape, classes, args.timesteps, width=args.baseline_width) if g is None
                 else space.build(g, shape, classes, args.timesteps, channels=args.channels))
        run = Path(args.out) / name.replace(" ", "")
        run.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        m = fit(model, train, val, cfg, run, resume=True, show_progress=False)  # `val`: the held-out images
        t = measure(model, test, args.timesteps, cfg.encoding, cfg.amp)
        rows.append({"name": name, "genotype": desc, "parameters": m["parameters"], "val": m["test_accuracy"],
                     "test": t["accuracy"], "spikes": t["spikes_per_sample"], "seconds": time.perf_counter() - t0})
        print(f"{name:10s} {m['parameters']:>9,} params  held-out {100 * m['test_accuracy']:.2f}%  test "
              f"{100 * t['accuracy']:.2f}%  spikes/sample {t['spikes_per_sample']:.0f}  "
              f"{rows[-1]['seconds']:.0f} s  {desc}", flush=True)
    randoms = [r for r in rows if r["name"].startswith("random")]
    if randoms:
        pick = max(randoms, key=lambda r: r["val"])
        print(f"best random by held-out accuracy: {pick['name']} (test {100 * pick['test']:.2f}%); found "
              f"{100 * rows[0]['test']:.2f}%; baseline {100 * rows[-1]['test']:.2f}%")
    (Path(args.out) / "comparison.json").write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
