"""Data-parallel training across processes: `torchrun --nproc-per-node N -m spikenas train ...` (and across
machines with torchrun's rendezvous, `--nnodes M --rdzv-endpoint HOST:PORT`).

torchrun sets WORLD_SIZE, RANK and LOCAL_RANK; with more than one process each joins the process group
(NCCL on CUDA, one GPU per local rank; gloo on the CPU) and trains a DistributedDataParallel copy of the
network. `--batch-size` is the global batch: every rank draws the same batches from (seed, epoch), as a
single process would, and trains on its contiguous share of each (`shard`), the loss weighted so that the
averaged gradient is the whole batch's mean; the learning rate applies to the global batch unchanged, so
N processes take the steps one process would take, N times as fast. Batch norm normalises each rank's
share unless `--sync-bn` (CUDA) makes it the whole batch's. Rank 0 alone measures, prints and writes the run
folder; a checkpoint holds no trace of the process count, so a run resumes with any number of processes and
sees exactly the batches an uninterrupted run would.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist

from spikenas.errors import InputError


@dataclass(frozen=True)
class Ranks:
    rank: int
    world: int
    local_rank: int

    @property
    def main(self) -> bool:
        return self.rank == 0


def from_environment() -> Ranks | None:
    """This process's place when torchrun started more than one; None for a single process."""
    try:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world <= 1:
            return None
        return Ranks(int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0")))
    except (KeyError, ValueError) as e:
        raise InputError(f"WORLD_SIZE, RANK, LOCAL_RANK: not what torchrun sets ({e})") from None


def start(ranks: Ranks, device: str) -> str:
    """Join the process group; returns this rank's training device (cuda:LOCAL_RANK on CUDA)."""
    cuda = device.startswith("cuda")
    if cuda:
        if ranks.local_rank >= torch.cuda.device_count():
            raise InputError(f"local rank {ranks.local_rank}: this machine has {torch.cuda.device_count()} CUDA "
                             f"devices; start at most that many processes per node")
        device = f"cuda:{ranks.local_rank}"
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if cuda else "gloo", timeout=timedelta(minutes=30))
    # oneDNN hands back some convolution weight gradients in another stride order than the parameter's;
    # DDP copies them into its buckets correctly and warns once per run: nothing for the user to do
    warnings.filterwarnings("ignore", message="Grad strides do not match bucket view strides")
    return device


def stop() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def barrier(ranks: Ranks | None) -> None:
    if ranks is not None:
        dist.barrier()


def total(ranks: Ranks | None, t: torch.Tensor) -> torch.Tensor:
    """The sum of `t` over the ranks (in place); `t` itself for a single process."""
    if ranks is not None:
        dist.all_reduce(t)
    return t


def shard(ranks: Ranks, xb: torch.Tensor, yb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, float]:
    """This rank's contiguous share of a global batch and the weight of its mean loss (share / batch x N),
    which makes DDP's average over ranks the whole batch's mean."""
    n = len(yb)
    if n < ranks.world:
        raise InputError(f"a batch of {n} samples cannot be shared by {ranks.world} processes: choose a "
                         f"--batch-size whose last batch of the epoch holds at least {ranks.world}")
    x = torch.tensor_split(xb, ranks.world)[ranks.rank]
    y = torch.tensor_split(yb, ranks.world)[ranks.rank]
    return x, y, len(y) * ranks.world / n
