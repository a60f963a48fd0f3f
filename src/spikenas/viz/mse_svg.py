"""An MSE-NAS genotype drawn as SVG: the network level first (stem and cells in a row, what each reads, its
width and resolution), then one row per cell: what the cell reads, whether it reduces, and each
motif as its nodes in a row, same-step edges as arcs above, feedback (t+1) edges dashed below, each edge
labelled with its operation and sign (E excitatory, I inhibitory)."""

from __future__ import annotations

from html import escape

from spikenas.spaces.mse.genotype import MseGenotype
from spikenas.viz.labels import LINE_H, Labels

SHORT = {"identity": "id", "conv3x3": "c3", "conv5x5": "c5"}
MOTIF_W, ROW_H, NODE_GAP, R = 300, 210, 70, 14


def _edge_label(e) -> str:
    return SHORT[e.op] + (f" {e.sign}" if e.sign else "")


def _reads(cell) -> str:
    return ", ".join("stem" if k == 0 else f"cell {k - 1}" for k in cell.reads)


def macro_height(cells) -> int:
    return 24 + 14 + 12 * len(cells) + 16 + 60


READOUT_WORDS = {"flat": "the classifier reads the last cell's spikes at every position",
                 "pool": "the classifier reads the global average of the last cell's spikes"}


def _macro(cells, width: int, top: int, readout: str) -> list[str]:
    """The network level: the stem and the cells in a row, each box with its width (C doubles where the
    resolution halves) and resolution; an arc from every cell (or the stem) a cell reads."""
    n = len(cells) + 1
    gap = min(150, (width - 80) / n)
    xs = [40 + gap * k + gap / 2 for k in range(n)]
    mid = top + 24 + 14 + 12 * len(cells) + 16  # room above the boxes for the longest arc
    out, level = [f'<text x="12" y="{top + 14}" font-size="12">network: what each cell reads, its width and '
                  f'resolution</text>'], 0
    labels = ["stem", *[f"cell {c}" for c in range(len(cells))]]
    sizes = ["C, 1"]
    for cell in cells:
        level += cell.reduce
        sizes.append(f"{'C' if level == 0 else f'{2 ** level}C'}, 1/{2 ** level}" if level else "C, 1")
    for c, cell in enumerate(cells, start=1):
        for k in cell.reads:
            x1, x2 = xs[k], xs[c]
            lift = 14 + 12 * (c - k)
            out.append(f'<path d="M{x1},{mid - 16} Q{(x1 + x2) / 2},{mid - 16 - 2 * lift} {x2},{mid - 16}" '
                       f'fill="none" stroke="{"#2b5fb5" if c - k == 1 else "#6b3fb5"}" stroke-width="1.6" '
                       f'marker-end="url(#a)"/>')
    for k, x in enumerate(xs):
        reduce = k > 0 and cells[k - 1].reduce
        out.append(f'<rect x="{x - 38}" y="{mid - 16}" width="76" height="32" rx="5" fill="'
                   f'{"#fde9d9" if reduce else "#f4f4f4"}" stroke="#333"/>')
        out.append(f'<text x="{x}" y="{mid - 3}" text-anchor="middle">{labels[k]}</text>')
        out.append(f'<text x="{x}" y="{mid + 11}" text-anchor="middle" fill="#555">{sizes[k]}</text>')
    out.append(f'<text x="12" y="{mid + 36}" fill="#555">width C scaled to the input; resolution as a fraction '
               f'of the input\'s; shaded: the cell halves the resolution first; violet: a read that skips cells'
               f'</text>')
    out.append(f'<text x="12" y="{mid + 50}" fill="#555">readout ({readout}): {READOUT_WORDS[readout]}</text>')
    return out


def mse_svg(g: MseGenotype, title: str = "") -> str:
    cells = g.structure
    width = max(170 + MOTIF_W * g.motifs, 120 + 150 * (len(cells) + 1))
    head = macro_height(cells)
    height = 50 + head + ROW_H * len(cells) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             f'font-size="11">',
             '<defs><marker id="a" markerWidth="8" markerHeight="6" refX="7" refY="3" orient="auto">'
             '<path d="M0,0 L8,3 L0,6 z" fill="#333"/></marker></defs>']
    if title:
        parts.append(f'<text x="10" y="20" font-size="13">{escape(title)}</text>')
    parts += _macro(cells, width, 30, g.readout)
    for c, cell in enumerate(cells):
        top = 50 + head + ROW_H * c
        mid = top + ROW_H / 2
        parts.append(f'<rect x="5" y="{top}" width="{width - 10}" height="{ROW_H - 10}" fill="none" stroke="#ccc"/>')
        parts.append(f'<text x="12" y="{top + 18}" font-size="12">cell {c}</text>')
        parts.append(f'<text x="12" y="{top + 34}">reads {escape(_reads(cell))}</text>')
        if cell.reduce:
            parts.append(f'<text x="12" y="{top + 50}">halves resolution</text>')
        labels = Labels()
        for m, motif in enumerate(cell.motifs):
            x0 = 170 + MOTIF_W * m
            src = "cell input" if motif.source == 0 else f"motif {motif.source - 1}"
            out = " (cell output)" if m in cell.outputs else ""
            parts.append(f'<text x="{x0}" y="{top + 18}">motif {m}: {escape(motif.template)}{out}</text>')
            parts.append(f'<text x="{x0}" y="{top + 32}" fill="#555">reads {src}</text>')
            xs = [x0 + 20 + NODE_GAP * n for n in range(motif.nodes)]
            for e in motif.edges:
                x1, x2 = xs[e.src], xs[e.dst]
                lift = 18 + 16 * abs(e.dst - e.src)
                y0 = mid + R if e.delay else mid - R
                cy = y0 + lift if e.delay else y0 - lift
                colour = "#b5412b" if e.sign == "I" else "#2b5fb5" if e.sign == "E" else "#333"
                dash = ' stroke-dasharray="5,3"' if e.delay else ""
                parts.append(f'<path d="M{x1},{y0} Q{(x1 + x2) / 2},{cy} {x2},{y0}" fill="none" stroke="{colour}" '
                             f'stroke-width="1.6"{dash} marker-end="url(#a)"/>')
                ly = (y0 + cy) / 2 + (10 if e.delay else -2)
                labels.place((x1 + x2) / 2, ly, _edge_label(e), colour, size=11,
                             step=LINE_H if e.delay else -LINE_H)
            used = {0, motif.nodes - 1} | {n for e in motif.edges for n in (e.src, e.dst)}
            for n, x in enumerate(xs):
                stroke = "#333" if n in used else "#ccc"
                parts.append(f'<circle cx="{x}" cy="{mid}" r="{R}" fill="#f4f4f4" stroke="{stroke}"/>')
                parts.append(f'<text x="{x}" y="{mid + 4}" text-anchor="middle">{n}</text>')
        parts += labels.svg()
    parts.append(f'<text x="10" y="{height - 10}" fill="#555">blue excitatory, red inhibitory, black identity; '
                 'dashed: feedback delivered at t+1; node 0 is what the motif reads, the last node its output'
                 '</text></svg>')
    return "\n".join(parts)


def describe_mse(g: MseGenotype) -> str:
    lines = [f"MSE-NAS network, {g.cells} cells of {g.motifs} motifs (hash {g.hash()})"]
    for c, cell in enumerate(g.structure):
        lines.append(f"cell {c}: reads {_reads(cell)}{', halves the resolution first' if cell.reduce else ''}; "
                     f"output = sum of motif {', '.join(map(str, cell.outputs))}")
        for m, motif in enumerate(cell.motifs):
            src = "the cell input" if motif.source == 0 else f"motif {motif.source - 1}"
            edges = ", ".join(f"{e.src}->{e.dst} {_edge_label(e)}{' (t+1)' if e.delay else ''}" for e in motif.edges)
            lines.append(f"  motif {m}: {motif.template} on {src}: {edges}")
    lines.append(f"readout ({g.readout}): {READOUT_WORDS[g.readout]}")
    return "\n".join(lines)
