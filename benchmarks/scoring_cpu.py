"""Training-free scoring on the CPU, per candidate: the compiled LIF forward (what `auto` takes where a C++
compiler is found) against the reference's no-grad path, the same candidates scored both ways in one process,
alternating which goes first; scores are checked equal and the ratio is given with its spread. SNASNet
candidates are scored by SAHD, MSE-NAS candidates by RDM, as their searches do (a network per candidate,
initialised from a fixed seed), on CIFAR-10-shaped random inputs.

    python benchmarks/scoring_cpu.py [--candidates 10] [--batch-size 64] [--timesteps 4]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from spikenas import spaces
from spikenas.allocator import keep_freed_memory
from spikenas.search.scoring import Networks, score_candidate
from spikenas.snn.functional import lif_compiled

SPACES = {"snasnet": "sahd", "mse": "rdm"}


def timed(networks, genotype, batches, labels, score, compiled: bool) -> tuple[float, dict | None]:
    available = lif_compiled.available
    if not compiled:
        lif_compiled.available = lambda: False  # "auto" takes the reference's no-grad path
    try:
        t0 = time.perf_counter()
        try:
            result = score_candidate(networks, genotype, batches, 0, score, labels=labels)
            result.pop("seconds")
        except ValueError:  # a readout that never fires: the search records it as failed
            result = None
        return time.perf_counter() - t0, result
    finally:
        lif_compiled.available = available


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--candidates", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--timesteps", type=int, default=4)
    p.add_argument("--channels", type=int, default=16)
    args = p.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, compiler found: "
          f"{lif_compiled.available()}, freed memory kept: {keep_freed_memory()}")
    gen = torch.Generator().manual_seed(0)
    batches = [torch.randn(args.batch_size, 3, 32, 32, generator=gen) for _ in range(2)]
    labels = [torch.randint(0, 10, (args.batch_size,), generator=gen) for _ in batches]  # RDM's rsa reads them
    build = {"input_shape": (3, 32, 32), "num_classes": 10, "timesteps": args.timesteps,
             "channels": args.channels}
    for name, score in SPACES.items():
        space = spaces.get(name)
        rng = np.random.default_rng(0)
        genotypes = [space.sample(rng) for _ in range(args.candidates + 1)]
        networks = Networks(space, build, torch.device("cpu"))
        timed(networks, genotypes[0], batches, labels, score, True)  # warm-up: compiles the kernels
        timed(networks, genotypes[0], batches, labels, score, False)
        times = {True: [], False: []}
        for i, g in enumerate(genotypes[1:]):
            results = {}
            for compiled in ((True, False) if i % 2 else (False, True)):
                dt, results[compiled] = timed(networks, g, batches, labels, score, compiled)
                times[compiled].append(dt)
            assert results[True] == results[False], f"{name}: scores differ for {g}"
        ratio = [a / b for a, b in zip(times[False], times[True], strict=True)]
        q = statistics.quantiles(ratio, n=4)
        print(f"{name} ({score}, batch {args.batch_size}, T = {args.timesteps}, C = {args.channels}): per candidate "
              f"reference {1e3 * statistics.median(times[False]):.0f} ms, compiled "
              f"{1e3 * statistics.median(times[True]):.0f} ms; reference/compiled {statistics.median(ratio):.2f}x "
              f"(quartiles {q[0]:.2f}-{q[2]:.2f}, {args.candidates} candidates); scores identical")


if __name__ == "__main__":
    main()
