"""What regularized evolution takes."""

from __future__ import annotations

from dataclasses import dataclass

from spikenas.errors import InputError
from spikenas.options import Options, option


@dataclass
class EvolutionOptions(Options):
    population: int = option(20, "evolution: population size (20); nsga2: population size (50)", low=2,
                             high=100_000)
    sample: int = option(5, "evolution: tournament sample size", low=1, high=100_000)

    def check(self) -> None:
        if self.sample > self.population:
            raise InputError(f"--sample {self.sample} is larger than --population {self.population}")
