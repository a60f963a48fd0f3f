"""MSE-NAS scoring throughput: candidates per second scored with the RDM fitness, as `spikenas search` does
(fresh network built and initialised per candidate, 2 batches, neuron state fresh per batch).

    python benchmarks/mse_speed.py [--candidates 100] [--device cuda] [--precision fp32|bf16]

Input: CIFAR-10-shaped (random normal, 3x32x32), batch 128, T = 4, the mse space's default 4 cells of 3 motifs
at the default width (C = 32 at 32x32); the default RDM variant.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from spikenas import spaces
from spikenas.search.evaluate import Networks, evaluate


def sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--candidates", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--timesteps", type=int, default=4)
    p.add_argument("--channels", type=int, default=None)
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = p.parse_args()
    device = torch.device(args.device)
    name = torch.cuda.get_device_name() if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"device: {name}, torch {torch.__version__}")
    space = spaces.get("mse")
    rng = np.random.default_rng(0)
    gen = torch.Generator().manual_seed(0)
    batches = [torch.randn(args.batch_size, 3, 32, 32, generator=gen).to(device) for _ in range(2)]
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        batches = [b.to(memory_format=torch.channels_last) for b in batches]
    build = {"input_shape": (3, 32, 32), "num_classes": 10, "timesteps": args.timesteps, "channels": args.channels}
    networks = Networks(space, build, device)
    genotypes = [space.sample(rng) for _ in range(args.candidates)]
    evaluate(networks, genotypes[0], batches, 0, "rdm", args.precision)  # warm-up
    sync(device)
    t0 = time.perf_counter()
    results = [evaluate(networks, g, batches, 0, "rdm", args.precision) for g in genotypes]
    sync(device)
    dt = time.perf_counter() - t0
    params = np.mean([r["params"] for r in results])
    print(f"scoring (rdm, {args.precision}, batch {args.batch_size}, T={args.timesteps}): "
          f"{args.candidates / dt:.2f} candidates/s over {args.candidates} candidates "
          f"(mean {params:.0f} parameters)")


if __name__ == "__main__":
    main()
