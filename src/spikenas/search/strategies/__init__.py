"""Search strategies by name. A strategy runs a search from a context (search.context) and saves and
restores its own state; the sampling ones (random, evolution, nsga2) share the ask/tell loop of
search.sampling. Each entry names the strategy's options (imported at once, for the command line) and its
class (imported when a search uses it). Adding a strategy is one file and one `register` line."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from spikenas.errors import InputError
from spikenas.options import Options, make_options
from spikenas.search.strategies.darts_options import DartsSearchOptions
from spikenas.search.strategies.evolution_options import EvolutionOptions
from spikenas.search.strategies.nsga2_options import Nsga2Options


@dataclass(frozen=True)
class StrategyEntry:
    Options: type
    target: object  # the class, or "module:Class"

    def load(self) -> type:
        if isinstance(self.target, str):
            module, name = self.target.split(":")
            return getattr(importlib.import_module(module), name)
        return self.target


STRATEGIES: dict[str, StrategyEntry] = {
    "random": StrategyEntry(Options, "spikenas.search.strategies.random_search:RandomSearch"),
    "evolution": StrategyEntry(EvolutionOptions, "spikenas.search.strategies.evolution:RegularizedEvolution"),
    "nsga2": StrategyEntry(Nsga2Options, "spikenas.search.strategies.nsga2:NSGA2Search"),
    "darts": StrategyEntry(DartsSearchOptions, "spikenas.search.strategies.darts:DartsSearch"),
}


def register(name: str, cls, options: type | None = None) -> None:
    """Add a strategy: `cls(space, options, seed)`, with `cls.Options` (or `options`) declaring what it takes."""
    STRATEGIES[name] = StrategyEntry(options or cls.Options, cls)


def strategy_options(name: str, given: dict):
    if name not in STRATEGIES:
        raise InputError(f"unknown strategy {name!r}; known: {', '.join(STRATEGIES)}")
    return make_options(STRATEGIES[name].Options, {k: v for k, v in given.items() if v is not None},
                        f"{name} strategy")


def strategy_class(name: str) -> type:
    if name not in STRATEGIES:
        raise InputError(f"unknown strategy {name!r}; known: {', '.join(STRATEGIES)}")
    return STRATEGIES[name].load()


def trains(name: str) -> bool:
    """Whether the named strategy trains a supernet on the data itself (DARTS) instead of scoring candidates
    at initialisation; False for a name not registered."""
    return name in STRATEGIES and STRATEGIES[name].load().trains
