"""An SNASNet cell drawn as SVG: nodes in a row, forward edges as arcs above, feedback (t+1) edges dashed
below, each labelled with its operation."""

from __future__ import annotations

from html import escape

from spikenas.cells import OPS as TABLE
from spikenas.spaces.snasnet.genotype import OPS, SnasGenotype
from spikenas.viz.labels import LINE_H, Labels

NODE_NAMES = ("input", "node 1", "node 2", "output")


def snasnet_svg(g: SnasGenotype, title: str = "") -> str:
    gap, r, top = 170, 26, 190
    width = gap * 3 + 160
    xs = [80 + gap * i for i in range(4)]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="380" font-family="sans-serif" '
             f'font-size="12">',
             '<defs><marker id="a" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto">'
             '<path d="M0,0 L10,4 L0,8 z" fill="#333"/></marker></defs>']
    if title:
        parts.append(f'<text x="10" y="20" font-size="14">{escape(title)}</text>')
    labels = Labels()
    for i, j, code in g.forward_edges() + g.backward_edges():
        back = i > j
        x1, x2 = xs[i], xs[j]
        lift = 40 + 45 * abs(j - i)
        cy = top + lift if back else top - lift
        y0 = top + r if back else top - r
        colour = "#b5412b" if back else "#2b5fb5"
        dash = ' stroke-dasharray="6,4"' if back else ""
        parts.append(f'<path d="M{x1},{y0} Q{(x1 + x2) / 2},{cy} {x2},{y0}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"{dash} marker-end="url(#a)"/>')
        label = TABLE[OPS[code]].label + (" (t+1)" if back else "")
        ly = (y0 + cy) / 2 + (12 if back else -4)
        labels.place((x1 + x2) / 2, ly, label, colour, step=LINE_H if back else -LINE_H)
    parts += labels.svg()
    alive = set(g.alive())
    for n, x in enumerate(xs):
        fill = "#f4f4f4" if n in alive else "#ffffff"
        stroke = "#333" if n in alive else "#bbb"
        parts.append(f'<circle cx="{x}" cy="{top}" r="{r}" fill="{fill}" stroke="{stroke}" stroke-width="2"/>')
        parts.append(f'<text x="{x}" y="{top + 4}" text-anchor="middle">{NODE_NAMES[n]}</text>')
    parts.append(f'<text x="10" y="370" fill="#555">cell {g.code()}: forward edges above, feedback edges '
                 f'(delivered at t+1) dashed below</text></svg>')
    return "\n".join(parts)


def describe(g: SnasGenotype) -> str:
    lines = [f"SNASNet cell {g.code()} (hash {g.hash()})"]
    for i, j, code in g.forward_edges():
        lines.append(f"  forward  {i} -> {j}: {TABLE[OPS[code]].label}")
    for i, j, code in g.backward_edges():
        lines.append(f"  feedback {i} -> {j} (at t+1): {TABLE[OPS[code]].label}")
    if g.step_bn:
        lines.append("  batch norms in the cell: running statistics per timestep (tbn)" if g.backward_edges() else
                     "  tbn: per-timestep statistics asked for, unused (no feedback edge: all steps at once)")
    return "\n".join(lines)
