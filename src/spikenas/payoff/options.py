"""What `spikenas payoff` trains besides the recipe: how many of the search's best, how many random draws,
the baseline's width, and the one dropout every network trains with."""

from __future__ import annotations

from dataclasses import dataclass

from spikenas.limits import MAX_CHANNELS
from spikenas.options import Options, option


@dataclass
class PayoffOptions(Options):
    top: int = option(3, "train the search's K best candidates by score, the chosen one first (a differentiable "
                         "search: its derived network only)", low=0, high=10_000)
    front: bool = option(False, "train every member of an NSGA-II search's Pareto front instead of the top K")
    random: int = option(3, "train K networks drawn at random from the search's space (scored like its "
                            "candidates, so they join the rank correlation)", low=0, high=10_000)
    baseline_width: int | None = option(None, "width of the hand-built baseline (none: the narrowest with at "
                                              "least the chosen network's parameters; 0: no baseline)", kind=int,
                                        low=0, high=MAX_CHANNELS)
    dropout: float | None = option(None, "dropout before the classifier of every network trained, the baseline's "
                                         "too (none: the found network's own: SNASNet's 0.5, else 0)", kind=float,
                                   low=0, high=1, high_open=True)
