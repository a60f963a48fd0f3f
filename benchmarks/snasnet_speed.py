"""SNASNet on the GPU: candidates scored per second, training throughput and peak memory of the paper's
CIFAR-10 cell, and the rank agreement of the fast (bf16) score with the fp32 reference.

    python benchmarks/snasnet_speed.py [--candidates 200] [--rank-candidates 100]

Scoring: CIFAR-10-shaped input (random normal, 3x32x32), batch 256, T = 5, 2 batches per candidate, the
paper's backward space at the paper's search width (its code's first_out_channel = 128; --channels to
change); every candidate initialised and scored as `spikenas search` does: networks built from pooled edge ops, and, for
comparison, every network built afresh.
Training: cell 0303 0030 2002 0200, C = 256, T = 5, batch 64, SGD step with bf16 autocast and the fused LIF;
images per second over 50 steps after 10 warm-up steps, and torch.cuda.max_memory_allocated.
Rank: Kendall tau between bf16 and fp32 scores of the same candidates (scipy).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F

from spikenas import spaces
from spikenas.devices import autocast_for
from spikenas.search.scoring import Networks, score_candidate
from spikenas.spaces.snasnet.genotype import from_code


def scoring(n: int, precision: str, device, seed: int = 0, channels: int = 128,
            reuse: bool = True) -> tuple[float, list[float]]:
    space = spaces.get("snasnet")
    rng = np.random.default_rng(seed)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    batches = [torch.randn(256, 3, 32, 32, generator=gen).to(device, memory_format=torch.channels_last)
               for _ in range(2)]
    torch.backends.cudnn.benchmark = True
    build = {"input_shape": (3, 32, 32), "num_classes": 10, "timesteps": 5, "channels": channels}
    genotypes = [space.sample(rng) for _ in range(n)]
    networks = Networks(space, build, device, reuse=reuse)
    score_candidate(networks, genotypes[0], batches, seed, "sahd", precision)  # warm-up
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    scores = [score_candidate(networks, g, batches, seed, "sahd", precision)["score"] for g in genotypes]
    torch.cuda.synchronize()
    return n / (time.perf_counter() - t0), scores


def training(device, steps: int = 50) -> tuple[float, float]:
    space = spaces.get("snasnet")
    model = space.build(from_code("0303 0030 2002 0200"), (3, 32, 32), 10, 5, channels=256).to(device)
    model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(64, 3, 32, 32, device=device).to(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (64,), device=device)

    def step():
        with autocast_for(device, True):
            loss = F.cross_entropy(model(x).float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    return steps * 64 / (time.perf_counter() - t0), torch.cuda.max_memory_allocated() / 2**30


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--candidates", type=int, default=200)
    p.add_argument("--rank-candidates", type=int, default=100)
    p.add_argument("--channels", type=int, default=128, help="cell channels C while scoring")
    args = p.parse_args()
    device = torch.device("cuda")
    print(f"device: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    for precision in ("fp32", "bf16"):
        for reuse in (False, True):
            rate, _ = scoring(args.candidates, precision, device, channels=args.channels, reuse=reuse)
            how = "networks built from pooled edge ops" if reuse else "every network built afresh"
            print(f"scoring ({precision}, C={args.channels}, {how}): {rate:.2f} candidates/s "
                  f"over {args.candidates} candidates")
    _, ref = scoring(args.rank_candidates, "fp32", device, seed=1, channels=args.channels)
    _, fast = scoring(args.rank_candidates, "bf16", device, seed=1, channels=args.channels)
    from scipy.stats import kendalltau

    print(f"Kendall tau bf16 vs fp32 over {args.rank_candidates} candidates: {kendalltau(ref, fast)[0]:.4f}")
    ips, mem = training(device)
    print(f"training 0303 0030 2002 0200, C=256, T=5, batch 64: {ips:.0f} images/s, peak {mem:.2f} GiB")


if __name__ == "__main__":
    main()
