"""Edge operations kept from one scored network to the next.

Scoring builds a network per candidate. Most of that is Python: constructing a few dozen modules. A pool
hands the next network the edge operations of the one before it (same operation, width and settings), so
only the wrapper modules and whatever the new network needs beyond them are built. A network built with a
pool takes over every operation the pool handed out before: the previous network must no longer be used.
Its weights are drawn again by reset_parameters(), in the order of its own modules, so a pooled network
equals one built afresh with the same seed (tests/test_meta_build.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable

from torch import nn


class OpPool:
    def __init__(self) -> None:
        self.free: dict[Hashable, list[nn.Module]] = defaultdict(list)
        self.taken: dict[Hashable, list[nn.Module]] = defaultdict(list)

    def start(self) -> None:
        """A new network: every module handed out so far is free again."""
        for key, modules in self.taken.items():
            self.free[key].extend(modules)
            modules.clear()

    def take(self, key: Hashable, make: Callable[[], nn.Module]) -> nn.Module:
        """A free module made for `key`, or a new one from `make()`."""
        free = self.free[key]
        module = free.pop() if free else make()
        self.taken[key].append(module)
        return module
