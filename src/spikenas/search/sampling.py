"""The ask/tell loop every sampling strategy shares (pymoo's `run`: ask, evaluate, tell until done).

A sampling strategy proposes genotypes (`ask`) and hears each one's stored trial (`tell`); `ready()` says
how many it can propose before it must hear back (a generation's worth for NSGA-II). After every batch
the loop saves the strategy's `state_dict()` with the number of trials it has been told, so a resumed
search restores that state and continues; trials stored after it (a kill mid-batch) are found again when
the same batch is proposed, and anything still running is evaluated again. A store without a saved state
(written by release 0.1) is replayed through a fresh strategy from the start. A stored trial must be what
the strategy proposes at its index, or the store belongs to another search.
"""

from __future__ import annotations

from spikenas.errors import InputError
from spikenas.options import Options
from spikenas.spaces.protocols import Sampleable

UNLIMITED = 1 << 30


class SamplingStrategy:
    needs: tuple = (Sampleable,)  # protocols the space must meet
    Options = Options
    trains = False  # a training strategy (DARTS) reads the data itself instead of scoring candidates

    def __init__(self, space, options: Options, seed: int) -> None:
        self.space, self.options, self.seed = space, options, seed

    def ready(self) -> int:
        return UNLIMITED

    def ask(self):
        raise NotImplementedError

    def tell(self, genotype, trial) -> None:
        pass

    def state_dict(self) -> dict:
        raise NotImplementedError

    def load_state_dict(self, state: dict) -> None:
        raise NotImplementedError

    def run(self, ctx) -> None:
        stored = {t.idx: t for t in ctx.store.trials()}
        start = 0
        saved = ctx.store.load_state()
        if saved is not None:
            start, state = saved
            self.load_state_dict(state)
        while start < ctx.budget:
            n = min(ctx.workers, ctx.budget - start, self.ready())
            batch = [self.ask() for _ in range(n)]
            for k, g in enumerate(batch):
                t = stored.get(start + k)
                if t is not None and t.hash != g.hash():
                    raise InputError(f"{ctx.store.path}: candidate {t.idx} differs from what these settings "
                                     "propose; the store belongs to another search")
            todo = [(start + k, g) for k, g in enumerate(batch) if start + k not in stored]
            for trial in ctx.evaluate(todo):
                stored[trial.idx] = trial
            for k, g in enumerate(batch):
                self.tell(g, stored[start + k])
            start += n
            ctx.store.save_state(start, self.state_dict())
