"""Timing shared by the comparisons with peer code (benchmarks/snasnet_vs_*.py): each side's step run in turn,
round after round, so load on the machine falls on both alike; ratios taken round by round, with quartiles."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def interleave(steps: dict[str, Callable[[], object]], rounds: int, warmup: int = 1) -> dict[str, list[float]]:
    """Seconds of each round of each step, after `warmup` untimed rounds; the order alternates per round."""
    names = list(steps)
    for _ in range(warmup):
        for name in names:
            steps[name]()
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            t0 = time.perf_counter()
            steps[name]()
            times[name].append(time.perf_counter() - t0)
    return times


def ratio_line(times: dict[str, list[float]], slow: str, fast: str) -> str:
    """'slow / fast: median x (quartiles a-b, n rounds)' over the round-by-round ratios."""
    ratios = [a / b for a, b in zip(times[slow], times[fast], strict=True)]
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    return (f"{slow} / {fast}: {statistics.median(ratios):.2f}x (quartiles {q[0]:.2f}-{q[2]:.2f}, "
            f"{len(ratios)} rounds)")


def medians(times: dict[str, list[float]], unit: str = "s") -> str:
    return ", ".join(f"{n} {statistics.median(ts):.2f} {unit}" for n, ts in times.items())
