"""The fixed batches a training-free score reads: `repeats` disjoint batches of the training set drawn with
the seed, normalised (on the CPU), and their labels."""

from __future__ import annotations

import numpy as np
import torch

from spikenas import data
from spikenas.errors import InputError


def score_batches(dataset: str, data_root, timesteps: int, batch_size: int, repeats: int, seed: int
                  ) -> tuple[list[torch.Tensor], list[torch.Tensor], tuple, int]:
    """(batches, labels per batch, input shape, classes)."""
    info = data.get_info(dataset)
    events = info.kind == "events"
    x, y = data.load(dataset, data_root, "train", timesteps if events else None)
    need = batch_size * repeats
    if len(x) < need:
        raise InputError(f"{dataset} has {len(x)} training samples; the score needs {need} "
                         f"({repeats} batches of {batch_size})")
    idx = torch.from_numpy(np.random.default_rng(seed).permutation(len(x))[:need])
    xs = x[idx].float()
    ys = torch.as_tensor(y)[idx]
    labels = [ys[i * batch_size:(i + 1) * batch_size] for i in range(repeats)]
    if events:
        xs = xs.transpose(0, 1)  # [T, N, 2, H, W]
        batches = [xs[:, i * batch_size:(i + 1) * batch_size] for i in range(repeats)]
    else:
        mean, std = data.channel_stats(x)
        xs = (xs / 255.0 - mean.view(-1, 1, 1)) / std.view(-1, 1, 1)
        batches = [xs[i * batch_size:(i + 1) * batch_size] for i in range(repeats)]
    classes = info.classes or int(y.max()) + 1
    return batches, labels, tuple(x.shape[-3:]), classes
