"""Objectives of a multi-objective search, the Pareto front, and the one network picked from it.

Objectives (all turned into minimisations): -score, spikes per sample, parameters; a failed trial gets the
worst value on every one. The front is every ok trial that no other ok trial dominates on the chosen
objectives (pymoo's non-dominated sorting). `knee` picks the front member nearest the ideal point once each
objective is scaled to [0, 1] over the front (a balanced trade-off); `primary` picks the best score.
"""

from __future__ import annotations

import numpy as np

from spikenas.errors import InputError

OBJECTIVES = {"score": -1.0, "spikes": 1.0, "params": 1.0}  # sign that turns each into a minimisation
FAILED = 1e30
PICKS = ("knee", "primary")


def check_objectives(objectives) -> tuple[str, ...]:
    objectives = tuple(objectives)
    unknown = [o for o in objectives if o not in OBJECTIVES]
    if unknown or not objectives or len(set(objectives)) != len(objectives):
        raise InputError(f"--objectives must name distinct objectives among {', '.join(OBJECTIVES)}, "
                         f"not {','.join(objectives)!r}")
    return objectives


def objective_vector(trial, objectives) -> list[float]:
    """The minimised objectives of a stored trial (search.store.Trial)."""
    if not trial.ok:
        return [FAILED] * len(objectives)
    return [OBJECTIVES[o] * float(trial.values[o]) for o in objectives]


def pareto_front(trials, objectives) -> list:
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    ok = [t for t in trials if t.ok]
    if not ok:
        return []
    F = np.array([objective_vector(t, objectives) for t in ok])
    front = NonDominatedSorting().do(F, only_non_dominated_front=True)
    return sorted((ok[i] for i in front), key=lambda t: t.idx)


def pick(front: list, objectives, how: str):
    if how == "primary":
        return max(front, key=lambda t: (t.score, -t.idx))
    F = np.array([objective_vector(t, objectives) for t in front])
    lo, hi = F.min(0), F.max(0)
    scaled = (F - lo) / np.where(hi > lo, hi - lo, 1.0)
    dist = np.linalg.norm(scaled, axis=1)
    return front[int(np.argmin(dist))]  # ties: the earliest trial (front is in idx order)
