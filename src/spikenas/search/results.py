"""What a search leaves for the user: best.json (the chosen candidate and how it was chosen) and, for a
multi-objective search, front.json (every non-dominated candidate and which one was chosen). The one place
that writes them; the report and `train` read them."""

from __future__ import annotations

import json
from pathlib import Path

from spikenas.atomic import atomic_write_json
from spikenas.search.front import pareto_front, pick
from spikenas.search.store import Trial


def best_of(trials: list[Trial]) -> Trial | None:
    """The highest score; ties to the earliest."""
    ok = [t for t in trials if t.ok]
    return max(ok, key=lambda t: (t.score, -t.idx)) if ok else None


def trial_dict(t: Trial) -> dict:
    return {"candidate": t.idx, "hash": t.hash, "score": t.score, "spikes_per_sample_at_init": t.values["spikes"],
            "parameters": t.values["params"], "genotype": json.loads(t.genotype)}


def write_best(run_dir: Path, cfg, best: Trial, chosen_by: str = "score") -> None:
    atomic_write_json(Path(run_dir) / "best.json", {
        "space": cfg.space, **trial_dict(best), "score_name": cfg.score, "chosen_by": chosen_by,
        "dataset": cfg.dataset, "timesteps": cfg.timesteps, "channels": cfg.channels,
    })


def write_derived(run_dir: Path, cfg, trial: Trial, epoch: int) -> None:
    """best.json of a differentiable search: the genotype derived after `epoch`, with the supernet's accuracy
    and spikes per sample on the architecture half of the training split."""
    atomic_write_json(Path(run_dir) / "best.json", {
        "space": cfg.space, "candidate": trial.idx, "hash": trial.hash, "score": trial.score,
        "score_name": "supernet accuracy on the architecture half of the training split",
        "spikes_per_sample": trial.values["spikes"], "supernet_parameters": trial.values["params"],
        "genotype": json.loads(trial.genotype),
        "chosen_by": f"derived from the architecture weights after epoch {epoch}",
        "epoch": epoch, "dataset": cfg.dataset, "timesteps": cfg.timesteps, "channels": cfg.channels,
    })


def write_front(run_dir: Path, cfg, trials: list[Trial]) -> Trial | None:
    """front.json and best.json (the member the strategy's `pick` chooses)."""
    opts = cfg.strategy_opts
    objectives = opts.objectives.split(",")
    front = pareto_front(trials, objectives)
    if not front:
        return None
    chosen = pick(front, objectives, opts.pick)
    atomic_write_json(Path(run_dir) / "front.json", {
        "space": cfg.space, "objectives": objectives, "score_name": cfg.score, "pick": opts.pick,
        "chosen": chosen.idx, "front": [trial_dict(t) for t in front]})
    write_best(run_dir, cfg, chosen, chosen_by=f"{opts.pick} of the front on {opts.objectives}")
    return chosen


def write_results(run_dir: Path, cfg, trials: list[Trial]) -> Trial | None:
    """The final best.json (and front.json): the chosen trial, or None when no trial is ok."""
    best = best_of(trials)
    if best is None:
        return None
    if cfg.strategy_opts.multi_objective:
        return write_front(run_dir, cfg, trials)
    write_best(run_dir, cfg, best)
    return best


def chosen_candidate(run_dir: Path) -> int | None:
    """The index of the candidate best.json holds (what the report shows as chosen)."""
    try:
        return json.loads((Path(run_dir) / "best.json").read_text())["candidate"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError, TypeError):
        return None
