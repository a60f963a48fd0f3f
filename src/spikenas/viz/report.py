"""One HTML page per run folder: what was asked, what was found, what it cost.

A search run shows its settings, the score distribution, score against spikes, the best candidates and the
drawn best cell; a training run shows its settings, the learning curves, accuracy, spikes per layer and
energy. Charts are inline SVG, so the page is a single file that opens anywhere."""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path

from spikenas import spaces
from spikenas.errors import InputError
from spikenas.run_folder import read_config
from spikenas.search.results import chosen_candidate
from spikenas.search.store import Store
from spikenas.viz import charts
from spikenas.viz.darts_report import darts_section
from spikenas.viz.genotype_view import draw
from spikenas.viz.html_table import table

STYLE = ("body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
         "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
         "text-align:left;font-size:13px}h2{margin-top:1.5em}.charts svg{margin:0 1em 1em 0}")


def _settings(cfg: dict) -> str:
    flat = {k: v for k, v in cfg.items() if not isinstance(v, dict)}
    for k, v in cfg.items():
        if isinstance(v, dict):
            flat.update({f"{k}.{kk}": vv for kk, vv in v.items() if not isinstance(vv, dict)})
    return table([[k, v] for k, v in flat.items()], ["setting", "value"])


def _search_section(run: Path, cfg: dict) -> str:
    store = Store(run / "search.sqlite", readonly=True)
    try:
        rows = store.trials()
    finally:
        store.close()
    ok = [t for t in rows if t.ok and math.isfinite(t.score)]
    degenerate = sum(t.ok and not math.isfinite(t.score) for t in rows)
    failed = sum(not t.ok for t in rows)
    html = [f"<h2>Search</h2><p>{len(rows)} candidates: {failed} failed, {degenerate} with a score of -inf "
            f"(spike patterns too alike for a non-singular kernel), {sum(t.seconds for t in rows):.1f} s of "
            "scoring.</p>"]
    if ok:
        chosen_idx = chosen_candidate(run)  # what the search chose (best.json), not recomputed here
        best = next((t for t in ok if t.idx == chosen_idx), None) or max(ok, key=lambda t: (t.score, -t.idx))
        score_name = cfg.get("score", "score")
        html.append('<div class="charts">')
        html.append(charts.histogram([t.score for t in ok], f"{score_name} of every candidate", score_name))
        html.append(charts.scatter([t.values["spikes"] for t in ok], [t.score for t in ok], "score against spikes",
                                   "spikes per sample at initialisation", "score", ok.index(best)))
        html.append(charts.lines({"best so far": _running_max([t.score for t in ok])}, "best score by candidate",
                                 "candidate", "best score"))
        html.append("</div>")
        top = sorted(ok, key=lambda t: -t.score)[:10]
        html.append("<h3>Best candidates</h3>" + table(
            [[t.idx, t.metrics.get("code") or t.hash, f"{t.score:.4f}", f"{t.values['spikes']:.0f}",
              t.values["params"], f"{t.seconds:.2f}"] for t in top],
            ["#", "genotype", "score", "spikes/sample", "parameters", "s"]))
        front_file = run / "front.json"
        if front_file.exists():
            front = json.loads(front_file.read_text())
            html.append(f"<h3>Pareto front on {escape(', '.join(front['objectives']))}</h3>" + table(
                [[m["candidate"], m["hash"], f"{m['score']:.4f}", f"{m['spikes_per_sample_at_init']:.0f}",
                  m["parameters"], "chosen" if m["candidate"] == front["chosen"] else ""] for m in front["front"]],
                ["#", "genotype", "score", "spikes/sample", "parameters", f"{front['pick']}"]))
        space = spaces.get(cfg["space"], **cfg.get("space_options", {}))
        g = space.genotype_from_json(best.genotype)
        html.append(f"<h3>Chosen network (#{best.idx})</h3>" + draw(g, cfg["space"]))
    return "".join(html)


def _chosen_network(run: Path, cfg: dict) -> str:
    best = json.loads((run / "best.json").read_text())
    space = spaces.get(cfg["space"], **cfg.get("space_options", {}))
    g = space.genotype_from_dict(best["genotype"])
    return f"<h3>Derived network ({escape(best.get('chosen_by', ''))})</h3>" + draw(g, cfg["space"])


def _running_max(vals: list[float]) -> list[float]:
    out, m = [], float("-inf")
    for v in vals:
        m = max(m, v)
        out.append(m)
    return out


def _train_section(metrics: dict) -> str:
    h = metrics.get("history", [])
    html = ["<h2>Training</h2>", table([
        ["status", metrics.get("status")], ["epochs", metrics.get("epochs_done")],
        ["test accuracy", f"{100 * metrics['test_accuracy']:.2f}%"],
        ["spikes per sample", f"{metrics['spikes_per_sample']:.0f}"],
        ["energy per sample", f"{metrics['energy_per_sample_uj']:.4f} uJ"],
        ["parameters", metrics.get("parameters")], ["wall time", f"{metrics.get('wall_time_s', 0):.1f} s"]],
        ["metric", "value"])]
    if h:
        html.append('<div class="charts">')
        html.append(charts.lines({"train": [e["train_accuracy"] for e in h], "test": [e["test_accuracy"] for e in h]},
                                 "accuracy", "epoch", "accuracy"))
        html.append(charts.lines({"train": [e["train_loss"] for e in h], "test": [e["test_loss"] for e in h]},
                                 "loss", "epoch", "loss"))
        if h[-1].get("spikes_per_cell"):
            html.append(charts.lines({c: [e.get("spikes_per_cell", {}).get(c, 0.0) for e in h]
                                      for c in h[-1]["spikes_per_cell"]}, "test spikes per sample by cell",
                                     "epoch", "spikes per sample"))
        html.append("</div>")
    layers = metrics.get("spikes_per_sample_per_layer", {})
    rates = metrics.get("firing_rate_per_layer", {})
    html.append("<h3>Spikes per layer</h3>" + table(
        [[k, f"{v:.1f}", f"{rates.get(k, 0):.4f}"] for k, v in layers.items()],
        ["layer", "spikes per sample", "firing rate"]))
    return "".join(html)


def _metrics(run: Path) -> dict | None:
    path = run / "metrics.json"
    if not path.exists():
        return None
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise InputError(f"{path}: not readable JSON ({type(e).__name__})") from None
    if not isinstance(d, dict):
        raise InputError(f"{path}: not a run's metrics")
    return d


def write_report(run: Path) -> Path:
    run = Path(run)
    _, cfg = read_config(run)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>spikenas: {escape(run.name)}</title>"
             f"<style>{STYLE}</style></head><body><h1>spikenas run {escape(run.name)}</h1>",
             f"<p>{escape(str(run.resolve()))}</p><h2>Settings</h2>", _settings(cfg)]
    metrics = _metrics(run)
    if metrics is not None and "supernet_parameters" in metrics:  # a differentiable search: one supernet
        parts.append(darts_section(metrics) + _chosen_network(run, cfg))
    else:
        if (run / "search.sqlite").exists():
            parts.append(_search_section(run, cfg))
        if metrics is not None:
            parts.append(_train_section(metrics))
    parts.append("</body></html>")
    out = run / "report.html"
    out.write_text("".join(parts))
    return out
