"""Host-side cost of scoring a candidate: top-level torch ops and milliseconds per candidate at tiny shapes.

    python benchmarks/host_ops.py [--space mse] [--candidates 20] [--reductions 2|any]

At C = 4, batch 2, 3x32x32, T = 4 the arithmetic is negligible, so what is left is what a GPU cannot hide:
Python and one dispatch (on CUDA, usually one kernel launch) per op. Candidates are sampled with seed 0 and
scored as `spikenas search` does (RDM for mse, SAHD for snasnet); the op count comes from the torch
profiler (ops called by other ops not counted).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch.profiler import ProfilerActivity, profile

from spikenas import spaces
from spikenas.search.scoring import Networks, score_candidate
from spikenas.spaces.mse.space import count_or_any


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--space", default="mse")
    p.add_argument("--candidates", type=int, default=20)
    p.add_argument("--reductions", type=count_or_any, default=None, help="mse: as the search's option")
    args = p.parse_args()
    torch.set_num_threads(1)
    space = spaces.get(args.space, reductions=args.reductions)
    score = "rdm" if args.space == "mse" else "sahd"
    rng = np.random.default_rng(0)
    genotypes = [space.sample(rng) for _ in range(args.candidates)]
    torch.manual_seed(0)
    batches = [torch.randn(2, 3, 32, 32) for _ in range(2)]
    labels = [torch.tensor([0, 1]) for _ in batches]  # RDM's default reduction (rsa) reads them
    build = {"input_shape": (3, 32, 32), "num_classes": 10, "timesteps": 4, "channels": 4}
    networks = Networks(space, build, torch.device("cpu"))

    def run() -> None:
        for g in genotypes:
            try:
                score_candidate(networks, g, batches, 0, score, labels=labels)
            except ValueError:  # a readout that never fires: scored as far as the search goes
                pass

    run()  # warm-up
    t0 = time.perf_counter()
    run()
    ms = 1e3 * (time.perf_counter() - t0) / len(genotypes)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        run()
    ops = sum(1 for e in prof.events() if e.name.startswith("aten::")
              and (e.cpu_parent is None or not e.cpu_parent.name.startswith("aten::")))
    print(f"{args.space}: {ops / len(genotypes):.0f} top-level torch ops and {ms:.1f} ms per candidate "
          f"(C=4, batch 2, T=4, 1 thread, {len(genotypes)} candidates)")


if __name__ == "__main__":
    main()
