"""Candidates of a search trained side by side on a subset of the data: a cheap look, on a CPU, at which
kind of network learns, before spending a GPU on full trainings.

    python benchmarks/subset_training.py --search runs/mfm --candidates 450,477 --data-root DATA/fashion-mnist \
        [--dataset fashion-mnist] [--channels 16] [--train-samples 12000] [--test-samples 5000] [--epochs 4] \
        [--out runs/subset]

Each candidate (by its index in the search's store) is built at `--channels` and trained with the recipe of
docs/benchmarks.md's Fashion-MNIST runs (AdamW 2e-3, weight decay 0.01, cosine, batch 128, T = 4, random
crop with padding 2) on the first `--train-samples` of a seeded permutation of the training set, and tested
on the first `--test-samples` test images. Prints each epoch's train and test accuracy; each candidate's run
folder (OUT/c{index}) holds its metrics.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from spikenas import data
from spikenas.search.store import Store
from spikenas.train.config import TrainConfig
from spikenas.train.run import build_model
from spikenas.train.trainer import fit


def subset_arguments(p: argparse.ArgumentParser, epochs: int, timesteps: int) -> None:
    """The data and size options of a subset training (this benchmark's and mse_construction.py's)."""
    p.add_argument("--dataset", default="fashion-mnist")
    p.add_argument("--data-root", default=None)
    p.add_argument("--channels", type=int, default=16)
    p.add_argument("--train-samples", type=int, default=12000)
    p.add_argument("--test-samples", type=int, default=5000)
    p.add_argument("--held-out", action="store_true",
                   help="evaluate on the next --test-samples images of the training set's permutation (never "
                        "trained on) instead of the test set: for choosing between designs")
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--timesteps", type=int, default=timesteps)


def subset_batches(args, cfg: TrainConfig):
    """(train batches, evaluation batches, input shape, classes): the first `--train-samples` of a seeded
    permutation of the training set, and the first `--test-samples` test images (or, with `--held-out`, the
    next `--test-samples` of that permutation). The same batches for every network: an epoch's order and
    augmentation depend only on seed and epoch."""
    xtr, ytr = data.load(args.dataset, args.data_root, "train", None)
    mean, std = data.channel_stats(xtr)
    order = torch.from_numpy(np.random.default_rng(0).permutation(len(xtr)))
    pick = order[:args.train_samples]
    ytr = torch.as_tensor(np.asarray(ytr))
    if args.held_out:
        if args.train_samples + args.test_samples > len(xtr):
            raise SystemExit(f"--held-out: {args.train_samples} + {args.test_samples} images, the training set "
                             f"has {len(xtr)}")
        rest = order[args.train_samples:args.train_samples + args.test_samples]
        xte, yte = xtr[rest], ytr[rest]
    else:
        xte, yte = data.load(args.dataset, args.data_root, "test", None)
        xte, yte = xte[:args.test_samples], torch.as_tensor(np.asarray(yte))[:args.test_samples]
    classes = int(max(ytr.max(), yte.max())) + 1
    train = data.DeviceBatches(xtr[pick], ytr[pick], cfg.batch_size, cfg.device, mean, std,
                               data.Augment(cfg.crop_padding, False, 0), shuffle=True, seed=0)
    test = data.DeviceBatches(xte, yte, 500, cfg.device, mean, std)
    return train, test, tuple(xtr.shape[-3:]), classes


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--search", required=True, help="a search's run folder (its search.sqlite)")
    p.add_argument("--candidates", required=True, help="comma-separated candidate indices")
    subset_arguments(p, epochs=4, timesteps=4)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--out", default="runs/subset")
    args = p.parse_args()
    cfg = TrainConfig(epochs=args.epochs, optimizer="adamw", lr=2e-3, weight_decay=0.01, timesteps=args.timesteps,
                      crop_padding=2, device=args.device)
    train, test, in_shape, classes = subset_batches(args, cfg)
    store = Store(Path(args.search) / "search.sqlite", readonly=True)
    stored = {t.idx: t for t in store.trials()}
    store.close()
    for idx in (int(i) for i in args.candidates.split(",")):
        genotype = json.loads(stored[idx].genotype)
        torch.manual_seed(0)
        spec = {"name": "genotype", "space": genotype["space"], "genotype": genotype, "channels": args.channels}
        model = build_model(spec, in_shape, classes, args.timesteps)
        run = Path(args.out) / f"c{idx}"
        run.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        m = fit(model, train, test, cfg, run, resume=True, show_progress=False)
        reduce = [cell["reduce"] for cell in genotype["structure"]]
        print(f"#{idx} reduce {reduce}, {m['parameters']:,} parameters, {time.perf_counter() - t0:.0f} s; "
              "epoch: train / test accuracy " + ", ".join(
                  f"{h['epoch']}: {100 * h['train_accuracy']:.1f} / {100 * h['test_accuracy']:.1f}"
                  for h in m["history"]), flush=True)


if __name__ == "__main__":
    main()
