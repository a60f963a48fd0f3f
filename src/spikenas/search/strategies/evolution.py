"""Regularized (aging) evolution (Real et al., AAAI 2019): a random population, then each step mutates the
best of a random sample of it and retires the oldest member."""

from __future__ import annotations

from collections import deque

import numpy as np

from spikenas.errors import InputError
from spikenas.search.sampling import SamplingStrategy
from spikenas.search.strategies.evolution_options import EvolutionOptions
from spikenas.search.strategies.random_search import MAX_REDRAWS


class RegularizedEvolution(SamplingStrategy):
    Options = EvolutionOptions

    def __init__(self, space, options: EvolutionOptions, seed: int) -> None:
        super().__init__(space, options, seed)
        self.rng = np.random.default_rng(seed)
        self.size, self.sample_size = options.population, options.sample
        self.population: deque = deque()  # (genotype, score), oldest first
        self.seen: set[str] = set()
        self.proposed = 0

    def ask(self):
        """A mutation of the best of a random sample of the population; a random draw while the population is
        filling, and once half the tries have found only genotypes seen before (a small population of small
        cells, whose pruned mutations are few, as a spike budget leaves)."""
        for tries in range(MAX_REDRAWS):
            if self.proposed < self.size or not self.population or tries >= MAX_REDRAWS // 2:
                g = self.space.sample(self.rng)
            else:
                # fewer members than the sample where candidates failed (or were over a spike budget)
                pick = self.rng.choice(len(self.population), min(self.sample_size, len(self.population)),
                                       replace=False)
                parent = max((self.population[i] for i in pick), key=lambda m: m[1])[0]
                g = self.space.mutate(parent, self.rng)
            if g.hash() not in self.seen:
                self.seen.add(g.hash())
                self.proposed += 1
                return g
        raise InputError(f"no unseen genotype found after {MAX_REDRAWS} tries")

    def tell(self, genotype, trial) -> None:
        """Failed trials are forgotten."""
        if not trial.ok:
            return
        self.population.append((genotype, trial.score))
        if len(self.population) > self.size:
            self.population.popleft()

    def state_dict(self) -> dict:
        return {"rng": self.rng.bit_generator.state, "seen": sorted(self.seen), "proposed": self.proposed,
                "population": [(g.to_json(), s) for g, s in self.population]}

    def load_state_dict(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.seen, self.proposed = set(state["seen"]), state["proposed"]
        self.population = deque((self.space.genotype_from_json(g), s) for g, s in state["population"])
