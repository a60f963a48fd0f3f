"""Rank agreement between a score and what it should predict: Kendall's tau-b and Spearman's rho, both
with ties (tau-b's tie correction; rho as Pearson's r of average ranks). Plain O(n^2) and O(n log n)
Python: the inputs are tens to hundreds of trained networks."""

from __future__ import annotations

import math


def kendall_tau(xs: list[float], ys: list[float]) -> float | None:
    """Kendall's tau-b; None with fewer than 2 pairs or when either side is constant."""
    n = len(xs)
    if n != len(ys):
        raise ValueError("kendall_tau: xs and ys differ in length")
    concordant = discordant = ties_x = ties_y = 0
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = _sign(xs[i] - xs[j]), _sign(ys[i] - ys[j])
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif dx == dy:
                concordant += 1
            else:
                discordant += 1
    denominator = math.sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y))
    return None if denominator == 0 else (concordant - discordant) / denominator


def spearman_rho(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rho (Pearson's r of the average ranks); None when either side is constant."""
    if len(xs) != len(ys):
        raise ValueError("spearman_rho: xs and ys differ in length")
    rx, ry = average_ranks(xs), average_ranks(ys)
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx, syy = sum((a - mx) ** 2 for a in rx), sum((b - my) ** 2 for b in ry)
    return None if sxx == 0 or syy == 0 else sxy / math.sqrt(sxx * syy)


def average_ranks(values: list[float]) -> list[float]:
    """Ranks 1..n, tied values sharing the mean of their ranks (-inf ranks lowest)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _sign(v: float) -> int:
    return int(v > 0) - int(v < 0)
