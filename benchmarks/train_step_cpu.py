"""Where a CPU training step's time goes, and what the LIF backend changes: the Fashion-MNIST baseline
(SpikingVGG width 32) and two SNASNet networks (C = 16; the second has feedback edges, so its cells call
each neuron one timestep at a time), batch 128, T = 4, AdamW, the step `spikenas train` takes; the
step-by-step reference LIF ("torch") against one autograd node per sequence of torch operations ("sequence";
timesteps as the reference), against the compiled kernels ("compiled", for sequences and timesteps: what
"auto" takes where a compiler is found), against those with the whole network under torch.compile, in
channels-last layout, and under bf16 autocast (`spikenas train --cpu-amp`); interleaved step by step in one
process, with each ratio's spread; then a profile of each network's default step (top
operators by self CPU time).

    python benchmarks/train_step_cpu.py [--steps 20] [--profile] [--only feedback]
    SPIKENAS_KEEP_FREED_MEMORY=0 python benchmarks/train_step_cpu.py   # malloc as the system sets it

Freed memory is kept for reuse (spikenas.allocator), as `spikenas train` does; without it, which variant
runs after which changes each one's time (glibc's mmap threshold adapts to what was freed before), so
compare variants with it on.

A Fashion-MNIST epoch is 469 such steps (60,000 images at batch 128).
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import torch

from spikenas import spaces
from spikenas.allocator import keep_freed_memory
from spikenas.models.baseline import SpikingVGG
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.train.config import TrainConfig
from spikenas.train.trainer import make_optimizer, supervised_step

NETWORKS = {
    "baseline width 32": lambda neuron: SpikingVGG((1, 28, 28), 10, 4, width=32, neuron=neuron),
    "SNASNet 0033 0000 0002 0000, C = 16": lambda neuron: spaces.get("snasnet").build(
        spaces.get("snasnet").genotype_from_dict({"space": "snasnet", "matrix": [[0, 0, 3, 3], [0, 0, 0, 0],
                                                                                 [0, 0, 0, 2], [0, 0, 0, 0]]}),
        (1, 28, 28), 10, 4, channels=16, neuron=neuron),
    # feedback edges 2 -> 0 and 3 -> 1: its cells step one timestep at a time (Neuron.step)
    "SNASNet 0303 0030 2002 0400 (feedback), C = 16": lambda neuron: spaces.get("snasnet").build(
        spaces.get("snasnet").genotype_from_dict({"space": "snasnet", "matrix": [[0, 3, 0, 3], [0, 0, 3, 0],
                                                                                 [2, 0, 0, 2], [0, 4, 0, 0]]}),
        (1, 28, 28), 10, 4, channels=16, neuron=neuron),
}


VARIANTS = {  # name: (LIF backend, the model wrapped in torch.compile, channels-last, bf16 autocast)
    "reference": ("torch", False, False, False),
    "sequence": ("sequence", False, False, False),
    "compiled (default)": ("compiled", False, False, False),
    "compiled + torch.compile(model)": ("compiled", True, False, False),
    "compiled, channels-last": ("compiled", False, True, False),
    "compiled, --cpu-amp (bf16, channels-last)": ("compiled", False, True, True),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--only", default="", help="the networks whose name contains this")
    p.add_argument("--skip", default="", help="leave out the variants whose name contains this")
    args = p.parse_args()
    kept = keep_freed_memory()
    cfg = TrainConfig(optimizer="adamw", lr=2e-3, timesteps=4)
    x = torch.randn(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; batch {args.batch}, T = 4; freed "
          f"memory kept: {kept}")
    for name, make in NETWORKS.items():
        if args.only not in name:
            continue
        runs = {}
        for variant, (backend, whole, channels_last, bf16) in VARIANTS.items():
            if args.skip and args.skip in variant:
                continue
            torch.manual_seed(0)
            model = make(NeuronConfig(backend=backend))
            if channels_last:
                model.to(memory_format=torch.channels_last)
            opt = make_optimizer(model, cfg)
            step = supervised_step(replace(cfg, cpu_amp=bf16), torch.device("cpu"))
            runner = torch.compile(model) if whole else model
            t0 = time.perf_counter()
            step(runner, opt, x, y)  # warm-up, compiling where asked
            step(runner, opt, x, y)
            print(f"  {variant}: first two steps {time.perf_counter() - t0:.1f} s", flush=True)
            runs[variant] = (runner, opt, step)
        times: dict[str, list[float]] = {v: [] for v in runs}
        for _ in range(args.steps):
            for variant, (runner, opt, step) in runs.items():
                t0 = time.perf_counter()
                step(runner, opt, x, y)
                times[variant].append(time.perf_counter() - t0)
        params = sum(p.numel() for p in runs["reference"][0].parameters())
        print(f"{name}: {params:,} parameters")
        for variant, t in times.items():
            ratio = [a / b for a, b in zip(times["reference"], t, strict=True)]
            q = statistics.quantiles(ratio, n=4)
            med = statistics.median(t)
            print(f"  {variant}: step median {1e3 * med:.0f} ms; reference/this {statistics.median(ratio):.2f}x "
                  f"(quartiles {q[0]:.2f}-{q[2]:.2f}); a 469-step epoch {469 * med:.0f} s")
        if args.profile:
            runner, opt, step = runs["compiled (default)"]
            with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
                for _ in range(3):
                    step(runner, opt, x, y)
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))


if __name__ == "__main__":
    main()
