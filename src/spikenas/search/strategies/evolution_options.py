"""What regularized evolution takes."""

from __future__ import annotations

from dataclasses import dataclass

from spikenas.errors import InputError
from spikenas.options import Options, option


@dataclass
class EvolutionOptions(Options):
    population: int = option(20, "evolution: population size (20); nsga2: population size (50)")
    sample: int = option(5, "evolution: tournament sample size (5)")

    def check(self) -> None:
        if self.population < 2 or not 1 <= self.sample <= self.population:
            raise InputError(f"evolution needs population >= 2 and 1 <= sample <= population, "
                             f"not {self.population} and {self.sample}")
