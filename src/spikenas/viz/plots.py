"""Charts for reports, drawn with matplotlib and inlined as SVG, so a page stays one self-contained file.

Every chart takes plain lists; axes that count (epochs, candidates, generations) get whole-number ticks, and
the chosen candidate is drawn the same way everywhere (a red ring).
"""

from __future__ import annotations

import io
import itertools
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

SIZE = (4.8, 3.0)
_COUNT = itertools.count()
CHOSEN = {"s": 110, "facecolors": "none", "edgecolors": "#d62728", "linewidths": 2.0, "zorder": 5}


def _svg(fig) -> str:
    """The figure as an <svg> element, its ids made unique on the page (several charts share one page)."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as text: small, and the browser's font
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # drop the XML declaration and doctype: the SVG sits inside HTML
    tag = f"c{next(_COUNT)}_"
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{tag}{m.group(1)}"', text)
    return text.replace('xlink:href="#', f'xlink:href="#{tag}').replace("url(#", f"url(#{tag}")


def _axes(title: str, xlabel: str, ylabel: str, integer_x: bool = False):
    fig, ax = plt.subplots(figsize=SIZE)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    if integer_x:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig, ax


def lines(series: dict[str, list[float]], title: str, xlabel: str, ylabel: str, x: list | None = None,
          integer_x: bool = True) -> str:
    """One line per series, x = 1, 2, ... (epochs) unless given."""
    if not series or not any(series.values()):
        return ""
    fig, ax = _axes(title, xlabel, ylabel, integer_x)
    for name, ys in series.items():
        xs = x if x is not None else list(range(1, len(ys) + 1))
        ax.plot(xs, ys, marker="o" if len(ys) <= 30 else None, markersize=3, label=name)
    if len(series) > 1:
        ax.legend(fontsize=7, ncol=2 if len(series) > 6 else 1)
    return _svg(fig)


def histogram(values: list[float], title: str, xlabel: str, chosen: float | None = None) -> str:
    if not values:
        return ""
    fig, ax = _axes(title, xlabel, "candidates")
    ax.hist(values, bins=min(30, max(5, len(values) // 4)), color="#4c72b0")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if chosen is not None:
        ax.axvline(chosen, color="#d62728", lw=2, label="chosen")
        ax.legend(fontsize=7)
    return _svg(fig)


def scatter(xs: list[float], ys: list[float], title: str, xlabel: str, ylabel: str, chosen: int | None = None,
            failed_x: list[float] | None = None, integer_x: bool = False, log_x: bool = False) -> str:
    """Points; `chosen` (an index into xs) ringed in red; `failed_x` drawn as crosses on the bottom edge."""
    if not xs and not failed_x:
        return ""
    fig, ax = _axes(title, xlabel, ylabel, integer_x)
    ax.scatter(xs, ys, s=12, color="#4c72b0", label="candidates")
    if chosen is not None:
        ax.scatter([xs[chosen]], [ys[chosen]], label="chosen", **CHOSEN)
    if failed_x:
        low = min(ys) if ys else 0.0
        ax.scatter(failed_x, [low] * len(failed_x), marker="x", color="#7f7f7f", s=20, label="failed (no score)")
    if log_x:
        ax.set_xscale("log")
    ax.legend(fontsize=7)
    return _svg(fig)


KIND_STYLE = {"found": {"color": "#d62728", "marker": "o", "s": 40, "zorder": 4},
              "top": {"color": "#4c72b0", "marker": "o", "s": 18},
              "front": {"color": "#4c72b0", "marker": "o", "s": 18},
              "random": {"color": "#7f7f7f", "marker": "s", "s": 18},
              "baseline": {"color": "#2ca02c", "marker": "*", "s": 80, "zorder": 4}}


def groups(points: dict[str, tuple[list[float], list[float]]], title: str, xlabel: str, ylabel: str,
           log_x: bool = False) -> str:
    """Points by kind (found, top, front, random, baseline), each kind drawn its own way, with a legend;
    `log_x` where the x values span more than a factor of 20."""
    if not any(xs for xs, _ in points.values()):
        return ""
    fig, ax = _axes(title, xlabel, ylabel)
    for kind, (xs, ys) in points.items():
        if xs:
            ax.scatter(xs, ys, label=kind, **KIND_STYLE.get(kind, {"color": "#4c72b0", "s": 18}))
    xs_all = [x for xs, _ in points.values() for x in xs]
    if log_x and min(xs_all) > 0 and max(xs_all) / min(xs_all) > 20:  # else log ticks crowd a narrow range
        ax.set_xscale("log")
    ax.legend(fontsize=7)
    return _svg(fig)


def front_pair(xs: list[float], ys: list[float], front: list[int], chosen: int | None, xlabel: str,
               ylabel: str) -> str:
    """Every candidate in two objectives, the Pareto front's members joined, the chosen one ringed."""
    fig, ax = _axes(f"{ylabel} against {xlabel}", xlabel, ylabel)
    ax.scatter(xs, ys, s=10, color="#b0b0b0", label="candidates")
    fx = sorted((xs[i], ys[i]) for i in front)
    ax.scatter([p[0] for p in fx], [p[1] for p in fx], s=16, color="#4c72b0", label="front")
    if chosen is not None:
        ax.scatter([xs[chosen]], [ys[chosen]], label="chosen", **CHOSEN)
    ax.legend(fontsize=7)
    return _svg(fig)


def bars(labels: list[str], values: list[float], title: str, ylabel: str) -> str:
    if not labels:
        return ""
    fig, ax = plt.subplots(figsize=(max(4.8, 0.28 * len(labels) + 1.5), 3.2))
    ax.bar(range(len(labels)), values, color="#4c72b0")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(alpha=0.3, axis="y")
    return _svg(fig)
