"""Time and memory of a differentiable-search step at CIFAR-10 shape (3x32x32, T = 4, batch 64 by
default): one architecture step (first or second order) and one weight step of the supernet, as
search.strategies.darts runs them, on random data. Each configuration runs in its own process so the peak
memory (resident set on the CPU, allocator peak on CUDA) is its own; one killed for want of memory is
reported as such. Prints per-step seconds, the epoch time of a CIFAR-10 search (25,000 + 25,000 images:
25,000 / batch steps) and 50 such epochs.

    python benchmarks/darts_epoch.py --device cpu --steps 3
    python benchmarks/darts_epoch.py --device cuda --steps 20 --partial 1 4
    python benchmarks/darts_epoch.py --device cpu --steps 2 --batch 16 --partial 4 --macro search
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

CIFAR_HALF = 25_000


def one(args) -> dict:
    from spikenas import spaces
    from spikenas.search.architect import Architect

    device = torch.device(args.device)
    torch.manual_seed(0)
    space = spaces.get("darts", layers=args.layers, partial=args.partial[0], mixing=args.mixing,
                       attention=args.attention, macro=args.macro)
    net = space.supernet((3, 32, 32), 10, args.timesteps, channels=args.channels).to(device)
    opt = torch.optim.SGD(net.weight_parameters(), lr=0.025, momentum=0.9, weight_decay=3e-4)
    arch = Architect(net, net, second_order=args.order == "second")
    x = torch.randn(args.batch, 3, 32, 32, device=device)
    y = torch.randint(0, 10, (args.batch,), device=device)
    times = []
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    for step in range(args.steps + 1):  # the first step warms up
        t0 = time.perf_counter()
        arch.step(x, y, x, y, eta=0.025)
        loss = F.cross_entropy(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        if step:
            times.append(time.perf_counter() - t0)
    peak = (torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda"
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {"partial": args.partial[0], "order": args.order, "step_s": sorted(times)[len(times) // 2],
            "peak_mib": peak, "weights": sum(p.numel() for p in net.weight_parameters())}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cpu")
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--timesteps", type=int, default=4)
    p.add_argument("--layers", type=int, default=8)
    p.add_argument("--channels", type=int, default=16)
    p.add_argument("--partial", type=int, nargs="+", default=[1, 4])
    p.add_argument("--order", default="first")
    p.add_argument("--mixing", default="membrane")
    p.add_argument("--attention", default="")
    p.add_argument("--macro", default="fixed", help="fixed, or search (the network level searched too)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(one(args)))
        return
    print(f"{args.device}, batch {args.batch}, T = {args.timesteps}, {args.layers} cells, C = {args.channels}, "
          f"{args.order} order, mixing {args.mixing}, attention {args.attention or 'none'}, macro {args.macro}")
    for k in args.partial:
        cmd = [sys.executable, __file__, "--child", "--partial", str(k)]
        for name in ("device", "steps", "batch", "timesteps", "layers", "channels", "order", "mixing", "attention",
                     "macro"):
            cmd += [f"--{name}", str(getattr(args, name))]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            print(f"partial {k}: the run died (exit {done.returncode}; -9 is a kill, on this machine for want of "
                  f"memory): {done.stderr.strip().splitlines()[-1:] or ''}")
            continue
        r = json.loads(done.stdout.splitlines()[-1])
        steps = math.ceil(CIFAR_HALF / args.batch)
        epoch = r["step_s"] * steps
        print(f"partial {k}: {r['weights']:,} weights, {r['step_s']:.2f} s per step (architecture + weights), "
              f"peak {r['peak_mib']:.0f} MiB; CIFAR-10 epoch ({steps} steps) {epoch / 60:.1f} min, "
              f"50 epochs {50 * epoch / 3600:.1f} h")


if __name__ == "__main__":
    main()
