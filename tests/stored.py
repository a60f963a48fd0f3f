"""Reading a search's store in tests: its trials as plain rows."""

import json
import sqlite3


def trial_rows(run):
    """(idx, hash, score, spikes, params, state) of every finished trial, in order."""
    with sqlite3.connect(run / "search.sqlite") as db:
        rows = db.execute("SELECT idx, hash, objectives, state FROM trials WHERE state != 'running' "
                          "ORDER BY idx").fetchall()
    out = []
    for idx, h, values, state in rows:
        v = json.loads(values)
        out.append((idx, h, v.get("score"), v.get("spikes"), v.get("params"), state))
    return out


def trial_genotypes(run):
    with sqlite3.connect(run / "search.sqlite") as db:
        return [json.loads(g) for (g,) in db.execute("SELECT genotype FROM trials ORDER BY idx")]


def finished(run) -> int:
    with sqlite3.connect(run / "search.sqlite") as db:
        return db.execute("SELECT COUNT(*) FROM trials WHERE state != 'running'").fetchone()[0]
