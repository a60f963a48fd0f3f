#!/usr/bin/env bash
# The test command: set up .venv if needed, lint, run the whole test suite on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=test bash scripts/bootstrap.sh
.venv/bin/ruff check src tests benchmarks examples
.venv/bin/python -m pytest -q --durations=10 "$@"
