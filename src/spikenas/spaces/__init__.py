"""Search spaces by name. A space samples, mutates and crosses genotypes and builds them into networks."""

from __future__ import annotations

from spikenas.errors import InputError
from spikenas.spaces.mse.space import MseSpace
from spikenas.spaces.snasnet.space import SnasnetSpace

SPACES = {
    "snasnet": lambda: SnasnetSpace(backward=True),
    "snasnet-forward": lambda: SnasnetSpace(backward=False),
    "mse": MseSpace,
}


def get(name: str):
    if name not in SPACES:
        raise InputError(f"unknown search space {name!r}; known: {', '.join(SPACES)}")
    return SPACES[name]()


__all__ = ["SPACES", "get"]
