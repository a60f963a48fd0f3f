"""MSE-NAS scoring throughput: candidates per second scored with the RDM fitness, as `spikenas search` does
(fresh network built and initialised per candidate, 2 batches, neuron state fresh per batch).

    python benchmarks/mse_speed.py [--candidates 100] [--device cuda] [--precision fp32|bf16] [--workers 1]
                                    [--reductions 2|any]

Input: CIFAR-10-shaped (random normal, 3x32x32), batch 128, T = 4, candidates sampled as a default search
samples them (4 cells of 3 motifs, 2 of which reduce; `--reductions any`: as the H100 figures of 2026-11-23)
at the default width (C = 32 at 32x32); the default RDM variant (rsa since 2026-12-04, with random labels;
`--rdm-reduction mean` for the variant of the figures recorded before). `--workers N` scores with N worker processes
sharing the device, as `spikenas search --workers N` does (a candidate's cost is mostly Python: building the
network and launching small kernels, which several processes overlap on one GPU); the workers' start-up and
first candidates are not timed. With one worker a second line splits a candidate's time between building
and initialising its network and scoring it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from spikenas import spaces
from spikenas.devices import channels_last_for
from spikenas.scores import RdmOptions
from spikenas.scores.rdm import DEFAULT_REDUCTION, REDUCTIONS
from spikenas.search.executors import Job, ProcessExecutor, to_device
from spikenas.search.scoring import Networks, score_candidate, score_network
from spikenas.spaces.mse.space import count_or_any


def sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def inline(space, genotypes, batches, labels, build, device, precision, opts) -> tuple[float, int, list[dict]]:
    layout = channels_last_for(device, precision == "bf16")  # as the search's executors lay them out
    batches = to_device(batches, device, layout)
    networks = Networks(space, build, device, channels_last=layout)
    for g in genotypes[:5]:  # warm-up (cudnn autotuning of the shapes met)
        try:
            score_candidate(networks, g, batches, 0, "rdm", precision, opts, labels)
        except ValueError:
            pass
    sync(device)
    t0 = time.perf_counter()
    results, failed = [], 0
    for g in genotypes:
        try:  # as the search does: a candidate whose readout never fires is recorded as failed, not fatal
            results.append(score_candidate(networks, g, batches, 0, "rdm", precision, opts, labels))
        except ValueError:
            failed += 1
    sync(device)
    return time.perf_counter() - t0, failed, results


def phases(genotypes, batches, labels, build, device, precision, space, opts) -> tuple[float, float]:
    """Milliseconds per candidate spent building and initialising the network, and scoring it (the device
    synchronised between the two, so unlike the throughput run nothing overlaps)."""
    layout = channels_last_for(device, precision == "bf16")
    batches = to_device(batches, device, layout)
    networks = Networks(space, build, device, channels_last=layout)
    built = scored = 0.0
    for g in genotypes:
        sync(device)
        t0 = time.perf_counter()
        model = networks.get(g, 0)
        sync(device)
        t1 = time.perf_counter()
        try:
            score_network(model, batches, "rdm", precision, opts, labels)
        except ValueError:
            pass
        sync(device)
        built, scored = built + t1 - t0, scored + time.perf_counter() - t1
    return 1e3 * built / len(genotypes), 1e3 * scored / len(genotypes)


def pooled(space, genotypes, batches, labels, build, device, precision, opts, workers) -> tuple[float, int, list]:
    job = Job("mse", {"cells": space.layout.cells, "motifs": space.layout.motifs, "reductions": space.reductions},
              [b.cpu() for b in batches], build, 0, [("rdm", opts)], precision, labels)
    executor = ProcessExecutor(job, device, workers)
    try:
        warm = [g.to_json() for g in genotypes[:2 * workers]]
        list(executor.run(warm))  # start the workers, autotune the first shapes
        t0 = time.perf_counter()
        out = [r for _, r in executor.run([g.to_json() for g in genotypes])]
        dt = time.perf_counter() - t0
    finally:
        executor.close()
    return dt, sum("error" in r for r in out), [r for r in out if "error" not in r]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--candidates", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--timesteps", type=int, default=4)
    p.add_argument("--channels", type=int, default=None)
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--reductions", type=count_or_any, default=None,
                   help="cells that halve the resolution, or any (default: the space's, as a search's)")
    p.add_argument("--rdm-reduction", default=DEFAULT_REDUCTION, choices=REDUCTIONS)
    args = p.parse_args()
    opts = RdmOptions(rdm_reduction=args.rdm_reduction)
    device = torch.device(args.device)
    name = torch.cuda.get_device_name() if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"device: {name}, torch {torch.__version__}")
    space = spaces.get("mse", reductions=args.reductions)
    rng = np.random.default_rng(0)
    gen = torch.Generator().manual_seed(0)
    batches = [torch.randn(args.batch_size, 3, 32, 32, generator=gen) for _ in range(2)]
    labels = [torch.randint(0, 10, (args.batch_size,), generator=gen) for _ in batches]
    build = {"input_shape": (3, 32, 32), "num_classes": 10, "timesteps": args.timesteps, "channels": args.channels}
    genotypes = [space.sample(rng) for _ in range(args.candidates)]
    if args.workers == 1:
        dt, failed, results = inline(space, genotypes, batches, labels, build, device, args.precision, opts)
    else:
        dt, failed, results = pooled(space, genotypes, batches, labels, build, device, args.precision, opts,
                                     args.workers)
    params = np.mean([r["params"] for r in results])
    print(f"scoring (rdm/{args.rdm_reduction}, {args.precision}, batch {args.batch_size}, T={args.timesteps}, "
          f"{args.workers} worker(s)): "
          f"{args.candidates / dt:.2f} candidates/s over {args.candidates} candidates "
          f"({failed} failed at the readout; mean {params:.0f} parameters)")
    if args.workers == 1:
        n = min(20, len(genotypes))
        build_ms, score_ms = phases(genotypes[:n], batches, labels, build, device, args.precision, space, opts)
        print(f"  per candidate, the first {n} again with the device synchronised between phases: build and "
              f"initialise {build_ms:.1f} ms, score {score_ms:.1f} ms")


if __name__ == "__main__":
    main()
