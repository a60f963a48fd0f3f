"""Random search: independent uniform samples from the space, without repeats (SNASNet's search)."""

from __future__ import annotations

import numpy as np

from spikenas.errors import InputError
from spikenas.search.sampling import SamplingStrategy

MAX_REDRAWS = 1000


class RandomSearch(SamplingStrategy):
    def __init__(self, space, options, seed: int) -> None:
        super().__init__(space, options, seed)
        self.rng = np.random.default_rng(seed)
        self.seen: set[str] = set()

    def ask(self):
        for _ in range(MAX_REDRAWS):
            g = self.space.sample(self.rng)
            if g.hash() not in self.seen:
                self.seen.add(g.hash())
                return g
        raise InputError(f"the space has no unseen genotype left after {len(self.seen)} candidates")

    def state_dict(self) -> dict:
        return {"rng": self.rng.bit_generator.state, "seen": sorted(self.seen)}

    def load_state_dict(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.seen = set(state["seen"])
