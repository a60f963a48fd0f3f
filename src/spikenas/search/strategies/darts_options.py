"""What a differentiable (DARTS / MA-DARTS) search takes."""

from __future__ import annotations

from dataclasses import dataclass

from spikenas.options import Options, option

ORDERS = ("first", "second")


@dataclass
class DartsSearchOptions(Options):
    epochs: int = option(50, "darts: search epochs", low=1, high=100_000)
    search_batch_size: int = option(64, "darts: batch size of the weight and the architecture steps", low=1,
                                    high=65_536)
    lr: float = option(0.025, "darts: SGD learning rate of the weights, cosine to 0", low=0, low_open=True,
                       high=10)
    momentum: float = option(0.9, "darts: SGD momentum", low=0, high=1, high_open=True)
    weight_decay: float = option(3e-4, "darts: weight decay", low=0, high=1)
    arch_lr: float = option(3e-4, "darts: Adam learning rate of the architecture weights", low=0, low_open=True,
                            high=1)
    arch_weight_decay: float = option(1e-3, "darts: architecture weight decay", low=0, high=1)
    order: str = option("first", "darts: first (alternating steps) or second (DARTS's unrolled step)",
                        choices=ORDERS)
    spike_weight: float = option(0.0, "darts: add this x spikes per sample (in thousands) to the architecture "
                                      "loss (0: only monitor spikes)", low=0, high=1e6)
    arch_start: int = option(0, "darts: epochs of weight steps only before architecture steps begin", low=0,
                             high=100_000)
    samples: int = option(0, "darts: search on this many training images, a seeded subset (0: all)", low=0,
                          high=10**9)

    budget_option = "epochs"

    def budget(self, candidates: int | None) -> int:
        return 1  # one trial: the supernet
