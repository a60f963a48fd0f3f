"""Declared options: every setting a user can give (a piece's options, a search's or a training run's
settings, a neuron's) is a dataclass field made by `option()`, carrying its help line, its type, its range
or choices and its command-line flag. The command line, `--help`, config.json and the checks all come from
those declarations, so a value out of range is refused the same way whether it came from the command line,
a resumed config.json or Python.

    @dataclass
    class EvolutionOptions(Options):
        population: int = option(20, "tournament population", low=2, high=100_000)

`make_options(cls, given, where)` builds one from a dict and refuses, with one line, what the piece does not
take; `check_fields(obj)` checks every declared field; the class's `check()` adds what one field alone cannot
say (an InputError for impossible combinations).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from spikenas.errors import InputError


@dataclass(frozen=True)
class Bounds:
    """What values a declared option takes: a type, a range (ends open or closed) or a list of choices."""

    kind: type = str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple | Callable[[], tuple] | None = None  # a callable: a registry's names, read when needed
    optional: bool = False  # None is accepted (the option's "not given")
    shown: str | None = None  # the default as --help states it, when the field's default is not what runs

    def names(self) -> tuple | None:
        return self.choices() if callable(self.choices) else self.choices

    def check(self, flag: str, value) -> None:
        """An InputError naming `flag` when `value` is not one this option takes."""
        if value is None:
            if self.optional:
                return
            raise InputError(f"{flag} must be given")
        if self.kind is bool:
            if not isinstance(value, bool):
                raise InputError(f"{flag} must be true or false, not {value!r}")
            return
        if self.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise InputError(f"{flag} must be an integer, not {value!r}")
        if self.kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InputError(f"{flag} must be a number, not {value!r}")
            if not math.isfinite(value):
                raise InputError(f"{flag} must be a finite number, not {value}")
        if self.kind is str and not isinstance(value, str):
            raise InputError(f"{flag} must be text, not {value!r}")
        names = self.names()
        if names is not None and value not in names:
            raise InputError(f"{flag} must be one of {', '.join(map(str, names))}, not {value!r}")
        if (self.low is not None and (value < self.low or (self.low_open and value == self.low))) or \
                (self.high is not None and (value > self.high or (self.high_open and value == self.high))):
            raise InputError(f"{flag} must be {self.range_text()}, not {value}")

    def range_text(self) -> str:
        lo = None if self.low is None else f"{'>' if self.low_open else '>='} {_num(self.low)}"
        hi = None if self.high is None else f"{'<' if self.high_open else '<='} {_num(self.high)}"
        if lo and hi:
            left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
            return f"in {left}{_num(self.low)}, {_num(self.high)}{right}"
        return lo or hi or "any value"

    def describe(self, default=None) -> str:
        """The bracketed part of a --help line: type, range or choices, default."""
        if self.choices is not None:
            what = "one of " + ", ".join(map(str, self.names()))
        else:
            what = {int: "integer", float: "number", bool: "true/false", str: "text"}.get(self.kind, "value")
            if self.low is not None or self.high is not None:
                what += " " + self.range_text()
        shown = "none" if default is None else _num(default) if isinstance(default, (int, float)) else default
        if isinstance(default, list):
            shown = ",".join(map(str, default)) or "none"
        return f"[{what}; default {self.shown or shown or 'none'}]"

    def parser(self, flag: str, parse=None):
        """An argparse `type=` that parses text (with `parse`, else the kind) and checks the value."""
        convert = parse or (_bool if self.kind is bool else _int if self.kind is int else self.kind)

        def typed(text: str):
            try:
                value = convert(text)
                if parse is None:
                    self.check(flag, value)
            except (ValueError, OverflowError) as e:
                raise argparse.ArgumentTypeError(str(e)) from None
            except InputError as e:
                raise argparse.ArgumentTypeError(str(e).removeprefix(f"{flag} ")) from None
            return value

        typed.__name__ = {int: "integer", float: "number", bool: "true/false"}.get(self.kind, "value")
        return typed


def _num(v) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v)) if abs(v) < 1e6 else f"{int(v):,}"
    if isinstance(v, int) and abs(v) >= 1_000_000:
        return f"{v:,}"
    return str(v)


def _int(text: str) -> int:
    text = text.strip()
    if len(text) > 30:
        raise ValueError(f"{text[:30]}...: not an integer of a sensible size")
    return int(text)


def option(default, help: str, parse=None, *, kind: type | None = None, low=None, high=None,
           low_open: bool = False, high_open: bool = False, choices=None, flag: str | None = None,
           shown: str | None = None):
    """A declared option: its default, its help line, its type, range or choices, its command-line flag
    (default --name-with-dashes) and, where the text needs it, how to parse it."""
    kind = kind or type(default)
    if choices is not None and not callable(choices):
        choices = tuple(choices)
    bounds = Bounds(kind, low, high, low_open, high_open, choices, optional=default is None, shown=shown)
    return field(default=default, metadata={"help": help, "parse": parse, "bounds": bounds, "flag": flag})


def flag_of(f: dataclasses.Field) -> str:
    return f.metadata.get("flag") or "--" + f.name.replace("_", "-")


def metavar(f: dataclasses.Field) -> str:
    return flag_of(f)[2:].upper().replace("-", "_")


def declared(cls) -> list[dataclasses.Field]:
    """The fields of `cls` made by option() (those a user can set)."""
    return [f for f in fields(cls) if "bounds" in f.metadata]


def help_line(f: dataclasses.Field) -> str:
    return f"{f.metadata['help']} {f.metadata['bounds'].describe(f.default)}"


def add_arguments(parser, cls, skip=()) -> None:
    """One argparse option per declared field of `cls` (default: not given, so a resumed run keeps its own)."""
    for f in declared(cls):
        if f.name in skip:
            continue
        b = f.metadata["bounds"]
        parser.add_argument(flag_of(f), dest=f.name, type=b.parser(flag_of(f), f.metadata.get("parse")),
                            default=argparse.SUPPRESS, help=help_line(f), metavar=metavar(f))


def check_fields(obj) -> None:
    """Every declared field of a dataclass instance within its declared type and range."""
    for f in declared(type(obj)):
        f.metadata["bounds"].check(flag_of(f), getattr(obj, f.name))


@dataclass
class Options:
    """Base of every piece's options; `check` refuses impossible combinations with an InputError. A
    strategy's options also say how many candidates its search evaluates (`budget`) and whether it chooses
    from a Pareto front (`multi_objective`: then they hold `objectives` and `pick`)."""

    multi_objective = False
    budget_option = "candidates"  # the option that sets how much the search does

    def check(self) -> None:
        pass

    def budget(self, candidates: int | None) -> int:
        return 200 if candidates is None else candidates


def option_fields(cls) -> list[dataclasses.Field]:
    return list(fields(cls))


def field_parser(f: dataclasses.Field):
    """How the command line parses a field's text, range checked."""
    return f.metadata["bounds"].parser(flag_of(f), f.metadata.get("parse"))


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, not {text!r}")


def make_options(cls, given: dict, where: str):
    """`cls(**given)` after refusing names it does not declare; checks every field, then `check()`."""
    names = {f.name for f in fields(cls)}
    unknown = [k for k in given if k not in names]
    if unknown:
        takes = ", ".join("--" + n.replace("_", "-") for n in sorted(names)) or "no option"
        raise InputError(f"--{unknown[0].replace('_', '-')} is not a setting of the {where} (it takes {takes})")
    opts = cls(**given)
    check_fields(opts)
    opts.check()
    return opts


def options_dict(opts) -> dict:
    return dataclasses.asdict(opts)
