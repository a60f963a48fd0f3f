"""A training-free search from its settings to the run folder: config.json, search.sqlite, best.json.

Candidates are proposed by the strategy, scored at initialisation on fixed batches of the training set,
and stored one by one. A resumed search replays the store through the strategy (checking that it proposes
the same genotypes) and continues, so nothing finished is scored twice and the result equals an
uninterrupted run's.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch

from spikenas import data, spaces
from spikenas.errors import InputError
from spikenas.progress import Progress
from spikenas.scores.rdm import DEFAULT_DISSIMILARITY, DEFAULT_REDUCTION, DISSIMILARITIES, REDUCTIONS
from spikenas.search.evaluate import SCORES
from spikenas.search.executors import Job, make_executor
from spikenas.search.front import PICKS, pareto_front, pick
from spikenas.search.nsga2 import check_objectives
from spikenas.search.store import Candidate, Store
from spikenas.search.strategies import make_strategy
from spikenas.train.checkpoint import atomic_write_json


@dataclass
class SearchConfig:
    space: str = "snasnet"
    cells: int | None = None  # mse: cells in the network (4)
    motifs: int | None = None  # mse: motif slots per cell (3)
    reductions: int | str | None = None  # mse: cells that halve the resolution, or "any" (None: the space's default)
    strategy: str = "random"
    score: str = "sahd"
    dataset: str = "digits"
    data_root: str | None = None
    candidates: int = 200
    timesteps: int = 5
    seed: int = 0
    batch_size: int = 256
    repeats: int = 2
    channels: int | None = None
    population: int | None = None  # evolution 20, nsga2 50
    sample: int = 5
    generations: int | None = None  # nsga2: generations after the initial population (sets candidates)
    offspring: int = 50
    objectives: str = "score,spikes,params"  # nsga2, comma-separated
    pick: str = "knee"  # nsga2: which front member becomes best.json (knee | primary)
    rdm_dissimilarity: str | None = None  # rdm: hamming | pearson (None: the default, fixed when the run starts)
    rdm_reduction: str | None = None  # rdm: mean | nn | logdet | rsa
    device: str = "cpu"
    precision: str = "fp32"  # "bf16": autocast on CUDA while scoring
    workers: int = 1  # candidates scored at once (the strategy proposes this many before it is told)
    executor: str = "local"
    ray_address: str | None = None
    gpus_per_candidate: float = 1.0

    # settings that may change when a search resumes: where it runs and which front member best.json holds,
    # not what it computes (resuming a finished nsga2 search with another --pick rewrites best.json only)
    RUNTIME = ("device", "executor", "ray_address", "gpus_per_candidate", "pick")

    def __post_init__(self) -> None:
        space = self.make_space()  # an impossible space setting is refused before anything is written
        if self.reductions is None and hasattr(space, "reductions"):
            self.reductions = space.reductions  # the default, recorded in config.json
        if self.precision not in ("fp32", "bf16"):
            raise InputError(f"--precision must be fp32 or bf16, not {self.precision!r}")
        if self.score not in SCORES:
            raise InputError(f"unknown score {self.score!r}; known: {', '.join(SCORES)}")
        if self.score == "rdm":
            self.rdm_dissimilarity = self.rdm_dissimilarity or DEFAULT_DISSIMILARITY
            self.rdm_reduction = self.rdm_reduction or DEFAULT_REDUCTION
            if self.rdm_dissimilarity not in DISSIMILARITIES:
                raise InputError(f"--rdm-dissimilarity must be one of {', '.join(DISSIMILARITIES)}, "
                                 f"not {self.rdm_dissimilarity!r}")
            if self.rdm_reduction not in REDUCTIONS:
                raise InputError(f"--rdm-reduction must be one of {', '.join(REDUCTIONS)}, not {self.rdm_reduction!r}")
        check_objectives(self.objectives.split(","))
        if self.pick not in PICKS:
            raise InputError(f"--pick must be one of {', '.join(PICKS)}, not {self.pick!r}")
        if self.strategy == "nsga2":
            if self.generations is None or self.generations < 0:
                raise InputError(f"--strategy nsga2 needs --generations (0 or more), not {self.generations}")
            if self.offspring < 1 or (self.population is not None and self.population < 2):
                raise InputError("nsga2 needs --population >= 2 and --offspring >= 1")
            self.candidates = (self.population or 50) + self.generations * self.offspring
        elif self.generations is not None:
            raise InputError(f"--generations is for --strategy nsga2; {self.strategy} takes --candidates")
        for name in ("candidates", "timesteps", "batch_size", "repeats"):
            if getattr(self, name) < 1:
                raise InputError(f"--{name.replace('_', '-')} must be at least 1, not {getattr(self, name)}")
        if self.channels is not None and self.channels < 1:
            raise InputError(f"--channels must be at least 1, not {self.channels}")

    def make_space(self):
        return spaces.get(self.space, cells=self.cells, motifs=self.motifs, reductions=self.reductions)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> SearchConfig:
        names = {f.name for f in fields(cls)}
        if d.get("space") == "mse" and "reductions" not in d:
            d = {**d, "reductions": "any"}  # searched before the setting existed: any count, as then
        return cls(**{k: v for k, v in d.items() if k in names})


def score_batches(cfg: SearchConfig) -> tuple[list[torch.Tensor], list[torch.Tensor], tuple, int]:
    """`repeats` disjoint batches of the training set drawn with the seed, normalised (on the CPU), and their
    labels."""
    info = data.get_info(cfg.dataset)
    events = info.kind == "events"
    x, y = data.load(cfg.dataset, cfg.data_root, "train", cfg.timesteps if events else None)
    need = cfg.batch_size * cfg.repeats
    if len(x) < need:
        raise InputError(f"{cfg.dataset} has {len(x)} training samples; the score needs {need} "
                         f"({cfg.repeats} batches of {cfg.batch_size})")
    idx = torch.from_numpy(np.random.default_rng(cfg.seed).permutation(len(x))[:need])
    xs = x[idx].float()
    ys = torch.as_tensor(y)[idx]
    labels = [ys[i * cfg.batch_size:(i + 1) * cfg.batch_size] for i in range(cfg.repeats)]
    if events:
        xs = xs.transpose(0, 1)  # [T, N, 2, H, W]
        batches = [xs[:, i * cfg.batch_size:(i + 1) * cfg.batch_size] for i in range(cfg.repeats)]
    else:
        mean, std = data.channel_stats(x)
        xs = (xs / 255.0 - mean.view(-1, 1, 1)) / std.view(-1, 1, 1)
        batches = [xs[i * cfg.batch_size:(i + 1) * cfg.batch_size] for i in range(cfg.repeats)]
    classes = info.classes or int(y.max()) + 1
    return batches, labels, tuple(x.shape[-3:]), classes


def _candidate(idx: int, g, r: dict, seed: int) -> Candidate:
    if "error" in r:
        return Candidate(idx, g.hash(), g.to_json(), None, None, None, 0.0, seed, "failed", r["error"])
    return Candidate(idx, g.hash(), g.to_json(), r["score"], r["spikes"], r["params"], r["seconds"], seed, "ok",
                     extra={"code": getattr(g, "code", lambda: None)()})


def best_of(rows: list[Candidate]) -> Candidate | None:
    ok = [c for c in rows if c.status == "ok"]
    return max(ok, key=lambda c: (c.score, -c.idx)) if ok else None


def candidate_dict(c: Candidate) -> dict:
    return {"candidate": c.idx, "hash": c.hash, "score": c.score, "spikes_per_sample_at_init": c.spikes,
            "parameters": c.params, "genotype": json.loads(c.genotype)}


def write_best(run_dir: Path, cfg: SearchConfig, best: Candidate, build: dict, chosen_by: str = "score") -> None:
    atomic_write_json(run_dir / "best.json", {
        "space": cfg.space, **candidate_dict(best), "score_name": cfg.score, "chosen_by": chosen_by,
        "dataset": cfg.dataset, "timesteps": cfg.timesteps, "channels": build["channels"],
    })


def write_front(run_dir: Path, cfg: SearchConfig, rows: list[Candidate], build: dict) -> Candidate | None:
    """front.json (every non-dominated candidate) and best.json (the one `pick` chooses)."""
    objectives = cfg.objectives.split(",")
    front = pareto_front(rows, objectives)
    if not front:
        return None
    chosen = pick(front, objectives, cfg.pick)
    atomic_write_json(run_dir / "front.json", {
        "space": cfg.space, "objectives": objectives, "score_name": cfg.score, "pick": cfg.pick,
        "chosen": chosen.idx, "front": [candidate_dict(c) for c in front]})
    write_best(run_dir, cfg, chosen, build, chosen_by=f"{cfg.pick} of the front on {cfg.objectives}")
    return chosen


def run_search(run_dir: Path, cfg: SearchConfig, resume: bool = False, show_progress: bool = True) -> dict:
    run_dir = Path(run_dir)
    db = run_dir / "search.sqlite"
    if db.exists() and not resume:
        raise InputError(f"{run_dir} already holds a search: pass --resume, or choose another --run")
    device = torch.device(cfg.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InputError(f"--device {cfg.device}: no CUDA device on this machine")
    space = cfg.make_space()
    strategy = make_strategy(cfg.strategy, space, cfg.seed, population=cfg.population, sample=cfg.sample,
                             offspring=cfg.offspring, objectives=cfg.objectives.split(","))
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_json(run_dir / "config.json", {"command": "search", **cfg.to_dict()})
    batches, labels, shape, classes = score_batches(cfg)
    build = {"input_shape": shape, "num_classes": classes, "timesteps": cfg.timesteps, "channels": cfg.channels}
    options = {"dissimilarity": cfg.rdm_dissimilarity, "reduction": cfg.rdm_reduction} if cfg.score == "rdm" else {}
    job = Job(cfg.space, batches, build, cfg.seed, cfg.score, cfg.precision, options,
              labels if cfg.rdm_reduction == "rsa" else None)
    executor = make_executor(cfg.executor, job, device, cfg.workers, cfg.ray_address, cfg.gpus_per_candidate)
    store = Store(db)
    t0 = time.perf_counter()
    try:
        stored = {c.idx: c for c in store.all()}
        bar = Progress(cfg.candidates, f"search {cfg.space}/{cfg.strategy}", enabled=show_progress)
        bar.update(len(stored))
        best = best_of(list(stored.values()))
        start = 0
        while start < cfg.candidates:
            # The strategy proposes a batch, then hears all of its results in order; stored candidates are
            # replayed (and must be what the strategy proposes), the others scored.
            n = min(cfg.workers, cfg.candidates - start)
            if hasattr(strategy, "ready"):
                n = min(n, strategy.ready())
            batch = [strategy.ask() for _ in range(n)]
            for k, g in enumerate(batch):
                c = stored.get(start + k)
                if c is not None and c.hash != g.hash():
                    raise InputError(f"{db}: candidate {c.idx} differs from what these settings propose; "
                                     "the store belongs to another search")
            todo = [k for k in range(len(batch)) if start + k not in stored]
            for pos, r in executor.run([batch[k].to_json() for k in todo]):
                k = todo[pos]
                c = _candidate(start + k, batch[k], r, cfg.seed)
                store.add(c)  # as soon as it finishes
                stored[c.idx] = c
                if c.status == "ok" and (best is None or c.score > best.score):
                    best = c
                    write_best(run_dir, cfg, best, build)
                bar.update(1, f"best {best.score:.2f}" if best else "")
            for k, g in enumerate(batch):
                strategy.tell(g, stored[start + k])
            start += n
        bar.close()
        rows = store.all()
    finally:
        store.close()
        executor.close()
    best = best_of(rows)
    if best is None:
        raise RuntimeError("no candidate could be scored; see the error column of search.sqlite")
    if cfg.strategy == "nsga2":
        best = write_front(run_dir, cfg, rows, build)
    else:
        write_best(run_dir, cfg, best, build)
    return {"candidates": len(rows), "failed": sum(c.status != "ok" for c in rows), "best": best,
            "seconds": time.perf_counter() - t0}
