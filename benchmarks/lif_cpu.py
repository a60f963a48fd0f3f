"""Multi-step LIF forward + backward on the CPU: spikenas (the compiled kernels that `auto` takes on the CPU
when training where a C++ compiler is found, the one-node sequence path it takes otherwise, and the
step-by-step reference) against SpikingJelly 2.0's multi-step LIFNode, on the same tensors, in one process,
interleaved round by round; ratios with their spread (quartiles over rounds).

SpikingJelly is installed only for this benchmark, never as a dependency of the project (its pins pull CUDA
builds of torch):

    pip install --no-deps --target /tmp/sjpkg spikingjelly==2.0.0 loguru
    PYTHONPATH=/tmp/sjpkg python benchmarks/lif_cpu.py --T 5 16 --rounds 15

Settings on both sides: tau 2, decay_input, v_reset 0 (hard reset), threshold 1, ATan surrogate (alpha 2),
detached reset. Before timing, the spikes of every pair are compared for equality and the input gradients
for closeness.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import torch

from spikenas.snn import LIF


def spikingjelly_lif():
    from spikingjelly.activation_based import neuron, surrogate

    node = neuron.LIFNode(tau=2.0, v_reset=0.0, v_threshold=1.0, surrogate_function=surrogate.ATan(alpha=2.0),
                          detach_reset=True, decay_input=True, step_mode="m")

    def run(x):
        node.reset()
        return node(x)
    return run


def fwd_bwd(run, x, g):
    def step():
        x.grad = None
        run(x).backward(g)
    return step


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(values, n=4)
    return q[0], statistics.median(values), q[2]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--T", type=int, nargs="+", default=[5, 16])
    p.add_argument("--shape", type=int, nargs=4, default=[32, 64, 16, 16], metavar=("B", "C", "H", "W"))
    p.add_argument("--rounds", type=int, default=15)
    args = p.parse_args()
    machine = platform.processor() or platform.machine()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {machine}, {os.cpu_count()} cores; "
          f"shape [T, {', '.join(map(str, args.shape))}]")
    impls = {"spikenas compiled": LIF(backend="compiled"), "spikenas sequence": LIF(backend="sequence"),
             "spikenas reference": LIF(backend="torch")}
    try:
        impls["SpikingJelly 2.0"] = spikingjelly_lif()
    except ImportError as e:
        print(f"SpikingJelly not importable ({e}): see the docstring; timing spikenas alone")
    for T in args.T:
        torch.manual_seed(0)
        x = (torch.randn(T, *args.shape) * 1.5).requires_grad_()
        g = torch.randn(T, *args.shape)
        outs = {}
        for name, run in impls.items():
            x.grad = None
            s = run(x)
            s.backward(g)
            outs[name] = (s.detach(), x.grad.clone())
        ref_s, ref_g = outs["spikenas reference"]
        for name, (s, gx) in outs.items():
            err = ((gx - ref_g).abs().max() / ref_g.abs().max()).item()
            print(f"T={T} {name}: spikes identical to the reference {torch.equal(s, ref_s)}, max relative "
                  f"gradient difference {err:.1e}")
        steps = {name: fwd_bwd(run, x, g) for name, run in impls.items()}
        times: dict[str, list[float]] = {name: [] for name in steps}
        for step in steps.values():  # warm-up
            step()
        for _ in range(args.rounds):
            for name, step in steps.items():
                t0 = time.perf_counter()
                step()
                times[name].append(time.perf_counter() - t0)
        for name, ts in times.items():
            print(f"T={T} {name}: median {1e3 * statistics.median(ts):.1f} ms")
        for base_name in ("spikenas compiled", "spikenas sequence"):
            base = times[base_name]
            for name, ts in times.items():
                if not name.startswith("spikenas"):
                    lo, mid, hi = quartiles([a / b for a, b in zip(ts, base, strict=True)])
                    print(f"T={T} {name} / {base_name}: {mid:.2f}x (quartiles {lo:.2f}-{hi:.2f}, "
                          f"{args.rounds} rounds)")


if __name__ == "__main__":
    main()
