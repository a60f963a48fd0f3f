"""What an NSGA-II search takes (declared apart from the strategy, so the command line is built without
importing pymoo)."""

from __future__ import annotations

from dataclasses import dataclass

from spikenas.errors import InputError
from spikenas.options import Options, option
from spikenas.search.front import PICKS, check_objectives


@dataclass
class Nsga2Options(Options):
    population: int = option(50, "evolution: population size (20); nsga2: population size (50)", low=2,
                             high=100_000)
    generations: int | None = option(None, "nsga2: generations after the initial population (candidates = "
                                           "population + generations x offspring)", kind=int, low=0,
                                     high=100_000)
    offspring: int = option(50, "nsga2: new candidates per generation", low=1, high=100_000)
    objectives: str = option("score,spikes,params", "nsga2: comma-separated, among score (maximised), spikes, "
                                                    "params (minimised)")
    pick: str | None = option(None, "nsga2: which front member becomes best.json: knee or primary (best score)",
                              kind=str, choices=PICKS, shown="the space's: primary on mse, else knee")

    multi_objective = True
    budget_option = "generations"

    def budget(self, candidates: int | None) -> int:
        """population + generations x offspring (--candidates is not taken)."""
        return self.population + self.generations * self.offspring

    def check(self) -> None:
        if self.generations is None:
            raise InputError("--strategy nsga2 needs --generations (0 or more)")
        check_objectives(self.objectives.split(","))
