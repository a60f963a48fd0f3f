"""One HTML page per run folder: what was asked, what was found, what it cost.

A search run shows its settings, the scores (distribution, by candidate, over time, against spikes; failures
as crosses and a table of their reasons), for NSGA-II the front in each pair of objectives and the progress
per generation, the best candidates and the drawn chosen cell; the chosen candidate is the same everywhere
(search.results.chosen_candidate). A training run shows its settings, the learning curves, accuracy, spikes
per layer, firing rates, MACs, synaptic operations and energy, and the trained genotype drawn with a link to
its search. Charts are matplotlib's (viz.plots) inlined as SVG, so the page is one file that opens anywhere."""

from __future__ import annotations

import json
import math
import os
from html import escape
from pathlib import Path

from spikenas import spaces
from spikenas.run_folder import read_config, read_metrics
from spikenas.search.config import SearchConfig, extra_scores
from spikenas.search.results import chosen_candidate
from spikenas.search.store import Store
from spikenas.search.strategies import trains
from spikenas.viz import plots
from spikenas.viz.darts_report import darts_section
from spikenas.viz.genotype_view import draw
from spikenas.viz.html_table import table
from spikenas.viz.payoff_report import payoff_section

STYLE = ("body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
         "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
         "text-align:left;font-size:13px}h2{margin-top:1.5em}.charts svg{margin:0 1em 1em 0}")


def _settings(kind: str, cfg: dict) -> str:
    if kind == "search" and trains(cfg.get("strategy")):
        # a training strategy's scoring settings, in a config.json written before they were left out
        cfg = {k: v for k, v in cfg.items() if k not in SearchConfig.SCORING}
    flat = {k: v for k, v in cfg.items() if not isinstance(v, dict)}
    for k, v in cfg.items():
        if not isinstance(v, dict):
            continue
        for kk, vv in v.items():
            if not isinstance(vv, dict):
                flat[f"{k}.{kk}"] = vv
            elif written := _options(vv):  # a piece's options on one row; a genotype's nested parts left out
                flat[f"{k}.{kk}"] = written
    return table([[k, _setting(v)] for k, v in flat.items()], ["setting", "value"])


def _options(d: dict) -> str:
    """A piece's options written out (`also_score_options.rdm`: "rdm_dissimilarity hamming, rdm_reduction
    rsa"); "" where they are not all plain values (a genotype)."""
    if not all(isinstance(v, (str, int, float, bool)) or v is None for v in d.values()):
        return ""
    return ", ".join(f"{k} {_setting(v)}" for k, v in d.items())


def _setting(v) -> object:
    """A setting as a user writes it on the command line: true/false, not Python's True/False."""
    if v is None:
        return "not set (its default rule)"
    return str(v).lower() if isinstance(v, bool) else v


def _search_section(run: Path, cfg: dict) -> str:
    store = Store(run / "search.sqlite", readonly=True)
    try:
        rows = store.trials()
    finally:
        store.close()
    ok = [t for t in rows if t.ok and math.isfinite(t.score)]
    degenerate = [t for t in rows if t.ok and not math.isfinite(t.score)]
    failed = [t for t in rows if not t.ok]
    html = [f"<h2>Search</h2><p>{len(rows)} candidates: {len(failed)} failed, {len(degenerate)} with a score of "
            f"-inf (spike patterns too alike for a non-singular kernel), {sum(t.seconds for t in rows):.1f} s of "
            "scoring.</p>"]
    if failed:
        by_reason: dict[str, list[int]] = {}
        for t in failed:
            by_reason.setdefault((t.error or "no reason recorded").strip().splitlines()[-1][:160], []).append(t.idx)
        reasons = sorted(by_reason.items(), key=lambda kv: -len(kv[1]))  # most frequent first, then first seen
        html.append("<h3>Failures</h3>" + table([[escape(r), len(idx), ", ".join(map(str, idx))[:80]]
                                                 for r, idx in reasons], ["reason", "candidates", "which (#)"]))
    if not ok:
        return "".join(html)
    chosen_idx = chosen_candidate(run)  # what the search chose (best.json or the front's pick), everywhere below
    best = next((t for t in ok if t.idx == chosen_idx), None) or max(ok, key=lambda t: (t.score, -t.idx))
    at = ok.index(best)
    score_name = cfg.get("score", "score")
    if cfg.get("strategy") == "darts":
        score_name = "supernet accuracy"
    no_score = [t for t in rows if t not in ok]
    html.append(f'<p>The chosen candidate, #{best.idx}, is ringed in red in every chart.</p><div class="charts">')
    html.append(plots.histogram([t.score for t in ok], f"{score_name} of every candidate", score_name,
                                chosen=best.score))
    html.append(plots.scatter([t.idx for t in ok], [t.score for t in ok], f"{score_name} by candidate",
                              "candidate (order of proposal)", score_name, at, [t.idx for t in no_score],
                              integer_x=True))
    elapsed, clock = {}, 0.0
    for t in sorted(rows, key=lambda t: t.idx):
        clock += t.seconds
        elapsed[t.idx] = clock
    html.append(plots.scatter([elapsed[t.idx] for t in ok], [t.score for t in ok], f"{score_name} over time",
                              "scoring time so far, s", score_name, at, [elapsed[t.idx] for t in no_score]))
    html.append(plots.scatter([t.values["spikes"] for t in ok], [t.score for t in ok],
                              f"{score_name} against spikes", "spikes per sample at initialisation", score_name, at))
    html.append("</div>")
    front_file = run / "front.json"
    if front_file.exists():
        html.append(_front_section(json.loads(front_file.read_text()), ok, best, cfg))
    top = sorted(ok, key=lambda t: -t.score)[:10]
    also = extra_scores(cfg.get("score"), cfg.get("also_score"))

    def recorded(t, name):  # an --also-score value, where the trial has it
        v = (t.metrics.get("scores") or {}).get(name)
        return "" if v is None else f"{v:.4f}"

    html.append("<h3>Best candidates by score</h3>" + table(
        [[t.idx, t.metrics.get("code") or t.hash, f"{t.score:.4f}", *(recorded(t, n) for n in also),
          f"{t.values['spikes']:.0f}", t.values["params"], f"{t.seconds:.2f}", "chosen" if t is best else ""]
         for t in top],
        ["#", "genotype", f"score ({score_name})", *also, "spikes/sample", "parameters", "s", ""]))
    space = spaces.get(cfg["space"], **cfg.get("space_options", {}))
    g = space.genotype_from_json(best.genotype)
    html.append(f"<h3>Chosen network (#{best.idx})</h3>" + draw(g, cfg["space"]))
    return "".join(html)


def _front_section(front: dict, ok: list, best, cfg: dict) -> str:
    """The Pareto front in each pair of objectives, progress per generation, and the front as a table."""
    objectives = front["objectives"]
    members = {m["candidate"] for m in front["front"]}
    value = {"score": lambda t: t.score, "spikes": lambda t: t.values["spikes"], "params": lambda t: t.values["params"]}
    html = [f"<h3>Pareto front on {escape(', '.join(objectives))} ({len(members)} candidates; the chosen one "
            f"by --pick {escape(front['pick'])})</h3>", '<div class="charts">']
    at = ok.index(best)
    front_at = [i for i, t in enumerate(ok) if t.idx in members]
    for i, x in enumerate(objectives):
        for y in objectives[i + 1:]:
            html.append(plots.front_pair([value[x](t) for t in ok], [value[y](t) for t in ok], front_at, at, x, y))
    so = cfg.get("strategy_options", {})
    population, offspring = int(so.get("population", 50)), int(so.get("offspring", 50))
    gens: dict[int, list] = {}
    for t in ok:
        gens.setdefault(0 if t.idx < population else 1 + (t.idx - population) // offspring, []).append(t)
    order = sorted(gens)
    for name in objectives:
        pick = max if name == "score" else min
        so_far, line = None, []
        for gnum in order:
            v = pick(value[name](t) for t in gens[gnum])
            so_far = v if so_far is None else pick(so_far, v)
            line.append(so_far)
        html.append(plots.lines({f"{'best' if name == 'score' else 'lowest'} so far": line},
                                f"{name} by generation", "generation", name, x=order))
    html.append("</div>")
    html.append(table([[m["candidate"], m["hash"], f"{m['score']:.4f}", f"{m['spikes_per_sample_at_init']:.0f}",
                        m["parameters"], "chosen" if m["candidate"] == best.idx else ""] for m in front["front"]],
                      ["#", "genotype", "score", "spikes/sample", "parameters", ""]))
    return "".join(html)


def _chosen_network(run: Path, cfg: dict) -> str:
    best = json.loads((run / "best.json").read_text())
    space = spaces.get(cfg["space"], **cfg.get("space_options", {}))
    g = space.genotype_from_dict(best["genotype"])
    return f"<h3>Derived network ({escape(best.get('chosen_by', ''))})</h3>" + draw(g, cfg["space"])


def _train_section(metrics: dict, cfg: dict, run: Path) -> str:
    h = metrics.get("history", [])
    def fmt(key: str, spec: str, scale: float = 1.0, unit: str = "") -> str:
        v = metrics.get(key)
        return "- (the test set is read after the last epoch)" if v is None else f"{scale * v:{spec}}{unit}"

    splits = metrics.get("splits", {})
    html = ["<h2>Training</h2>", table([
        ["status", metrics.get("status")], ["epochs", metrics.get("epochs_done")],
        ["test accuracy", fmt("test_accuracy", ".2f", 100, "%")],
        ["spikes per sample", fmt("spikes_per_sample", ",.0f")],
        ["MACs per sample (the analog first layer)", fmt("macs_per_sample", ",.0f")],
        ["synaptic operations per sample (spike-driven layers)", fmt("sops_per_sample", ",.0f")],
        ["energy per sample", fmt("energy_per_sample_uj", ".4f", 1, " uJ")],
        ["parameters", metrics.get("parameters")], ["wall time", f"{metrics.get('wall_time_s', 0):.1f} s"],
        *[[f"split of {k}", v] for k, v in splits.items()]],
        ["metric", "value"])]
    if h:
        html.append('<div class="charts">')
        for what in ("accuracy", "loss"):
            series = {"train": [e[f"train_{what}"] for e in h]}
            for key, name in (("val", "validation"), ("test", "test")):
                if all(f"{key}_{what}" in e for e in h):
                    series[name] = [e[f"{key}_{what}"] for e in h]
            html.append(plots.lines(series, what, "epoch", what))
        if h[-1].get("spikes_per_cell"):
            split = "validation" if "val_accuracy" in h[-1] else "test"
            html.append(plots.lines({c: [e.get("spikes_per_cell", {}).get(c, 0.0) for e in h]
                                     for c in h[-1]["spikes_per_cell"]}, f"{split} spikes per sample by cell",
                                    "epoch", "spikes per sample"))
        html.append("</div>")
    layers = metrics.get("spikes_per_sample_per_layer", {})
    rates = metrics.get("firing_rate_per_layer", {})
    if layers:
        spikes = plots.bars(list(layers), list(layers.values()), "spikes per sample by layer", "spikes per sample")
        fired = plots.bars(list(rates), list(rates.values()), "firing rate by layer", "spikes per neuron per step")
        html.append(f'<div class="charts">{spikes}{fired}</div>')
    html.append("<h3>Spikes per layer</h3>" + table(
        [[k, f"{v:.1f}", f"{rates.get(k, 0):.4f}"] for k, v in layers.items()],
        ["layer", "spikes per sample", "firing rate"]))
    model = cfg.get("model", {})
    if model.get("name") == "genotype":
        space = spaces.get(model["space"])
        g = space.genotype_from_dict(model["genotype"])
        source = model.get("from")
        link = ""
        if source:
            search = Path(source).parent
            rel = os.path.relpath(search / "report.html", run.resolve())
            link = f' from the search in <a href="{escape(rel)}">{escape(str(search))}</a>'
        html.append(f"<h3>Trained network ({escape(model['space'])} genotype{link})</h3>" + draw(g, model["space"]))
    return "".join(html)


def write_report(run: Path) -> Path:
    run = Path(run)
    kind, cfg = read_config(run)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>spikenas: {escape(run.name)}</title>"
             f"<style>{STYLE}</style></head><body><h1>spikenas run {escape(run.name)}</h1>",
             f"<p>{escape(str(run.resolve()))}</p><h2>Settings</h2>", _settings(kind, cfg)]
    metrics = read_metrics(run)
    if metrics is not None and "supernet_parameters" in metrics:  # a differentiable search: one supernet
        parts.append(darts_section(metrics) + _chosen_network(run, cfg) + payoff_section(run / "payoff"))
    else:
        if (run / "search.sqlite").exists():
            parts.append(payoff_section(run / "payoff") + _search_section(run, cfg))
        if kind == "payoff":
            parts.append(payoff_section(run))
        if metrics is not None:
            parts.append(_train_section(metrics, cfg, run))
    parts.append("</body></html>")
    out = run / "report.html"
    out.write_text("".join(parts))
    return out
