"""What the label-aware rsa reduction (RDM's default) costs a search against the label-free mean: the same
MSE-NAS candidates scored both ways, one after the other, alternating which goes first, as `spikenas search`
scores them (network built and initialised per candidate, two batches); the median ratio of the times with
its quartiles (the machine is shared: only ratios measured side by side are compared).

    python benchmarks/rdm_reduction_cost.py [--candidates 20] [--batch-size 256] [--timesteps 2] [--channels 16]

Input Fashion-MNIST-shaped (random normal, 1x28x28, random labels of 10 classes), the default space.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from spikenas import spaces
from spikenas.scores import RdmOptions
from spikenas.search.scoring import Networks, score_candidate


def timed(networks, g, batches, labels, reduction: str) -> float:
    t0 = time.perf_counter()
    try:
        score_candidate(networks, g, batches, 0, "rdm", options=RdmOptions(rdm_reduction=reduction), labels=labels)
    except ValueError as e:  # a readout that never fires: the search records it as failed
        if "never fire" not in str(e):
            raise
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--candidates", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--timesteps", type=int, default=2)
    p.add_argument("--channels", type=int, default=16)
    a = p.parse_args()
    gen = torch.Generator().manual_seed(0)
    batches = [torch.randn(a.batch_size, 1, 28, 28, generator=gen) for _ in range(2)]
    labels = [torch.randint(0, 10, (a.batch_size,), generator=gen) for _ in batches]
    space = spaces.get("mse")
    rng = np.random.default_rng(0)
    genotypes = [space.sample(rng) for _ in range(a.candidates + 1)]
    networks = Networks(space, {"input_shape": (1, 28, 28), "num_classes": 10, "timesteps": a.timesteps,
                                "channels": a.channels}, torch.device("cpu"))
    timed(networks, genotypes[0], batches, labels, "rsa")  # warm-up
    times = {"mean": [], "rsa": []}
    for i, g in enumerate(genotypes[1:]):
        for reduction in (("mean", "rsa") if i % 2 else ("rsa", "mean")):
            times[reduction].append(timed(networks, g, batches, labels, reduction))
    ratio = [r / m for r, m in zip(times["rsa"], times["mean"], strict=True)]
    q = statistics.quantiles(ratio, n=4)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; batch {a.batch_size}, T = {a.timesteps}, "
          f"C = {a.channels}, {a.candidates} candidates: per candidate mean "
          f"{1e3 * statistics.median(times['mean']):.0f} ms, rsa {1e3 * statistics.median(times['rsa']):.0f} ms "
          f"(medians); rsa / mean "
          f"{statistics.median(ratio):.2f}x (quartiles {q[0]:.2f}-{q[2]:.2f})")


if __name__ == "__main__":
    main()
