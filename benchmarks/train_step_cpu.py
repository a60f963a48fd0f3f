"""Where a CPU training step's time goes, and what the LIF backend changes: the Fashion-MNIST baseline
(SpikingVGG width 32) and a searched SNASNet network (C = 16), batch 128, T = 4, AdamW, the step
`spikenas train` takes; the step-by-step reference LIF ("torch") against the default ("auto": one autograd
node per sequence), interleaved step by step in one process, with the ratio's spread; then a profile of
each network's default step (top operators by self CPU time).

    python benchmarks/train_step_cpu.py [--steps 20] [--profile]

A Fashion-MNIST epoch is 469 such steps (60,000 images at batch 128).
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from spikenas import spaces
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
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--profile", action="store_true")
    args = p.parse_args()
    cfg = TrainConfig(optimizer="adamw", lr=2e-3, timesteps=4)
    x = torch.randn(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; batch {args.batch}, T = 4")
    for name, make in NETWORKS.items():
        runs = {}
        for backend in ("torch", "auto"):
            torch.manual_seed(0)
            model = make(NeuronConfig(backend=backend))
            opt = make_optimizer(model, cfg)
            step = supervised_step(cfg, torch.device("cpu"))
            runs[backend] = (model, opt, step)
        for model, opt, step in runs.values():  # warm-up
            step(model, opt, x, y)
        times: dict[str, list[float]] = {b: [] for b in runs}
        for _ in range(args.steps):
            for backend, (model, opt, step) in runs.items():
                t0 = time.perf_counter()
                step(model, opt, x, y)
                times[backend].append(time.perf_counter() - t0)
        ratio = [a / b for a, b in zip(times["torch"], times["auto"], strict=True)]
        q = statistics.quantiles(ratio, n=4)
        med = {b: statistics.median(t) for b, t in times.items()}
        print(f"{name}: {sum(p.numel() for p in runs['auto'][0].parameters()):,} parameters; step median "
              f"reference {1e3 * med['torch']:.0f} ms, default {1e3 * med['auto']:.0f} ms; reference/default "
              f"{statistics.median(ratio):.2f}x (quartiles {q[0]:.2f}-{q[2]:.2f}); a 469-step epoch at the default: "
              f"{469 * med['auto']:.0f} s")
        if args.profile:
            model, opt, step = runs["auto"]
            with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
                for _ in range(3):
                    step(model, opt, x, y)
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))


if __name__ == "__main__":
    main()
