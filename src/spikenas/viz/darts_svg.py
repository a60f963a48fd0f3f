"""A DARTS genotype described in words and drawn as SVG: the normal and the reduction cell, one row each,
the two inputs and the intermediate nodes in a row, each kept edge an arc labelled with its op, and the
nodes concatenated into the output."""

from __future__ import annotations

from html import escape

from spikenas.cells import OPS
from spikenas.spaces.darts.genotype import DartsGenotype
from spikenas.viz.labels import Labels

COLOURS = {"skip": "#555", "lif_conv3x3_bn": "#2b5fb5", "lif_conv5x5_bn": "#1b3f85", "lif_dilconv3x3_bn": "#6b3fb5",
           "avgpool3x3": "#2b8a3e", "maxpool3x3": "#b5412b"}


R = 24  # node radius


def _lift(k: int, src: int, dst: int) -> int:
    """How far above the nodes edge k's arc peaks: by its span, the two inputs of a node staggered."""
    return 10 + 56 * (dst - src) + 16 * (k % 2)


def _cell(pairs, reduction: bool, nodes: int, y: int, gap: int) -> list[str]:
    names = ["c(k-2)", "c(k-1)"] + [f"node {i}" for i in range(nodes)] + ["output"]
    xs = [70 + gap * i for i in range(len(names))]
    out, labels = [], Labels()
    for k, (op, src) in enumerate(pairs):
        dst = 2 + k // 2
        x1, x2 = xs[src], xs[dst]
        cy = y - R - _lift(k, src, dst)
        colour = COLOURS.get(op, "#333")
        out.append(f'<path d="M{x1},{y - R} Q{(x1 + x2) / 2},{cy} {x2},{y - R}" fill="none" stroke="{colour}" '
                   f'stroke-width="2" marker-end="url(#a)"/>')
        label = OPS[op].label + (" /2" if reduction and src < 2 else "")
        labels.place((x1 + x2) / 2, (y - R + cy) / 2 - 2, label, colour, size=11)
    for i in range(nodes):  # concatenated into the output
        out.append(f'<path d="M{xs[2 + i]},{y + R} Q{(xs[2 + i] + xs[-1]) / 2},{y + R + 26 + 6 * (nodes - i)} '
                   f'{xs[-1]},{y + R}" fill="none" stroke="#aaa" stroke-dasharray="4,3" marker-end="url(#a)"/>')
    for name, x in zip(names, xs, strict=True):
        out.append(f'<circle cx="{x}" cy="{y}" r="{R}" fill="#f4f4f4" stroke="#333" stroke-width="2"/>')
        out.append(f'<text x="{x}" y="{y + 4}" text-anchor="middle" font-size="11">{escape(name)}</text>')
    return out + labels.svg()


def darts_svg(g: DartsGenotype, title: str = "") -> str:
    """Each cell's row as tall as its highest arc (and room for labels moved up to clear each other)."""
    gap = 120
    width = 140 + gap * (g.nodes + 2)
    rows, top = [], 40
    for pairs, red in ((g.normal, False), (g.reduce, True)):
        above = R + max((_lift(k, src, 2 + k // 2) for k, (_, src) in enumerate(pairs)), default=0) // 2 + 60
        y = top + 30 + above
        rows.append((pairs, red, top, y))
        top = y + R + 26 + 6 * g.nodes + 20
    height = top + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             f'font-size="12">',
             '<defs><marker id="a" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto">'
             '<path d="M0,0 L10,4 L0,8 z" fill="#333"/></marker></defs>']
    if title:
        parts.append(f'<text x="10" y="20" font-size="14">{escape(title)}</text>')
    for pairs, red, row_top, y in rows:
        parts.append(f'<text x="10" y="{row_top + 20}" font-size="13">'
                     f'{"reduction cell (edges from its inputs halve the resolution: /2)" if red else "normal cell"}'
                     f'</text>')
        parts += _cell(pairs, red, g.nodes, y, gap)
    attention = ", ".join(g.attention) or "none"
    parts.append(f'<text x="10" y="{height - 10}" fill="#555">{g.layers} cells, reducing at '
                 f'{", ".join(map(str, g.reduce_at)) or "none"}; attention on cell outputs: {escape(attention)}; '
                 f'dashed: nodes concatenated into the output</text></svg>')
    return "\n".join(parts)


def describe_darts(g: DartsGenotype) -> str:
    lines = [f"DARTS genotype {g.code()} (hash {g.hash()})",
             f"  {g.layers} cells, reducing at {', '.join(map(str, g.reduce_at)) or 'none'}; attention: "
             f"{', '.join(g.attention) or 'none'}"]
    for name, pairs in (("normal", g.normal), ("reduction", g.reduce)):
        lines.append(f"  {name} cell:")
        for k, (op, src) in enumerate(pairs):
            where = "c(k-2)" if src == 0 else "c(k-1)" if src == 1 else f"node {src - 2}"
            lines.append(f"    node {k // 2} <- {where}: {OPS[op].label}")
    return "\n".join(lines)
