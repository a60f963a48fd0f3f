"""Surrogate-gradient BPTT training with a checkpoint every epoch and an exact resume.

The hot loop is plain: for each batch, the step (by default: encode the batch, forward over all timesteps,
cross-entropy on the time-averaged logits, backward through time, step the optimiser), then the per-batch
schedule. The step is a parameter, so a bilevel step (weights, then architecture) plugs into the same loop.
Everything random is either derived from (seed, epoch) or saved in the checkpoint, so a resumed run ends
where an uninterrupted one does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from spikenas.atomic import atomic_write_json
from spikenas.data import DeviceBatches
from spikenas.devices import autocast_for, channels_last_for
from spikenas.logs import TensorBoard, write_history_csv
from spikenas.progress import Progress
from spikenas.train import distributed
from spikenas.train.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state
from spikenas.train.config import TrainConfig
from spikenas.train.distributed import Ranks
from spikenas.train.encoding import encode
from spikenas.train.measure import measure
from spikenas.train.schedule import warmup_cosine

CHECKPOINT = "checkpoint.pt"


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


Step = Callable[[nn.Module, torch.optim.Optimizer, torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def supervised_step(cfg: TrainConfig, device: torch.device) -> Step:
    """The ordinary step: step(model, optimizer, x, y) -> (loss, logits), the optimiser stepped; `scale`
    weights the loss before backward (train.distributed.shard)."""

    def step(model: nn.Module, opt: torch.optim.Optimizer, xb: torch.Tensor, yb: torch.Tensor,
             scale: float = 1.0):
        with autocast_for(device, cfg.amp, cfg.cpu_amp):
            out = model(encode(xb, cfg.timesteps, cfg.encoding)).float()
        loss = F.cross_entropy(out, yb, label_smoothing=cfg.label_smoothing)
        opt.zero_grad(set_to_none=True)
        (loss if scale == 1.0 else loss * scale).backward()  # scale: a data-parallel rank's share
        opt.step()
        return loss, out

    return step


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def fit(model: nn.Module, train: DeviceBatches, test: DeviceBatches, cfg: TrainConfig, run_dir: Path,
        info: dict | None = None, resume: bool = False, show_progress: bool = True, step: Step | None = None,
        val: DeviceBatches | None = None, ranks: Ranks | None = None) -> dict | None:
    """Train `model` for `cfg.epochs`, checkpointing into `run_dir`; returns (and writes) metrics.json.
    `step`: what one batch does (default `supervised_step`). With `val` (a hold-out of the training set)
    every epoch is measured on it and the test set is read once, after the last epoch; without, every
    epoch is measured on the test set. metrics.json's `splits` says which split each figure comes from.
    With `ranks` (torchrun, train.distributed) the network trains as a DistributedDataParallel copy on each
    rank's share of every batch; rank 0 alone measures and writes, and alone returns the metrics (the
    others None)."""
    device = torch.device(cfg.device)
    step = step or supervised_step(cfg, device)
    model.to(device)
    if cfg.channels_last and channels_last_for(device, cfg.cpu_amp):
        model.to(memory_format=torch.channels_last)
    runner, main = model, ranks is None or ranks.main
    if ranks is not None:
        if cfg.sync_bn:
            model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        runner = DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
    if cfg.compile_model:  # the training steps only: measuring, with its spike monitors, runs the module itself
        runner = torch.compile(runner)
    opt = make_optimizer(model, cfg)
    steps = len(train)
    sched = warmup_cosine(opt, cfg.epochs * steps, int(cfg.warmup_epochs * steps))
    history: list[dict] = []
    start_epoch, elapsed = 0, 0.0
    ckpt_path = run_dir / CHECKPOINT
    if resume and ckpt_path.exists():
        ck = load_checkpoint(ckpt_path, device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        set_rng_state(ck["rng"])
        start_epoch, elapsed, history = ck["epoch"] + 1, ck["elapsed_s"], ck["history"]
    base = {**(info or {}), "parameters": count_parameters(model), "config": cfg.to_dict()}
    if ranks is not None:
        base["processes"] = ranks.world
    board = TensorBoard(run_dir, start_epoch + 1) if main else None
    held_out = val is not None
    watched_set, split = (val, "val") if held_out else (test, "test")

    def measured(batches: DeviceBatches) -> dict:
        return measure(model, batches, cfg.timesteps, cfg.encoding, cfg.amp, cfg.e_mac_pj, cfg.e_ac_pj,
                       cpu_amp=cfg.cpu_amp)

    for epoch in range(start_epoch, cfg.epochs):
        t0 = time.monotonic()
        model.train()
        sums = torch.zeros(3, device=device, dtype=torch.float64)  # loss x samples, correct, samples
        bar = Progress(steps, f"epoch {epoch + 1}/{cfg.epochs}", enabled=show_progress and main)
        for xb, yb in train.epoch(epoch):
            if ranks is None:
                loss, out = step(runner, opt, xb, yb)
            else:
                xb, yb, scale = distributed.shard(ranks, xb, yb)
                loss, out = step(runner, opt, xb, yb, scale=scale)
            sched.step()
            sums[0] += loss.detach() * len(yb)
            sums[1] += (out.detach().argmax(1) == yb).sum()
            sums[2] += len(yb)
            bar.update(1)
        bar.close()
        loss_sum, correct, seen = distributed.total(ranks, sums).tolist()
        if not main:  # rank 0 measures and writes; the others wait for its checkpoint
            distributed.barrier(ranks)
            continue
        watched = measured(watched_set)
        elapsed += time.monotonic() - t0
        record = {"epoch": epoch + 1, "train_samples": int(seen), "train_loss": loss_sum / seen,
                  "train_accuracy": correct / seen,
                  f"{split}_accuracy": watched["accuracy"],
                  f"{split}_loss": watched["loss"], "spikes_per_sample": watched["spikes_per_sample"],
                  "spikes_per_cell": watched["spikes_per_sample_per_cell"], "lr": opt.param_groups[0]["lr"],
                  "wall_time_s": elapsed}
        history.append(record)
        if show_progress:
            print(f"epoch {epoch + 1}/{cfg.epochs}: train loss {record['train_loss']:.4f}, "
                  f"{'validation' if held_out else 'test'} accuracy {100 * watched['accuracy']:.2f}%, "
                  f"{elapsed:.0f}s", flush=True)
        save_checkpoint(ckpt_path, {"model": model.state_dict(), "optimizer": opt.state_dict(),
                                    "scheduler": sched.state_dict(), "rng": rng_state(), "epoch": epoch,
                                    "elapsed_s": elapsed, "history": history})
        done = epoch + 1 == cfg.epochs
        if not held_out:
            final = watched
        else:  # the test set, once, after the last epoch
            final = measured(test) if done else None
        metrics = _metrics(base, history, final, elapsed, "done" if done else "running", held_out)
        atomic_write_json(run_dir / "metrics.json", metrics)
        write_history_csv(run_dir, history)
        board.add(epoch + 1, record)
        distributed.barrier(ranks)
    if not main:
        return None
    board.close()
    if start_epoch >= cfg.epochs:  # resumed a finished run: report what it holds
        metrics = _metrics(base, history, measured(test), elapsed, "done", held_out)
        atomic_write_json(run_dir / "metrics.json", metrics)
    return metrics


def _metrics(base: dict, history: list[dict], test: dict | None, elapsed: float, status: str,
             held_out: bool) -> dict:
    """metrics.json: the test figures (None until the test set is read, with a hold-out: after the last
    epoch), the per-epoch history, and which split each figure comes from."""
    keys = {"test_accuracy": "accuracy", "test_loss": "loss", "spikes_per_sample": "spikes_per_sample",
            "spikes_per_sample_per_cell": "spikes_per_sample_per_cell",
            "spikes_per_sample_per_layer": "spikes_per_sample_per_layer",
            "firing_rate_per_layer": "firing_rate_per_layer", "macs_per_sample": "macs_per_sample",
            "sops_per_sample": "sops_per_sample", "energy_per_sample_uj": "energy_per_sample_uj"}
    per_epoch = "validation (a seeded hold-out of the training set)" if held_out else "test"
    return {
        **base,
        "status": status,
        "epochs_done": len(history),
        **{k: (test[v] if test is not None else None) for k, v in keys.items()},
        "splits": {"test_accuracy, spikes, energy": "test, read once after the last epoch" if held_out
                   else "test, after the last epoch (also measured every epoch)",
                   "history (per epoch)": f"train (train_*) and {per_epoch}"},
        "wall_time_s": elapsed,
        "history": history,
    }
