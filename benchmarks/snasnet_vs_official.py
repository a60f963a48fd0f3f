"""spikenas against the official SNASNet code (Kim et al., ECCV 2022: github.com/Intelligent-Computing-Lab-Yale/
Neural-Architecture-Search-for-Spiking-Neural-Networks) on the CPU, in one process, interleaved round by round:

- `train`: training steps of the paper's CIFAR-10 network (its cell `0303 0030 2002 0200` unless --cell), the
  official `SNASNet` model and training step (SGD 0.1, momentum 0.9, weight decay 5e-4, cross-entropy,
  `reset_net` after the step) against spikenas's network of the same cell, widths and size;
- `score`: the training-free search, candidate by candidate: the official `find_best_neuroncell` made to score
  one given candidate (its sampler patched to return it) against spikenas's scoring of the same candidate
  (`spikenas search`'s path: SAHD over every spiking layer, networks built from the previous candidate's
  parts), both at the official search's fixed settings (batch 256, 2 batches, T = 5, widths 2 x 128).
  The official search draws its batches with a 4-worker DataLoader (`iter()` twice per candidate, as
  shipped); `--official-loader inline` gives it an in-process loader instead, to time its scoring alone.

The official code stays outside this repository (give its folder with --official; nothing in it is changed).
It imports `spikingjelly.clock_driven`, which SpikingJelly 0.0.0.0.14 still has, installed apart:

    pip download --no-deps spikingjelly==0.0.0.0.14 -d /tmp/sjdl
    pip install --no-deps --target /tmp/sj14 /tmp/sjdl/spikingjelly-0.0.0.0.14-py3-none-any.whl
    git clone https://github.com/Intelligent-Computing-Lab-Yale/\
Neural-Architecture-Search-for-Spiking-Neural-Networks /tmp/snasnet-official
    PYTHONPATH=/tmp/sj14 python benchmarks/snasnet_vs_official.py --official /tmp/snasnet-official \\
        --data-root /tmp/cifar10-jpeg [--part train|score|both] [--steps 6] [--batch 8] [--compile] \
        [--bf16] [--candidates 3] [--official-loader shipped|inline]

On the CPU its device placement (`.cuda()` on its networks, the scoring's kernels and batches) is patched in
memory, for the duration of each of its calls, to stay there; `--device cuda` runs both on the GPU, the
official code as shipped. CIFAR-10 images come from the JPEG copy
(../shared/data/cifar10-jpeg, unpacked; `--dataset folder`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F
from peer_timing import interleave, medians, ratio_line
from torch import nn

from spikenas import spaces
from spikenas.allocator import keep_freed_memory
from spikenas.devices import autocast_for
from spikenas.search.run import largest_tensor
from spikenas.search.score_batches import score_batches
from spikenas.search.scoring import Networks, score_candidate
from spikenas.spaces.snasnet.genotype import from_code

T, C, SEARCH_BATCH, REPEATS = 5, 256, 256, 2  # the official search's and paper network's settings


DEVICE = torch.device("cpu")  # --device


@contextlib.contextmanager
def on_cpu(inline_loader: bool = False):
    """On the CPU, the official code's `.cuda()` calls leave tensors and modules where they are while inside
    (on CUDA they run as shipped); with `inline_loader`, its DataLoaders read in this process (no workers, no
    pinned memory)."""
    saved = torch.Tensor.cuda, nn.Module.cuda, torch.utils.data.DataLoader
    if DEVICE.type == "cpu":
        torch.Tensor.cuda = lambda self, *a, **k: self
        nn.Module.cuda = lambda self, *a, **k: self
    if inline_loader:
        loader = saved[2]
        torch.utils.data.DataLoader = lambda *a, **k: loader(*a, **{**k, "num_workers": 0, "pin_memory": False})
    try:
        yield
    finally:
        torch.Tensor.cuda, nn.Module.cuda, torch.utils.data.DataLoader = saved


def official_modules(folder: Path):
    os.environ.setdefault("MPLBACKEND", "Agg")  # its model file imports pyplot
    sys.path.insert(0, str(folder))
    import model_snn
    from spikingjelly.clock_driven.functional import reset_net

    return model_snn, reset_net


def official_args() -> SimpleNamespace:
    """The official config.py's defaults for the paper's CIFAR-10 backward-cell run."""
    return SimpleNamespace(timestep=T, second_avgpooling=2, dataset="cifar10", celltype="backward",
                           threshold=1.0, tau=4 / 3, num_search=1)


BF16_TRAIN, BF16_SCORE = "spikenas --cpu-amp", "spikenas --precision bf16"  # --bf16's sides


def compare_training(model_snn, reset_net, cell: str, batch: int, steps: int, compiled: bool, bf16: bool) -> None:
    g = from_code(cell)
    torch.manual_seed(0)
    with on_cpu():
        nets = {"official": model_snn.SNASNet(official_args(), torch.tensor(g.to_dict()["matrix"])).cuda()}
    nets["spikenas"] = spaces.get("snasnet").build(g, (3, 32, 32), 10, T, channels=C).to(DEVICE)
    if compiled:  # `spikenas train --compile`: the whole network under torch.compile
        nets["spikenas --compile"] = spaces.get("snasnet").build(g, (3, 32, 32), 10, T, channels=C).to(DEVICE)
    if bf16:  # `spikenas train --cpu-amp`: bf16 autocast, the network channels-last
        nets[BF16_TRAIN] = spaces.get("snasnet").build(g, (3, 32, 32), 10, T, channels=C).to(DEVICE)
        nets[BF16_TRAIN].to(memory_format=torch.channels_last)
    for name, net in nets.items():
        print(f"{name}: {sum(p.numel() for p in net.parameters()):,} parameters")
    runners = {n: torch.compile(m) if n.endswith("--compile") else m for n, m in nets.items()}
    x, y = torch.randn(batch, 3, 32, 32, device=DEVICE), torch.randint(0, 10, (batch,), device=DEVICE)
    opts = {n: torch.optim.SGD(m.parameters(), 0.1, 0.9, weight_decay=5e-4) for n, m in nets.items()}

    def step(name):
        opt = opts[name]
        nets[name].train()
        opt.zero_grad()
        with autocast_for(DEVICE, name == BF16_TRAIN, cpu=name == BF16_TRAIN):
            out = runners[name](x).float()
        F.cross_entropy(out, y).backward()
        opt.step()
        if name == "official":
            reset_net(nets[name])  # as its training loop does after every batch
        if DEVICE.type == "cuda":
            torch.cuda.synchronize()

    with on_cpu():
        times = interleave({n: (lambda n=n: step(n)) for n in nets}, steps, warmup=2 if compiled else 1)
    print(f"training step, cell {cell}, batch {batch}, T = {T}, {torch.get_num_threads()} threads: {medians(times)}")
    for name in list(nets)[1:]:
        print(ratio_line(times, "official", name))


def compare_scoring(model_snn, root: str, candidates: int, seed: int, inline_loader: bool, bf16: bool) -> None:
    space = spaces.get("snasnet")
    rng = np.random.default_rng(seed)
    genotypes = [space.sample(rng) for _ in range(candidates)]
    # the search's scoring batches (its first REPEATS) and, all of them, the official search's training set
    pool, labels, shape, classes = score_batches("folder", root, T, SEARCH_BATCH, 8, seed)
    trainset = torch.utils.data.TensorDataset(torch.cat(pool), torch.cat(labels))
    batches = [b.to(DEVICE) for b in pool[:REPEATS]]
    build = {"input_shape": shape, "num_classes": classes, "timesteps": T, "channels": C}
    networks = Networks(space, build, DEVICE)
    bf16_networks = Networks(space, build, DEVICE, channels_last=True)  # as `--precision bf16` lays them out
    bf16_batches = [b.to(memory_format=torch.channels_last) for b in batches]
    print(f"freed memory kept while scoring (as `spikenas search` sets it for this work): "
          f"{keep_freed_memory(largest_tensor(space, build, batches[0], seed))}")
    args, queue, official_scores = official_args(), [], []
    model_snn.connection_matrix_gen = lambda args, num_node=4, num_options=5: queue.pop(0).clone()
    logdet = model_snn.logdet

    def recording_logdet(K):
        official_scores.append(logdet(K))
        return official_scores[-1]

    model_snn.logdet = recording_logdet
    ours: list[float] = []
    loader = "in-process loader" if inline_loader else "its 4-worker DataLoader, as shipped"
    print(f"scoring: {candidates} candidates, batch {SEARCH_BATCH} x {REPEATS}, T = {T}, C = {C}, official with "
          f"{loader}, {torch.get_num_threads()} threads")
    all_times: dict[str, list[float]] = {"official": [], "spikenas": [], **({BF16_SCORE: []} if bf16 else {})}
    ours_bf16: list[float] = []
    for i, g in enumerate(genotypes):
        matrix = torch.tensor(g.to_dict()["matrix"])

        def official(matrix=matrix):
            queue.append(matrix)
            with torch.no_grad(), on_cpu(inline_loader):
                model_snn.find_best_neuroncell(args, trainset)

        def spikenas(g=g):
            ours.append(score_candidate(networks, g, batches, seed)["score"])  # synchronises on CUDA

        def spikenas_bf16(g=g):
            ours_bf16.append(score_candidate(bf16_networks, g, bf16_batches, seed, precision="bf16")["score"])

        sides = {"official": official, "spikenas": spikenas, **({BF16_SCORE: spikenas_bf16} if bf16 else {})}
        times = interleave(sides, 1, warmup=1 if i == 0 else 0)
        for n in all_times:
            all_times[n] += times[n]
        print(f"  {g.code()}: {medians(times)}; SAHD official {np.mean(official_scores[-REPEATS:]):.1f}, "
              f"spikenas {ours[-1]:.1f}" + (f", bf16 {ours_bf16[-1]:.1f}" if bf16 else ""), flush=True)
    print(f"scoring per candidate: {medians(all_times)}")
    for name in list(all_times)[1:]:
        print(ratio_line(all_times, "official", name))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--official", required=True, help="folder of the official SNASNet repository")
    p.add_argument("--data-root", default="/tmp/cifar10-jpeg", help="CIFAR-10 as class folders (the JPEG copy)")
    p.add_argument("--part", choices=("train", "score", "both"), default="both")
    p.add_argument("--cell", default="0303 0030 2002 0200")
    p.add_argument("--batch", type=int, default=8, help="training batch")
    p.add_argument("--steps", type=int, default=6, help="timed training steps per side")
    p.add_argument("--candidates", type=int, default=3, help="candidates scored per side")
    p.add_argument("--official-loader", choices=("shipped", "inline"), default="shipped")
    p.add_argument("--compile", action="store_true", help="train also with the network under torch.compile")
    p.add_argument("--bf16", action="store_true", help="add spikenas under bf16 autocast, channels-last (train "
                                                       "--cpu-amp, search --precision bf16)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu (the official code's .cuda() patched away) or cuda")
    args = p.parse_args()
    global DEVICE
    DEVICE = torch.device(args.device)
    model_snn, reset_net = official_modules(Path(args.official))
    print(f"freed memory kept (for both, one process): {keep_freed_memory()}")
    if args.part in ("train", "both"):
        compare_training(model_snn, reset_net, args.cell, args.batch, args.steps, args.compile, args.bf16)
    if args.part in ("score", "both"):
        compare_scoring(model_snn, args.data_root, args.candidates, args.seed, args.official_loader == "inline",
                        args.bf16)


if __name__ == "__main__":
    main()
