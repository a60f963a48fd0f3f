"""Search spaces by name. Each space declares its options (a dataclass, `Space.Options`) and the protocols
it meets (spaces.protocols); adding a space is one file and one line in SPACES."""

from __future__ import annotations

from spikenas.errors import InputError
from spikenas.options import make_options
from spikenas.spaces.darts.space import DartsSpace
from spikenas.spaces.mse.space import MseSpace
from spikenas.spaces.protocols import Encoded, Relaxable, Sampleable, Space, require
from spikenas.spaces.snasnet.space import SnasnetSpace


class _SnasnetForward(SnasnetSpace):
    def __init__(self, options=None) -> None:
        super().__init__(options, backward=False)


SPACES: dict[str, type] = {
    "snasnet": SnasnetSpace,
    "snasnet-forward": _SnasnetForward,
    "mse": MseSpace,
    "darts": DartsSpace,
}


def register(name: str, cls: type) -> None:
    """Add a space: `cls(options)` builds it, `cls.Options` declares what it takes."""
    SPACES[name] = cls


def get(name: str, **options):
    """The space called `name` with `options` (those its Options declare; None means the space's default)."""
    if name not in SPACES:
        raise InputError(f"unknown search space {name!r}; known: {', '.join(SPACES)}")
    cls = SPACES[name]
    given = {k: v for k, v in options.items() if v is not None}
    return cls(make_options(cls.Options, given, f"{name} space"))


__all__ = ["SPACES", "Encoded", "Relaxable", "Sampleable", "Space", "get", "register", "require"]
