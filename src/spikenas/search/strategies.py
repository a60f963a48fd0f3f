"""Search strategies as ask/tell objects. Each is deterministic given its seed and the results it is told,
so a resumed search replays the stored candidates through ask/tell and continues where it stopped.
`tell(genotype, row)` hands over the stored candidate (score, spikes, parameters); a strategy with
`ready()` says how many it can propose before it must hear back (a generation's worth for NSGA-II)."""

from __future__ import annotations

from collections import deque

import numpy as np

from spikenas.errors import InputError
from spikenas.search.nsga2 import NSGA2Search

MAX_REDRAWS = 1000


class RandomSearch:
    """Independent uniform samples from the space, without repeats (the paper's search)."""

    def __init__(self, space, seed: int, **_) -> None:
        self.space = space
        self.rng = np.random.default_rng(seed)
        self.seen: set[str] = set()

    def ask(self):
        for _ in range(MAX_REDRAWS):
            g = self.space.sample(self.rng)
            if g.hash() not in self.seen:
                self.seen.add(g.hash())
                return g
        raise InputError(f"the space has no unseen genotype left after {len(self.seen)} candidates")

    def tell(self, genotype, row) -> None:
        pass


class RegularizedEvolution:
    """Aging evolution (Real et al., AAAI 2019): a random population, then each step mutates the best of a
    random sample of it and retires the oldest member."""

    def __init__(self, space, seed: int, population: int | None = None, sample: int = 5, **_) -> None:
        population = population or 20
        if population < 2 or not 1 <= sample <= population:
            raise InputError(f"evolution needs population >= 2 and 1 <= sample <= population, "
                             f"not {population} and {sample}")
        self.space = space
        self.rng = np.random.default_rng(seed)
        self.size, self.sample_size = population, sample
        self.population: deque = deque()
        self.seen: set[str] = set()
        self.proposed = 0

    def ask(self):
        for _ in range(MAX_REDRAWS):
            if self.proposed < self.size or not self.population:
                g = self.space.sample(self.rng)
            else:
                pick = self.rng.choice(len(self.population), self.sample_size, replace=False)
                parent = max((self.population[i] for i in pick), key=lambda m: m[1])[0]
                g = self.space.mutate(parent, self.rng)
            if g.hash() not in self.seen:
                self.seen.add(g.hash())
                self.proposed += 1
                return g
        raise InputError(f"no unseen genotype found after {MAX_REDRAWS} tries")

    def tell(self, genotype, row) -> None:
        """row: the candidate's stored result (search.store.Candidate); failed ones are forgotten."""
        if row.score is None:
            return
        self.population.append((genotype, row.score))
        if len(self.population) > self.size:
            self.population.popleft()


STRATEGIES = {"random": RandomSearch, "evolution": RegularizedEvolution, "nsga2": NSGA2Search}


def make_strategy(name: str, space, seed: int, **options):
    if name not in STRATEGIES:
        raise InputError(f"unknown strategy {name!r} for this search; known: {', '.join(STRATEGIES)}")
    return STRATEGIES[name](space, seed, **options)
