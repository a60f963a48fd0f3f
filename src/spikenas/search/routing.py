"""Which piece takes which option: every registered space, score and strategy declares its options, and a
search's options are routed to the chosen pieces (an option none of them takes is refused in one line).
Shared by the command line and the Python API, as is how a new or resumed search's settings are made."""

from __future__ import annotations

import json
from pathlib import Path

from spikenas import spaces
from spikenas.cli.parser import default_device
from spikenas.errors import InputError
from spikenas.options import declared, option_fields
from spikenas.scores import SCORES
from spikenas.search.config import SearchConfig, absolute_root
from spikenas.search.strategies import STRATEGIES, trains

PIECES = ("space", "score", "strategy")


def piece_options() -> dict[str, dict[str, list]]:
    """piece kind -> option name -> [(piece name, dataclass field)] for every registered space, score and
    strategy."""
    registries = {"space": {n: c.Options for n, c in spaces.SPACES.items()},
                  "score": {n: s.Options for n, s in SCORES.items()},
                  "strategy": {n: e.Options for n, e in STRATEGIES.items()}}
    out: dict[str, dict[str, list]] = {k: {} for k in PIECES}
    for kind, reg in registries.items():
        for name, cls in reg.items():
            for f in option_fields(cls):
                out[kind].setdefault(f.name, []).append((name, f))
    return out


def split_options(given: dict) -> tuple[dict, dict[str, dict]]:
    """(general settings, {piece kind: {option: value}}) from search options by name (the command line's
    given ones, or the API's keywords); a name neither SearchConfig nor any piece declares is an InputError."""
    general_names = {f.name for f in declared(SearchConfig)}
    by_kind = piece_options()
    general: dict = {}
    by_piece: dict[str, dict] = {k: {} for k in PIECES}
    for name, value in given.items():
        if name in general_names:
            general[name] = value
            continue
        kinds = [k for k in PIECES if name in by_kind[k]]
        if not kinds:
            raise InputError(f"{name}: no such search option")
        for kind in kinds:
            by_piece[kind][name] = value
    return general, by_piece


def route(general: dict, by_piece: dict[str, dict], chosen: dict[str, str]) -> dict:
    """Options for the chosen pieces; an option none of them takes is refused in one line."""
    declared = piece_options()
    out = {f"{k}_options": {} for k in PIECES}
    for kind in PIECES:
        for name, value in by_piece[kind].items():
            takers = [k for k in PIECES if any(p == chosen[k] for p, _ in declared[k].get(name, []))]
            if not takers:
                owner = kind
                raise InputError(f"--{name.replace('_', '-')} is not a setting of the {chosen[owner]} {owner}")
            for k in takers:
                out[f"{k}_options"][name] = value
    return {**general, **out}


def refuse_scoring_settings(strategy: str, general: dict, by_piece: dict[str, dict]) -> None:
    """A training strategy scores no candidates: a scoring setting given for one is refused, not ignored."""
    if not trains(strategy):
        return
    named = [k for k in SearchConfig.SCORING if k in general] + list(by_piece["score"])
    if named:
        flags = ", ".join(f"--{k.replace('_', '-')}" for k in named)
        raise InputError(f"{flags}: {'a setting' if len(named) == 1 else 'settings'} of scoring candidates at "
                         f"initialisation; --strategy {strategy} trains a supernet and scores none")


def search_config(run_dir: Path, general: dict, by_piece: dict[str, dict], resume: bool) -> SearchConfig:
    """A new search's settings (defaults filled, device: CUDA when present), or a resumed one's: its saved
    config.json with the options given again, which must agree unless they only say where it runs."""
    if not resume:
        chosen = {k: general.get(k, SearchConfig.__dataclass_fields__[k].default) for k in PIECES}
        takes = STRATEGIES[chosen["strategy"]].Options.budget_option if chosen["strategy"] in STRATEGIES else None
        if takes not in (None, "candidates") and "candidates" in general:
            raise InputError(f"--strategy {chosen['strategy']} takes --{takes}, not --candidates")
        refuse_scoring_settings(chosen["strategy"], general, by_piece)
        given = route(general, by_piece, chosen)
        return SearchConfig(**{"device": default_device(), **given})
    saved = run_dir / "config.json"
    try:
        old = SearchConfig.from_dict(json.loads(saved.read_text()))
    except (ValueError, TypeError) as e:
        raise InputError(f"{saved}: not a search's config ({e})") from None
    except InputError as e:
        raise InputError(f"{saved}: {e}") from None
    refuse_scoring_settings(old.strategy, general, by_piece)
    if general.get("data_root") is not None:
        general = {**general, "data_root": absolute_root(general["data_root"])}
    given = route(general, by_piece, {k: getattr(old, k) for k in PIECES})
    for k, v in general.items():
        if k not in SearchConfig.RUNTIME and getattr(old, k) != v:
            raise InputError(f"--{k.replace('_', '-')} {v} differs from the search's {getattr(old, k)}")
    merged = old.to_dict()
    for kind in PIECES:
        for k, v in given[f"{kind}_options"].items():
            if k not in SearchConfig.RUNTIME and merged[f"{kind}_options"].get(k) != v:
                raise InputError(f"--{k.replace('_', '-')} {v} differs from the search's "
                                 f"{merged[f'{kind}_options'].get(k)}")
            merged[f"{kind}_options"][k] = v
    merged.update(general)
    return SearchConfig.from_dict(merged)
