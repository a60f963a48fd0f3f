"""What a differentiable (DARTS / MA-DARTS) search takes."""

from __future__ import annotations

from dataclasses import dataclass

from spikenas.errors import InputError
from spikenas.options import Options, option

ORDERS = ("first", "second")


@dataclass
class DartsSearchOptions(Options):
    epochs: int = option(50, "darts: search epochs (50)")
    search_batch_size: int = option(64, "darts: batch size of the weight and the architecture steps (64)")
    lr: float = option(0.025, "darts: SGD learning rate of the weights, cosine to 0 (0.025)")
    momentum: float = option(0.9, "darts: SGD momentum (0.9)")
    weight_decay: float = option(3e-4, "darts: weight decay (3e-4)")
    arch_lr: float = option(3e-4, "darts: Adam learning rate of the architecture weights (3e-4)")
    arch_weight_decay: float = option(1e-3, "darts: architecture weight decay (1e-3)")
    order: str = option("first", "darts: first (alternating steps) or second (DARTS's unrolled step)")
    spike_weight: float = option(0.0, "darts: add this x spikes per sample (in thousands) to the architecture "
                                      "loss (0: only monitor spikes)")
    arch_start: int = option(0, "darts: epochs of weight steps only before architecture steps begin (0)")
    samples: int = option(0, "darts: search on this many training images, a seeded subset (0: all)")

    def check(self) -> None:
        if self.epochs < 1 or self.search_batch_size < 1:
            raise InputError("--epochs and --search-batch-size must be at least 1")
        if self.order not in ORDERS:
            raise InputError(f"--order must be first or second, not {self.order!r}")
        if self.samples < 0:
            raise InputError(f"--samples must be 0 (all) or more, not {self.samples}")
        if self.spike_weight < 0 or self.lr <= 0 or self.arch_lr <= 0:
            raise InputError("--spike-weight must be >= 0 and the learning rates > 0")

    budget_option = "epochs"

    def budget(self, candidates: int | None) -> int:
        return 1  # one trial: the supernet
