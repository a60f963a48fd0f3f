"""A trained network's accuracy on its run's validation hold-out (or test set, without one) evaluated twice:
as `spikenas train` measures it (eval mode: batch norms use their running statistics), and with every
batch norm normalising by each batch's own statistics instead. A large gap says the running statistics do
not describe what the network saw in training: in cells that step through time, one mean and variance
averaged over steps that differ (docs/benchmarks.md, "Does the search pay at the baseline's size?").

    python benchmarks/batch_stats_eval.py RUN [RUN ...]
"""

from __future__ import annotations

import argparse

import torch
from torch import nn

from spikenas.api import load
from spikenas.train.config import TrainConfig
from spikenas.train.encoding import encode
from spikenas.train.run import prepare_data, saved_config


def accuracy(net: nn.Module, batches, timesteps: int, encoding: str) -> float:
    correct = n = 0
    with torch.no_grad():
        for xb, yb in batches.epoch(0):
            out = net(encode(xb, timesteps, encoding)).float()
            correct += int((out.argmax(1) == yb).sum())
            n += len(yb)
    return correct / n


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", help="training run folders")
    args = p.parse_args()
    for run in args.runs:
        settings = saved_config(run)
        cfg = TrainConfig.from_dict(settings["train"])
        _, _, _, test, val = prepare_data(settings["dataset"], settings["data_root"], cfg)
        split, batches = ("validation", val) if val is not None else ("test", test)
        net, _ = load(run)
        net.eval()
        running = accuracy(net, batches, cfg.timesteps, cfg.encoding)
        for m in net.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.train()
                m.track_running_stats = False  # normalise by the batch; leave the running statistics alone
        own = accuracy(net, batches, cfg.timesteps, cfg.encoding)
        print(f"{run}: {split} accuracy {100 * running:.2f}% with running statistics, {100 * own:.2f}% with "
              f"each batch's own statistics")


if __name__ == "__main__":
    main()
