"""Options that belong to a piece (a space, a score, a strategy): each declares a dataclass whose fields
carry their help text, and the search config and the command line are derived from those declarations.

    @dataclass
    class EvolutionOptions(Options):
        population: int = option(20, "tournament population")

`make_options(cls, given, where)` builds one from a dict and refuses, with one line, what the piece does not
take, then runs the class's `check()` (an InputError for impossible values).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields

from spikenas.errors import InputError


def option(default, help: str, parse=None):
    """A declared option: its default, its help line, and (for the command line) how to parse its text."""
    return field(default=default, metadata={"help": help, "parse": parse})


@dataclass
class Options:
    """Base of every piece's options; `check` refuses impossible values with an InputError. A strategy's
    options also say how many candidates its search evaluates (`budget`) and whether it chooses from a
    Pareto front (`multi_objective`: then they hold `objectives` and `pick`)."""

    multi_objective = False
    budget_option = "candidates"  # the option that sets how much the search does

    def check(self) -> None:
        pass

    def budget(self, candidates: int | None) -> int:
        return 200 if candidates is None else candidates


def option_fields(cls) -> list[dataclasses.Field]:
    return list(fields(cls))


def field_parser(f: dataclasses.Field):
    """How the command line parses a field: its declared parser, else the type of its default."""
    if f.metadata.get("parse"):
        return f.metadata["parse"]
    if isinstance(f.default, bool):
        return _bool
    return type(f.default) if isinstance(f.default, (int, float, str)) else str


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, not {text!r}")


def make_options(cls, given: dict, where: str):
    """`cls(**given)` after refusing names it does not declare; runs `check()` when it has one."""
    names = {f.name for f in fields(cls)}
    unknown = [k for k in given if k not in names]
    if unknown:
        takes = ", ".join("--" + n.replace("_", "-") for n in sorted(names)) or "no option"
        raise InputError(f"--{unknown[0].replace('_', '-')} is not a setting of the {where} (it takes {takes})")
    opts = cls(**given)
    opts.check()
    return opts


def options_dict(opts) -> dict:
    return dataclasses.asdict(opts)
