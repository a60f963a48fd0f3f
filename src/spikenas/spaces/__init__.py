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


OPTIONS = {"mse": ("cells", "motifs", "reductions")}  # the settings a space takes (search --cells ...)


def get(name: str, **options):
    """The space called `name`; `options` (those of OPTIONS[name], None meaning the space's default) shape
    what a search proposes there."""
    if name not in SPACES:
        raise InputError(f"unknown search space {name!r}; known: {', '.join(SPACES)}")
    given = {k: v for k, v in options.items() if v is not None}
    for k in given:
        if k not in OPTIONS.get(name, ()):
            raise InputError(f"--{k} is not a setting of the {name} space"
                             + (f" (it takes {', '.join('--' + o for o in OPTIONS[name])})" if name in OPTIONS else ""))
    return SPACES[name](**given)


__all__ = ["OPTIONS", "SPACES", "get"]
