"""The Pareto front of a multi-objective search and the one network picked from it.

The front is every scored candidate that no other scored candidate dominates on the chosen objectives
(pymoo's non-dominated sorting). `knee` picks the front member nearest the ideal point once each
objective is scaled to [0, 1] over the front (a balanced trade-off); `primary` picks the best score.
"""

from __future__ import annotations

import numpy as np

from spikenas.search.nsga2 import objective_vector

PICKS = ("knee", "primary")


def pareto_front(rows, objectives) -> list:
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    ok = [c for c in rows if c.status == "ok"]
    if not ok:
        return []
    F = np.array([objective_vector(c, objectives) for c in ok])
    front = NonDominatedSorting().do(F, only_non_dominated_front=True)
    return sorted((ok[i] for i in front), key=lambda c: c.idx)


def pick(front: list, objectives, how: str):
    if how == "primary":
        return max(front, key=lambda c: (c.score, -c.idx))
    F = np.array([objective_vector(c, objectives) for c in front])
    lo, hi = F.min(0), F.max(0)
    scaled = (F - lo) / np.where(hi > lo, hi - lo, 1.0)
    dist = np.linalg.norm(scaled, axis=1)
    return front[int(np.argmin(dist))]  # ties: the earliest candidate (front is in idx order)
