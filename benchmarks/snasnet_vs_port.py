"""Training steps of the SNASNet paper's CIFAR-10 network on the CPU: spikenas against SpikingJelly 2.0's port
of the SNASNet model code (`spikingjelly.activation_based.model.snas_net`, which follows the official
repository's model; benchmarks/snasnet_vs_official.py times the official code itself), same cell, same width,
same batch, in one process, interleaved step by step; the ratio with its spread.

    pip install --no-deps --target /tmp/sjpkg spikingjelly==2.0.0 loguru
    PYTHONPATH=/tmp/sjpkg python benchmarks/snasnet_vs_port.py [--cell "0303 0030 2002 0200"] [--batch 8]

Both: backward cell, T = 5, the paper's widths (first stage 2 x 128 channels, CIFAR-10 configuration),
LIF tau 4/3, threshold 1, ATan, detached reset, hidden layer 1024, 10 votes per class, dropout 0.5; SGD
0.1, momentum 0.9; cross-entropy on the time-averaged votes. The parameter counts are printed to show the
two networks are the same size.
"""

from __future__ import annotations

import argparse
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from peer_timing import interleave, medians, ratio_line

from spikenas import spaces
from spikenas.allocator import keep_freed_memory
from spikenas.spaces.snasnet.genotype import from_code


def port(matrix, timesteps: int):
    from spikingjelly.activation_based.model.snas_net import SNASNet

    args = SimpleNamespace(timestep=timesteps, second_avgpooling=2, dataset="cifar10", celltype="backward",
                           threshold=1.0, tau=4 / 3)
    return SNASNet(args, torch.tensor(matrix))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cell", default="0303 0030 2002 0200")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=6)
    args = p.parse_args()
    from spikingjelly.activation_based.functional import reset_net

    print(f"freed memory kept (for both, one process): {keep_freed_memory()}")

    T = 5
    g = from_code(args.cell)
    torch.manual_seed(0)
    ours = spaces.get("snasnet").build(g, (3, 32, 32), 10, T, channels=256)
    theirs = port(g.to_dict()["matrix"], T)
    nets = {"spikenas": ours, "SpikingJelly port": theirs}
    for name, net in nets.items():
        print(f"{name}: {sum(p.numel() for p in net.parameters()):,} parameters")
    x = torch.randn(args.batch, 3, 32, 32)
    y = torch.randint(0, 10, (args.batch,))
    opts = {n: torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9) for n, m in nets.items()}

    def step(name):
        net, opt = nets[name], opts[name]
        net.train()
        loss = F.cross_entropy(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if name == "SpikingJelly port":  # its neurons keep their state between calls, as its training loop
            reset_net(net)                # resets them after every batch

    times = interleave({n: (lambda n=n: step(n)) for n in nets}, args.steps)
    print(f"training step, batch {args.batch}, T = {T}, {torch.get_num_threads()} threads: {medians(times)}")
    print(ratio_line(times, "SpikingJelly port", "spikenas"))


if __name__ == "__main__":
    main()
