"""Differentiable search (DARTS; MA-DARTS's spiking cells with attention and spikes counted per cell): a
training strategy. It trains the space's supernet: each batch, an architecture step on a batch of one half
of the training split (search.architect), then a weight step on a batch of the other half. After every epoch
it derives the discrete genotype (best.json, the latest), measures the supernet on the architecture half
(accuracy, spikes per sample of every cell and in all), stores them as step-wise values of the run's one
trial and in metrics.json with the architecture weights, and checkpoints the supernet, both optimisers,
the schedule and every RNG, so a killed search resumes exactly. The test split is never read.
"""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from spikenas import data
from spikenas.allocator import keep_freed_memory
from spikenas.atomic import atomic_write_json
from spikenas.devices import autocast_for
from spikenas.errors import InputError
from spikenas.logs import TensorBoard, write_history_csv
from spikenas.progress import Progress
from spikenas.search.architect import Architect
from spikenas.search.results import write_derived
from spikenas.search.store import Trial
from spikenas.search.strategies.darts_options import DartsSearchOptions
from spikenas.snn import SpikeMonitor
from spikenas.spaces.protocols import Relaxable
from spikenas.train.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state
from spikenas.train.encoding import encode
from spikenas.train.footprint import require_fits
from spikenas.train.schedule import warmup_cosine

CHECKPOINT = "supernet.pt"


def split_batches(cfg, batch_size: int, device, samples: int = 0) -> tuple:
    """The training split (or a seeded subset of `samples` images) in two halves (weights, architecture), on
    the device; input shape, classes."""
    info = data.get_info(cfg.dataset)
    events = info.kind == "events"
    x, y = data.load(cfg.dataset, cfg.data_root, "train", cfg.timesteps if events else None)
    perm = torch.from_numpy(np.random.default_rng(cfg.seed).permutation(len(x)))
    if samples:
        perm = perm[:samples]
    if len(perm) < 2 * batch_size:
        raise InputError(f"a search on {len(perm)} training samples of {cfg.dataset} needs at least "
                         f"{2 * batch_size} (two batches of --search-batch-size)")
    half = len(perm) // 2
    mean = std = None
    if not events:
        mean, std = data.channel_stats(x)
    scale = 1.0 if events else None
    y = torch.as_tensor(y)
    parts = [data.DeviceBatches(x[idx], y[idx], batch_size, device, mean, std, shuffle=True, seed=cfg.seed + k,
                                scale=scale) for k, idx in enumerate((perm[:half], perm[half:2 * half]))]
    classes = info.classes or int(y.max()) + 1
    return parts[0], parts[1], tuple(x.shape[-3:]), classes


class DartsSearch:
    needs = (Relaxable,)
    Options = DartsSearchOptions
    trains = True  # runs on the training split itself; no candidates to score at initialisation

    def __init__(self, space, options: DartsSearchOptions, seed: int) -> None:
        self.space, self.options, self.seed = space, options, seed

    def run(self, ctx) -> None:
        cfg, o = ctx.config, self.options
        device = torch.device(cfg.device)
        torch.manual_seed(cfg.seed)
        w_half, a_half, shape, classes = split_batches(cfg, o.search_batch_size, device, o.samples)
        # the unrolled (second-order) step keeps about twice what a first-order step does
        largest = require_fits(lambda: self.space.supernet(shape, classes, cfg.timesteps, cfg.channels),
                               lambda d: torch.zeros(1, *shape, device=d),
                               o.search_batch_size * (2 if o.order == "second" else 1), 1, device, "the supernet")
        keep_freed_memory(largest)
        model = self.space.supernet(shape, classes, cfg.timesteps, cfg.channels).to(device)
        amp = cfg.precision == "bf16"

        def forward(xb):
            with autocast_for(device, amp, cpu=amp):
                return model(encode(xb, cfg.timesteps, "direct")).float()

        w_opt = torch.optim.SGD(model.weight_parameters(), lr=o.lr, momentum=o.momentum, weight_decay=o.weight_decay)
        steps = min(len(w_half), len(a_half))
        sched = warmup_cosine(w_opt, o.epochs * steps, 0)
        architect = Architect(model, forward, o.arch_lr, o.arch_weight_decay, o.order == "second", o.spike_weight,
                              o.weight_decay)
        path = ctx.run_dir / CHECKPOINT
        start, history, elapsed = 0, [], 0.0
        if path.exists():
            ck = load_checkpoint(path, device)
            model.load_state_dict(ck["model"])
            w_opt.load_state_dict(ck["w_opt"])
            architect.optimizer.load_state_dict(ck["a_opt"])
            sched.load_state_dict(ck["sched"])
            set_rng_state(ck["rng"])
            start, history, elapsed = ck["epoch"] + 1, ck["history"], ck["elapsed_s"]
        params = sum(p.numel() for p in model.weight_parameters())
        board = TensorBoard(ctx.run_dir, start + 1)
        for epoch in range(start, o.epochs):
            t0 = time.monotonic()
            model.train()
            loss_sum, correct, seen = 0.0, 0, 0
            bar = Progress(steps, f"search epoch {epoch + 1}/{o.epochs}", enabled=ctx.show_progress)
            for (xw, yw), (xa, ya) in zip(w_half.epoch(epoch), a_half.epoch(epoch), strict=False):
                if epoch >= o.arch_start:
                    architect.step(xw, yw, xa, ya, sched.get_last_lr()[0])
                out = forward(xw)
                loss = F.cross_entropy(out, yw)
                w_opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.weight_parameters(), 5.0)
                w_opt.step()
                sched.step()
                loss_sum += float(loss.detach()) * len(yw)
                correct += int((out.argmax(1) == yw).sum())
                seen += len(yw)
                bar.update(1)
            bar.close()
            val = self._measure(model, forward, a_half)
            elapsed += time.monotonic() - t0
            g = model.derive()
            normal, reduce = (w.detach().cpu().tolist() for w in model.arch_weights())
            record = {"epoch": epoch + 1, "train_loss": loss_sum / max(seen, 1),
                      "train_accuracy": correct / max(seen, 1), "val_accuracy": val["accuracy"],
                      "spikes_per_sample": val["spikes_per_sample"], "spikes_per_cell": val["spikes_per_cell"],
                      "genotype": g.code(), "layers": g.layers, "reduce_at": list(g.reduce_at),
                      "alphas": {"normal": normal, "reduce": reduce}, "wall_time_s": elapsed}
            if hasattr(model, "macro_weights"):
                beta, gamma = (w.detach().cpu().tolist() for w in model.macro_weights())
                record["macro"] = {"depth": gamma, "beta": beta}
            history.append(record)
            done = epoch + 1 == o.epochs
            trial = Trial(0, g.hash(), g.to_json(), "ok" if done else "running",
                          {"score": val["accuracy"], "spikes": val["spikes_per_sample"], "params": params},
                          {"code": g.code(), "epoch": epoch + 1}, elapsed, cfg.seed)
            ctx.store.finish(trial)
            for name in ("train_loss", "train_accuracy", "val_accuracy", "spikes_per_sample"):
                ctx.store.report(0, name, epoch + 1, record[name])
            for cell, v in val["spikes_per_cell"].items():
                ctx.store.report(0, f"spikes.{cell}", epoch + 1, v)
            write_derived(ctx.run_dir, cfg, trial, epoch + 1)
            write_history_csv(ctx.run_dir, [{k: v for k, v in e.items() if k not in ("alphas", "macro")}
                                            for e in history])
            board.add(epoch + 1, {**record, **{f"spikes.{c}": v for c, v in record["spikes_per_cell"].items()}})
            save_checkpoint(path, {"model": model.state_dict(), "w_opt": w_opt.state_dict(),
                                   "a_opt": architect.optimizer.state_dict(), "sched": sched.state_dict(),
                                   "rng": rng_state(), "epoch": epoch, "history": history, "elapsed_s": elapsed})
            atomic_write_json(ctx.run_dir / "metrics.json", {"status": "done" if done else "running",
                                                              "epochs_done": epoch + 1, "supernet_parameters": params,
                                                              "genotype": g.to_dict(), "history": history})
            if ctx.show_progress:
                print(f"search epoch {epoch + 1}/{o.epochs}: train loss {record['train_loss']:.4f}, supernet "
                      f"accuracy {100 * val['accuracy']:.2f}% (architecture half), spikes/sample "
                      f"{val['spikes_per_sample']:.0f}, {g.code()}, {g.layers} cells reducing at "
                      f"{','.join(map(str, g.reduce_at)) or 'none'}", flush=True)

    @torch.no_grad()
    def _measure(self, model, forward, batches) -> dict:
        """Supernet accuracy and spikes per sample (every cell, and in all) on the architecture half."""
        model.eval()
        correct = n = 0
        with SpikeMonitor(model) as mon:
            for xb, yb in batches.epoch(0):
                correct += int((forward(xb).argmax(1) == yb).sum())
                n += len(yb)
                mon.add_samples(len(yb))
        s = mon.summary()
        model.train()
        return {"accuracy": correct / max(n, 1), "spikes_per_sample": s["spikes_per_sample"],
                "spikes_per_cell": s["spikes_per_sample_per_cell"]}
