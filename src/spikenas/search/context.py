"""What a strategy is handed to run a search: the space, the store, where candidates are evaluated (none
for a training strategy), the budget, the run folder, the seed and the search's settings. `evaluate`
scores genotypes and stores each trial as it finishes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spikenas.search.store import Store, Trial


@dataclass
class SearchContext:
    space: object
    store: Store
    executor: object  # search.executors: run(genotype JSONs) -> (position, result) as each finishes
    budget: int  # candidates to evaluate in all
    run_dir: Path
    seed: int
    workers: int = 1  # candidates evaluated at once
    on_trial: Callable[[Trial], None] = lambda trial: None  # after each finished trial is stored
    config: object = None  # the search's settings (search.config.SearchConfig): data, timesteps, device
    show_progress: bool = True
    max_spikes: float | None = None  # the spike budget: a candidate over it is stored as failed

    def evaluate(self, items: list[tuple[int, object]]) -> Iterator[Trial]:
        """Evaluate (trial index, genotype) pairs; yield each stored trial as it finishes."""
        for idx, g in items:
            self.store.start(idx, g.hash(), g.to_json(), self.seed)
        for pos, result in self.executor.run([g.to_json() for _, g in items]):
            idx, g = items[pos]
            trial = trial_from_result(idx, g, result, self.seed, self.max_spikes)
            self.store.finish(trial)
            self.on_trial(trial)
            yield trial


def trial_from_result(idx: int, g, r: dict, seed: int, max_spikes: float | None = None) -> Trial:
    """The stored trial of one candidate's result. Over the spike budget it is failed, its error names the
    budget (one reason for all such candidates in the report's failures), and its metrics keep what it
    measured; strategies drop it like any candidate that failed."""
    if "error" in r:
        return Trial(idx, g.hash(), g.to_json(), "failed", seed=seed, error=r["error"])
    metrics = {"code": g.code() if callable(getattr(g, "code", None)) else None}
    if len(r.get("scores", ())) > 1:  # further scores beside the selecting one (--also-score)
        metrics["scores"] = r["scores"]
    if max_spikes is not None and r["spikes"] > max_spikes:
        metrics.update(score=r["score"], spikes=r["spikes"], params=r["params"])
        return Trial(idx, g.hash(), g.to_json(), "failed", {}, metrics, r["seconds"], seed,
                     error=f"over the spike budget: more than --max-spikes {max_spikes:,.0f} spikes per sample "
                           "at initialisation")
    return Trial(idx, g.hash(), g.to_json(), "ok", {"score": r["score"], "spikes": r["spikes"], "params": r["params"]},
                 metrics, r["seconds"], seed)


def over_budget(t: Trial) -> bool:
    """Whether a stored trial was refused by the spike budget (failed, with what it measured kept)."""
    return not t.ok and "spikes" in t.metrics
