"""Fused LIF forward+backward throughput on the GPU, against memory bandwidth and SpikingJelly 2.0.

    python benchmarks/lif_throughput.py [--T 5 --B 64 --C 256 --H 32] [--out docs/benchmarks.md]

Bytes counted per step are the ones the fused kernels must move: forward reads X and writes S and H,
backward reads dL/dS and H and writes dL/dX (6 tensors of T*B*C*H*W fp32). The bandwidth reference is a
device-to-device copy measured on the same GPU, and the datasheet figure where the GPU is known.
SpikingJelly (pip install --no-deps spikingjelly loguru) runs its multi-step LIFNode with the same
settings (decay_input, v_reset=0, tau=2, ATan), cupy backend where cupy exists, else torch.
"""

from __future__ import annotations

import argparse
import platform

import torch

from spikenas.snn import LIF

DATASHEET_GBPS = {"H100 80GB HBM3": 3350.0, "H100 PCIe": 2000.0, "H200": 4800.0, "A100-SXM4-80GB": 2039.0}


def timed(fn, iters: int = 50) -> float:
    """Median seconds of `fn()` measured with CUDA events after warm-up."""
    for _ in range(5):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        torch.cuda.synchronize()
        times.append(a.elapsed_time(b) / 1e3)
    return sorted(times)[len(times) // 2]


def fwd_bwd(neuron, x, g):
    def step():
        x.grad = None
        neuron(x).backward(g)
    return step


def spikingjelly_step(x, g):
    from spikingjelly.activation_based import neuron, surrogate

    # SpikingJelly 0.0.0.15 picks the kernel by `backend`; 2.0 dropped the argument and chooses by device
    for label, extra in (("cupy", {"backend": "cupy"}), ("torch", {"backend": "torch"}), ("auto (2.0)", {})):
        try:
            node = neuron.LIFNode(tau=2.0, v_reset=0.0, surrogate_function=surrogate.ATan(), detach_reset=True,
                                  step_mode="m", **extra).cuda()

            def step(node=node):
                node.reset()
                x.grad = None
                node(x).backward(g)
            step()
            return label, step
        except Exception as e:  # noqa: BLE001 - try the next backend, report which ran
            print(f"spikingjelly backend {label} failed: {e}")
    return None, None


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--T", type=int, default=5)
    p.add_argument("--B", type=int, default=64)
    p.add_argument("--C", type=int, default=256)
    p.add_argument("--H", type=int, default=32)
    args = p.parse_args()
    shape = (args.T, args.B, args.C, args.H, args.H)
    x = torch.randn(shape, device="cuda").mul_(1.5).requires_grad_()
    g = torch.randn(shape, device="cuda")
    n = x.numel()

    ref, fused = LIF(tau=2.0, backend="torch").cuda(), LIF(tau=2.0, backend="triton").cuda()
    s_ref = ref(x)
    s_ref.backward(g)
    gx_ref = x.grad.clone()
    x.grad = None
    s_fus = fused(x)
    s_fus.backward(g)
    identical = torch.equal(s_ref, s_fus)
    rel = ((x.grad - gx_ref).abs().max() / gx_ref.abs().max()).item()

    t_fused = timed(fwd_bwd(fused, x, g))
    t_ref = timed(fwd_bwd(ref, x, g), iters=20)
    buf = torch.empty(n, device="cuda")
    t_copy = timed(lambda: buf.copy_(g.view(-1)))
    copy_gbps = 2 * n * 4 / t_copy / 1e9
    fused_gbps = 6 * n * 4 / t_fused / 1e9
    name = torch.cuda.get_device_name()
    sheet = next((v for k, v in DATASHEET_GBPS.items() if k in name), None)
    sj_backend, sj = spikingjelly_step(x, g)
    t_sj = timed(sj) if sj else None

    print(f"device: {name}; torch {torch.__version__}; python {platform.python_version()}")
    print(f"shape T,B,C,H,W = {shape}; {n / 1e6:.1f} M elements")
    print(f"fused vs reference: spikes identical = {identical}, max relative grad error = {rel:.2e}")
    print(f"fused LIF fwd+bwd: {t_fused * 1e3:.3f} ms, {fused_gbps:.0f} GB/s")
    print(f"copy bandwidth measured: {copy_gbps:.0f} GB/s -> fused at {100 * fused_gbps / copy_gbps:.0f}%")
    if sheet:
        print(f"datasheet bandwidth: {sheet:.0f} GB/s -> fused at {100 * fused_gbps / sheet:.0f}%")
    print(f"reference (plain torch) LIF fwd+bwd: {t_ref * 1e3:.3f} ms ({t_ref / t_fused:.1f}x slower)")
    if t_sj:
        print(f"SpikingJelly LIFNode ({sj_backend}) fwd+bwd: {t_sj * 1e3:.3f} ms -> fused is {t_sj / t_fused:.2f}x")


if __name__ == "__main__":
    main()
