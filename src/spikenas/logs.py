"""Plain-text logs a user can plot with their own tools: a search's `trials.csv` (one row per candidate) and
a run's `history.csv` (one row per epoch: training runs and differentiable searches). Each is rewritten whole
and atomically from what the run has stored, so after a kill and a resume it holds exactly what was finished;
a search also appends each candidate's row as it finishes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from spikenas.atomic import atomic_write_bytes

TRIAL_COLUMNS = ("candidate", "state", "score", "spikes", "params", "seconds", "seed", "hash", "genotype_code",
                 "error")


def _trial_row(t) -> list:
    v = t.values or {}
    error = (t.error or "").strip().splitlines()
    return [t.idx, t.state, v.get("score", ""), v.get("spikes", ""), v.get("params", ""), f"{t.seconds:.4f}",
            t.seed, t.hash, (t.metrics or {}).get("code", ""), error[-1] if error else ""]


def write_trials_csv(run_dir: Path, trials) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(TRIAL_COLUMNS)
    for t in sorted(trials, key=lambda t: t.idx):
        w.writerow(_trial_row(t))
    atomic_write_bytes(Path(run_dir) / "trials.csv", buf.getvalue().encode())


def append_trial_csv(run_dir: Path, trial) -> None:
    path = Path(run_dir) / "trials.csv"
    with open(path, "a", newline="") as f:
        csv.writer(f).writerow(_trial_row(trial))


def write_history_csv(run_dir: Path, history: list[dict]) -> None:
    """One row per epoch; the columns are every scalar a record holds (nested values, such as spikes per cell,
    become `name.key` columns)."""
    rows = []
    for record in history:
        flat = {}
        for k, v in record.items():
            if isinstance(v, dict):
                flat.update({f"{k}.{kk}": vv for kk, vv in v.items() if isinstance(vv, (int, float, str))})
            elif isinstance(v, (int, float, str)):
                flat[k] = v
        rows.append(flat)
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, columns)
    w.writeheader()
    w.writerows(rows)
    atomic_write_bytes(Path(run_dir) / "history.csv", buf.getvalue().encode())


class TensorBoard:
    """Scalars for TensorBoard in RUN/tensorboard when the `tensorboard` package is installed (else nothing):
    `add(step, {"name": value, ...})`. A resumed run first drops what it had logged after `start` (the
    steps it is about to log again)."""

    def __init__(self, run_dir: Path, start: int = 0) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            self.writer = None
            return
        self.writer = SummaryWriter(str(Path(run_dir) / "tensorboard"), purge_step=start if start else None)

    def add(self, step: int, scalars: dict) -> None:
        if self.writer is None:
            return
        for name, value in scalars.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.writer.add_scalar(name, value, step)
        self.writer.flush()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
