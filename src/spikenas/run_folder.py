"""Run folders: what `--run` names is checked before anything is written, and a run folder records its kind
(`command` in config.json: "search", "train", or "payoff" in a search's payoff/ folder), so one command
never writes into another's folder.

    inspect(run_dir)              -> "search", "train", "payoff", or None (no folder, or an empty one)
    prepare(run_dir, kind, resume)   refuses a file, a foreign or unreadable folder, a finished run started
                                     again without --resume, and a --resume with nothing of that kind to resume
    fresh_folder(run_dir)            what a new run there would create
    discard_if_unused(fresh, run_dir)  after a refused new run: removes what it created if that holds no result
    read_metrics(run_dir)            a run's metrics.json (None before it has one)
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from spikenas.errors import InputError

KINDS = ("search", "train", "payoff")
SCAFFOLD = {"config.json", "search.sqlite", "search.sqlite-wal", "search.sqlite-shm", "search.sqlite-journal"}


def inspect(run_dir: Path) -> str | None:
    """The kind of run `run_dir` holds; None when it does not exist or is empty; an InputError otherwise."""
    run_dir = Path(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise InputError(f"--run {run_dir}: a file, not a folder")
    if not run_dir.exists():
        return None
    try:
        empty = not any(run_dir.iterdir())
    except OSError as e:
        raise InputError(f"--run {run_dir}: cannot be read ({e.strerror})") from None
    if empty:
        return None
    cfg = run_dir / "config.json"
    if not cfg.is_file():
        raise InputError(f"--run {run_dir}: holds files but no config.json, so it is not a spikenas run folder "
                         f"(choose another --run)")
    try:
        d = json.loads(cfg.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise InputError(f"{cfg}: not readable JSON ({type(e).__name__})") from None
    kind = d.get("command") if isinstance(d, dict) else None
    if kind not in KINDS:
        raise InputError(f"{cfg}: names no run kind ('command' is {kind!r}), so {run_dir} is not a spikenas run "
                         f"folder")
    return kind


def read_config(run_dir: Path) -> tuple[str, dict]:
    """(kind, config.json) of a run folder, its shape checked: a search names its pieces, a training run
    its dataset, model and settings; anything else an InputError naming the file."""
    kind = inspect(run_dir)
    if kind is None:
        what = "an empty folder" if Path(run_dir).exists() else "no such folder"
        raise InputError(f"{run_dir}: no run there ({what})")
    path = Path(run_dir) / "config.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    needs = {"search": {"space": str, "strategy": str, "dataset": str},
             "train": {"dataset": str, "model": dict, "train": dict},
             "payoff": {"dataset": str, "networks": list, "train": dict, "payoff": dict}}[kind]
    bad = [k for k, t in needs.items() if not isinstance(d.get(k), t)]
    if bad:
        raise InputError(f"{path}: not a {kind} run's config ({', '.join(bad)} missing or of the wrong type)")
    return kind, d


def prepare(run_dir: Path, kind: str, resume: bool) -> None:
    """Refuse, before anything is written, what `spikenas <kind> --run run_dir [--resume]` must not do."""
    found = inspect(run_dir)
    if resume:
        if found is None:
            what = "no such folder" if not Path(run_dir).exists() else "an empty folder"
            raise InputError(f"--resume: {run_dir} holds no {kind} run to resume ({what})")
        if found != kind:
            raise InputError(f"--resume: {run_dir} holds a {found} run, not a {kind} run "
                             f"(`spikenas {found} --run {run_dir} --resume` continues it)")
    elif found is not None:
        raise InputError(f"--run {run_dir} already holds a {found} run: pass --resume to continue it, or choose "
                         f"another --run")


def fresh_folder(run_dir: Path) -> tuple[Path, bool] | None:
    """What a new run in `run_dir` would create: (the outermost missing folder of its path, False), or
    (`run_dir`, True) when it exists and is empty; None when it holds something already (nothing is removed)."""
    path = Path(run_dir).absolute()
    if path.exists():
        try:
            return (path, True) if path.is_dir() and not any(path.iterdir()) else None
        except OSError:
            return None
    while not path.parent.exists():
        path = path.parent
    return path, False


def discard_if_unused(fresh: tuple[Path, bool], run_dir: Path) -> None:
    """After a refused new run: remove what it created (`fresh` from fresh_folder: the folders it made, or
    only the contents of the empty folder the user had made) when the run folder holds nothing but the
    scaffolding a run writes first (config.json, a store without a trial)."""
    run_dir = Path(run_dir).absolute()
    top, existed = fresh
    if not top.exists():
        return
    try:
        names = {p.name for p in run_dir.iterdir()} if run_dir.is_dir() else set()
        if not names <= SCAFFOLD:
            return
        if "search.sqlite" in names:
            with sqlite3.connect(f"file:{run_dir / 'search.sqlite'}?mode=ro", uri=True) as db:
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if "trials" in tables and db.execute("SELECT COUNT(*) FROM trials").fetchone()[0]:
                    return
    except (OSError, sqlite3.Error):
        return
    if existed:
        for name in names:
            (run_dir / name).unlink(missing_ok=True)
    else:
        shutil.rmtree(top, ignore_errors=True)


def read_metrics(run_dir: Path) -> dict | None:
    """A run's metrics.json (a mapping), None when it has none yet; unreadable or not a mapping: InputError."""
    path = Path(run_dir) / "metrics.json"
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise InputError(f"{path}: not readable JSON ({type(e).__name__})") from None
    if not isinstance(d, dict):
        raise InputError(f"{path}: not a run's metrics")
    return d
