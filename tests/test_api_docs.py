"""docs/api.md runs as written: its Python blocks, in order, in one namespace, in a fresh folder; and
examples/search_train_export.py runs."""

import re
import runpy
import sys
from pathlib import Path

import pytest

from spikenas.scores import SCORES

ROOT = Path(__file__).resolve().parents[1]


def test_every_block_of_the_api_page_runs(tmp_path, monkeypatch, capsys):
    pytest.importorskip("nir")
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "api.md").read_text(), re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    try:
        for block in blocks:
            exec(compile(block, "docs/api.md", "exec"), namespace)
    finally:
        SCORES.pop("api-rate", None)  # registered by the page; other tests see the registry as shipped
    out = capsys.readouterr().out
    assert "--lr must be a finite number, not nan" in out and "NIR nodes" in out
    assert (tmp_path / "runs" / "api-train" / "model.pt").is_file()
    assert not (tmp_path / "runs" / "api-bad").exists()


def test_the_example_script_runs(tmp_path, monkeypatch):
    pytest.importorskip("nir")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["search_train_export.py", "--quick"])
    runpy.run_path(str(ROOT / "examples" / "search_train_export.py"), run_name="__main__")
    assert (tmp_path / "runs" / "example-train" / "model.nir").is_file()
