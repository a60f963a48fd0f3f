"""A search from its settings to the run folder: config.json, search.sqlite, best.json (and front.json).

The strategy runs the search (search.sampling for the sampling strategies); this module prepares what it
runs on (the space, the store, the executor that scores candidates at initialisation on fixed batches of
the training set) and writes the results as they improve and at the end (search.results).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from spikenas import run_folder
from spikenas.allocator import keep_freed_memory
from spikenas.atomic import atomic_write_json
from spikenas.errors import InputError
from spikenas.logs import TensorBoard, append_trial_csv, write_trials_csv
from spikenas.progress import Progress
from spikenas.search.config import SearchConfig
from spikenas.search.context import SearchContext, over_budget
from spikenas.search.executors import Job, make_executor
from spikenas.search.results import best_of, write_best, write_results
from spikenas.search.score_batches import score_batches
from spikenas.search.scoring import label_readers
from spikenas.search.store import Store
from spikenas.search.strategies import strategy_class
from spikenas.spaces.protocols import require
from spikenas.train.footprint import meta_outputs


def run_search(run_dir: Path, cfg: SearchConfig, resume: bool = False, show_progress: bool = True) -> dict:
    run_dir = Path(run_dir)
    db = run_dir / "search.sqlite"
    if run_folder.inspect(run_dir) not in (None, "search"):
        raise InputError(f"--run {run_dir} holds a training run, not a search")
    if db.exists() and not resume:
        raise InputError(f"{run_dir} already holds a search: pass --resume, or choose another --run")
    device = torch.device(cfg.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InputError(f"--device {cfg.device}: no CUDA device on this machine")
    space = cfg.space_obj
    cls = strategy_class(cfg.strategy)
    require(space, cls.needs, f"--strategy {cfg.strategy}")
    strategy = cls(space, cfg.strategy_opts, cfg.seed)
    store = Store(db) if db.exists() else None  # an unreadable store is refused before anything is written
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_json(run_dir / "config.json", {"command": "search", **cfg.to_dict()})
    if cls.trains:  # a training strategy reads the data itself; nothing to score
        return _run_training_strategy(run_dir, cfg, strategy, store or Store(db), show_progress)
    job = scoring_job(cfg)
    keep_freed_memory(job.largest_tensor)
    executor = make_executor(cfg.executor, job, device, cfg.workers, cfg.ray_address, cfg.gpus_per_candidate)
    store = store or Store(db)
    t0 = time.perf_counter()
    try:
        done = store.trials()
        write_trials_csv(run_dir, done)  # what a resumed search holds; each new candidate is appended
        best = best_of(done)
        bar = Progress(cfg.candidates, f"search {cfg.space}/{cfg.strategy}", enabled=show_progress)
        bar.update(len(done))

        board = TensorBoard(run_dir, len(done))

        def on_trial(trial) -> None:
            nonlocal best
            append_trial_csv(run_dir, trial)
            if trial.ok:
                board.add(trial.idx, {f"candidate/{k}": v for k, v in trial.values.items()})
            if trial.ok and (best is None or trial.score > best.score):
                best = trial
                write_best(run_dir, cfg, best)
            bar.update(1, f"best {best.score:.2f}" if best else "")

        ctx = SearchContext(space, store, executor, cfg.candidates, run_dir, cfg.seed, cfg.workers, on_trial,
                            max_spikes=cfg.max_spikes)
        strategy.run(ctx)
        bar.close()
        board.close()
        trials = store.trials()
    finally:
        store.close()
        executor.close()
    chosen = write_results(run_dir, cfg, trials)
    write_trials_csv(run_dir, trials)
    if chosen is None:
        if any(over_budget(t) for t in trials):
            fewest = min(t.metrics["spikes"] for t in trials if over_budget(t))
            raise InputError(f"no candidate within --max-spikes {cfg.max_spikes:,.0f}: the sparsest fired "
                             f"{fewest:,.0f} spikes per sample at initialisation")
        raise RuntimeError("no candidate could be scored; see the error column of search.sqlite")
    over = sum(over_budget(t) for t in trials)
    return {"candidates": len(trials), "failed": sum(not t.ok for t in trials) - over, "over_budget": over,
            "best": chosen, "seconds": time.perf_counter() - t0}


def scoring_job(cfg: SearchConfig) -> Job:
    """What scoring a candidate of this search needs: its fixed batches of the training set (and labels for
    a label-aware score), the build settings, the seed and the scores."""
    batches, labels, shape, classes = score_batches(cfg.dataset, cfg.data_root, cfg.timesteps, cfg.batch_size,
                                                    cfg.repeats, cfg.seed)
    build = {"input_shape": shape, "num_classes": classes, "timesteps": cfg.timesteps, "channels": cfg.channels}
    scores = cfg.scores()
    largest = largest_tensor(cfg.space_obj, build, batches[0], cfg.seed)
    return Job(cfg.space, cfg.space_options, batches, build, cfg.seed, scores, cfg.precision,
               labels if label_readers(scores) else None, cfg.threads, largest)


def largest_tensor(space, build: dict, batch: torch.Tensor, seed: int) -> int:
    """Bytes of the largest layer output of a candidate (one drawn with `seed`) scored on `batch`, from a
    meta-device pass (allocator.keep_freed_memory); 0 for a space that draws no candidates."""
    if not hasattr(space, "sample"):
        return 0
    _, _, largest = meta_outputs(lambda: space.build(space.sample(np.random.default_rng(seed)), **build),
                                 lambda device: torch.empty(batch.shape, device=device))
    return 4 * largest


def _run_training_strategy(run_dir: Path, cfg: SearchConfig, strategy, store: Store, show_progress: bool) -> dict:
    t0 = time.perf_counter()
    try:
        ctx = SearchContext(cfg.space_obj, store, None, cfg.candidates, run_dir, cfg.seed, 1, config=cfg,
                            show_progress=show_progress)
        strategy.run(ctx)
        trials = store.trials()
    finally:
        store.close()
    chosen = best_of(trials)
    if chosen is None:
        raise RuntimeError("the search ended without a derived genotype")
    return {"candidates": len(trials), "failed": 0, "best": chosen, "seconds": time.perf_counter() - t0}
