"""The run's SQLite store of trials: every candidate, written as it starts and again as it finishes, read
back on resume, and the strategy's saved state.

A trial has a state (running, ok, failed), one value per objective (a mapping: "score" the primary score,
"spikes" per sample at initialisation, "params", or whatever a strategy measures), metrics (a mapping of
details), and step-wise values (an epoch curve for training strategies). The file records its schema
version: a store written by an earlier release is migrated when opened; one written by a later release,
or a file that is not a store, is refused with one line.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from spikenas.errors import InputError

SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
    idx        INTEGER PRIMARY KEY,  -- order in which the strategy proposed it
    hash       TEXT NOT NULL,
    genotype   TEXT NOT NULL,        -- JSON
    state      TEXT NOT NULL,        -- running | ok | failed
    objectives TEXT NOT NULL,        -- JSON {name: value}; {} unless ok
    metrics    TEXT NOT NULL,        -- JSON {name: value}
    seconds    REAL,
    seed       INTEGER,
    error      TEXT,
    created    REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS trials_hash ON trials(hash);
CREATE TABLE IF NOT EXISTS steps (
    trial INTEGER NOT NULL, name TEXT NOT NULL, step INTEGER NOT NULL, value REAL,
    PRIMARY KEY (trial, name, step)
);
CREATE TABLE IF NOT EXISTS strategy (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    told INTEGER NOT NULL,               -- trials the saved state has been told
    state BLOB NOT NULL                  -- pickle of the strategy's state_dict()
);
"""

@dataclass
class Trial:
    idx: int
    hash: str
    genotype: str
    state: str  # running | ok | failed
    values: dict = field(default_factory=dict)  # objective -> value
    metrics: dict = field(default_factory=dict)
    seconds: float = 0.0
    seed: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    @property
    def score(self) -> float | None:
        return self.values.get("score")

class Store:
    """`readonly`: for readers such as the report: nothing is written, and a store of release 0.1 is read as
    it is (migrated in memory, not on disk)."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path, self.readonly, self.v1 = Path(path), readonly, False
        if readonly and not self.path.exists():
            raise InputError(f"{self.path}: not found")
        try:
            if readonly:
                # no write-ahead log: no search has the store open, so the reader opens it as immutable and
                # leaves no -wal/-shm files beside it; with one, it reads through the log (a running search)
                live = Path(f"{self.path}-wal").exists()
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro{'' if live else '&immutable=1'}", uri=True)
                self._check_version()
                return
            self.db = sqlite3.connect(self.path)
            tables = self._check_version()  # before anything is written, even the journal mode
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._open(tables)
        except sqlite3.DatabaseError as e:
            raise InputError(f"{self.path}: not a spikenas search store ({e})") from None

    def _check_version(self) -> set[str]:
        """The tables present; refuses a store of a later release or a file that is no store."""
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = None
        if "meta" in tables:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row else None
        if version is not None and version > SCHEMA_VERSION:
            raise InputError(f"{self.path}: written by a later spikenas (store schema {version}; this release reads "
                             f"up to {SCHEMA_VERSION}): resume it with that release")
        if tables - {"meta"} and version is None and "candidates" not in tables:
            raise InputError(f"{self.path}: not a spikenas search store (tables {', '.join(sorted(tables))})")
        self.v1 = "candidates" in tables
        return tables

    def _open(self, tables: set[str]) -> None:
        with self.db:
            self.db.executescript(SCHEMA)
            if "candidates" in tables:
                self._migrate_v1()
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def _v1_trials(self) -> list[Trial]:
        """Release 0.1 kept fixed columns (score, spikes, params) in `candidates`: each row is a trial with
        those as its objective values."""
        rows = self.db.execute("SELECT idx, hash, genotype, score, spikes, params, seconds, seed, status, error, "
                               "extra FROM candidates ORDER BY idx").fetchall()
        return [Trial(idx, h, g, status, {"score": score, "spikes": spikes, "params": params} if status == "ok" else {},
                      json.loads(extra or "{}"), seconds or 0.0, seed, error)
                for idx, h, g, score, spikes, params, seconds, seed, status, error, extra in rows]

    def _migrate_v1(self) -> None:
        """Every trial of release 0.1's table into `trials`; that strategy had no saved state, so a resume
        replays the trials through a fresh one."""
        for t in self._v1_trials():
            self.finish(t)
        self.db.execute("DROP TABLE candidates")
        self.v1 = False

    def start(self, idx: int, hash_: str, genotype: str, seed: int) -> None:
        """A trial is being evaluated (state running until `finish`)."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO trials VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (idx, hash_, genotype, "running", "{}", "{}", None, seed, None, time.time()))

    def finish(self, t: Trial) -> None:
        """Store one finished trial and commit: a kill after this loses nothing of it."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO trials VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (t.idx, t.hash, t.genotype, t.state, json.dumps(t.values), json.dumps(t.metrics),
                             t.seconds, t.seed, t.error, time.time()))

    def report(self, trial: int, name: str, step: int, value: float) -> None:
        """A step-wise value of a trial (an epoch's loss, say), as Optuna's trial.report."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO steps VALUES (?,?,?,?)", (trial, name, step, value))

    def steps(self, trial: int, name: str) -> list[tuple[int, float]]:
        return self.db.execute("SELECT step, value FROM steps WHERE trial=? AND name=? ORDER BY step",
                               (trial, name)).fetchall()

    def trials(self, states: tuple[str, ...] = ("ok", "failed")) -> list[Trial]:
        if self.v1:  # read-only over release 0.1's table
            return [t for t in self._v1_trials() if t.state in states]
        marks = ",".join("?" * len(states))
        rows = self.db.execute("SELECT idx, hash, genotype, state, objectives, metrics, seconds, seed, error "
                               f"FROM trials WHERE state IN ({marks}) ORDER BY idx", states).fetchall()
        return [Trial(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]), r[6] or 0.0, r[7], r[8])
                for r in rows]

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM trials WHERE state != 'running'").fetchone()[0]

    def save_state(self, told: int, state: dict) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO strategy VALUES (0, ?, ?)", (told, pickle.dumps(state)))

    def load_state(self) -> tuple[int, dict] | None:
        row = self.db.execute("SELECT told, state FROM strategy WHERE id = 0").fetchone()
        return None if row is None else (row[0], pickle.loads(row[1]))

    def close(self) -> None:
        self.db.close()
