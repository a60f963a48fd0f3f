"""The "did the search pay?" section of a search's report, from SEARCH_RUN/payoff/payoff.json: the verdict,
the rank agreement of the score and of the trivial proxies with trained accuracy, the scatter plots, and
every trained network."""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path

from spikenas.errors import InputError
from spikenas.viz import plots
from spikenas.viz.html_table import table

KINDS = ("found", "top", "front", "random", "baseline")
TRIVIAL = {"parameters": "parameter count (trivial proxy)",
           "convolutions": "convolutions after pruning (trivial proxy)"}


def payoff_section(payoff_dir: Path) -> str:
    """'' when the search has no payoff run."""
    path = Path(payoff_dir) / "payoff.json"
    if not path.is_file():
        return ""
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        rows, corr, comp = summary["networks"], summary["correlations"], summary["comparison"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as e:
        raise InputError(f"{path}: not a payoff summary ({type(e).__name__})") from None
    done = [r for r in rows if r["status"] == "done"]
    html = [f"<h2>Did the search pay?</h2><p>{len(done)} of {len(rows)} networks trained with one recipe "
            f"(<code>spikenas payoff</code>, in {escape(str(Path(payoff_dir)))}): "
            f"<b>{escape(comp['verdict'])}</b>.</p>" + _recipe(Path(payoff_dir))]
    html.append("<h3>Rank agreement with trained accuracy</h3>" + table(
        [[TRIVIAL.get(p, f"{p} (training-free score)"), c["networks"], _num(c["kendall_tau"]), _num(c["spearman_rho"])]
         for p, c in corr.items()], ["predictor", "networks", "Kendall tau", "Spearman rho"]) +
        f"<p>Against {escape(summary.get('correlated_with', 'validation accuracy'))}. A score earns its cost "
        f"only where it ranks better than the two trivial proxies.{_unscored(rows)}</p>")

    def points(x_key: str, y_key: str, keep=lambda v: True) -> dict:
        return {k: ([r[x_key] for r in done if r["kind"] == k and keep(r[x_key]) and r[y_key] is not None],
                    [100 * r[y_key] for r in done if r["kind"] == k and keep(r[x_key]) and r[y_key] is not None])
                for k in KINDS}

    finite = lambda v: v is not None and math.isfinite(v)  # noqa: E731
    html.append('<div class="charts">')
    html.append(plots.groups(points("score", "val_accuracy", finite), "validation accuracy against score",
                             "training-free score", "validation accuracy, %"))
    html.append(plots.groups(points("parameters", "val_accuracy"), "validation accuracy against parameters",
                             "parameters", "validation accuracy, %", log_x=True))
    html.append(plots.groups(points("spikes_per_sample", "test_accuracy"), "test accuracy against spikes",
                             "spikes per sample (test)", "test accuracy, %"))
    html.append("</div>")
    if comp.get("random_mean") is not None:
        pick = comp["random_picked_by_validation"]
        html.append(f"<p>Random draws: mean test accuracy {100 * comp['random_mean']:.2f}%"
                    + (f" (sample standard deviation {100 * comp['random_spread']:.2f})" if comp["random_spread"]
                       is not None else "")
                    + f"; the draw the validation split would pick, {escape(pick['name'])}, "
                      f"{100 * pick['test_accuracy']:.2f}%.</p>")
    html.append("<h3>Networks</h3>" + table(
        [[r["name"], _num(r["score"]), f"{r['parameters']:,}", r["convolutions"], _pct(r["val_accuracy"]),
          _pct(r["test_accuracy"]), "-" if r["spikes_per_sample"] is None else f"{r['spikes_per_sample']:,.0f}",
          "-" if r["energy_per_sample_uj"] is None else f"{r['energy_per_sample_uj']:.3f}",
          "-" if r["wall_time_s"] is None else f"{r['wall_time_s']:.0f}", r["status"], str(r["code"])]
         for r in rows],
        ["network", "score", "parameters", "convs", "validation", "test", "spikes/sample", "uJ/sample", "s",
         "status", "genotype"]) + f"<p>Each network's training run: {escape(str(Path(payoff_dir)))}/NAME/ "
        "(<code>spikenas report</code> draws its curves).</p>")
    return "".join(html)


RECIPE = ("epochs", "timesteps", "optimizer", "lr", "weight_decay", "batch_size", "crop_padding", "val_split",
          "train_samples", "seed")


def _recipe(payoff_dir: Path) -> str:
    """The recipe every network trained with (payoff/config.json), with the one dropout and neuron they
    share; '' when the config cannot be read."""
    try:
        cfg = json.loads((payoff_dir / "config.json").read_text(encoding="utf-8"))
        train, models = cfg["train"], [n["model"] for n in cfg["networks"]]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return ""
    shown = {**train, "train_samples": train.get("train_samples") or "all"}
    parts = [f"{k.replace('_', ' ')} {shown[k]}" for k in RECIPE if k in train]
    dropouts = {m.get("dropout") for m in models}
    parts.append(f"dropout {dropouts.pop()} for every network" if len(dropouts) == 1 and None not in dropouts
                 else "dropout: each network's own (planned before payoff set one for all)")
    parts.append(_neuron(models))
    return f"<p>Recipe: {escape(', '.join(parts))}.</p>"


def _neuron(models: list[dict]) -> str:
    """The neuron every network trained with, in words; plans made before payoff set one name none."""
    neurons = [m.get("neuron") for m in models]
    n = neurons[0]
    if not isinstance(n, dict) or any(other != n for other in neurons):
        return "neuron: each network's own (planned before payoff set one for all)"
    try:
        return (f"neuron {str(n['kind']).upper()} with tau {float(n['tau']):.3g}, threshold "
                f"{float(n['threshold']):g}, {n['reset']} reset and {n['surrogate']} surrogate for every network")
    except (KeyError, TypeError, ValueError):
        return "neuron: unreadable in the plan"


def _unscored(rows: list[dict]) -> str:
    """A sentence naming the trained genotype networks left out of the rank agreement for want of a score."""
    left = [r["name"] for r in rows if r["kind"] != "baseline" and r["status"] == "done" and r["score"] is None]
    return "" if not left else (f" Left out: {escape(', '.join(left))} (no training-free score: it could not be "
                                "computed at initialisation, e.g. a readout that never fires).")


def _num(v) -> str:
    return "-" if v is None else f"{v:.3f}"


def _pct(v) -> str:
    return "-" if v is None else f"{100 * v:.2f}%"
