"""Start a search in a subprocess and SIGKILL it at a chosen moment."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

from .stored import finished


def kill_when(args, run, ready, timeout: float = 300) -> None:
    """Run `spikenas ARGS --run RUN` and kill it with SIGKILL as soon as `ready()` is true."""
    env = {k: v for k, v in os.environ.items() if k != "SPIKENAS_DATA"}
    proc = subprocess.Popen([sys.executable, "-m", "spikenas", *map(str, args), "--run", str(run)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        try:
            if ready():
                break
        except (sqlite3.OperationalError, FileNotFoundError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def kill_search_after(args, run, count: int, timeout: float = 300) -> None:
    """Kill the search as soon as `count` candidates are stored."""
    kill_when(args, run, lambda: (run / "search.sqlite").exists() and finished(run) >= count, timeout)
