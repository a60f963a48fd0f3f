"""An argparse parser whose errors follow the exit rule: one line `error: ...` on stderr, exit 2."""

from __future__ import annotations

import argparse
import sys


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        sys.stderr.write(f"error: {self.prog}: {' '.join(message.split())}\n")
        raise SystemExit(2)


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
