"""Edge labels of cell drawings that stay readable: each label gets a white halo and is drawn after every
arc (`svg()`, so arcs crossing it pass under it), and is moved away from the labels already placed until
their boxes no longer overlap."""

from __future__ import annotations

from html import escape

CHAR_W, LINE_H = 6.6, 13.0  # approximate box of one character of a 11-12 px sans-serif font


class Labels:
    def __init__(self) -> None:
        self.boxes: list[tuple[float, float, float, float]] = []
        self.texts: list[str] = []

    def place(self, x: float, y: float, text: str, colour: str, size: int = 12, step: float = -LINE_H) -> None:
        """A label centred at x with its baseline near y, shifted by `step` until it overlaps no label
        placed before (at most 12 shifts)."""
        w = CHAR_W * len(text) * size / 12
        for _ in range(12):
            box = (x - w / 2 - 2, y - LINE_H, x + w / 2 + 2, y + 3)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in self.boxes):
                break
            y += step
        self.boxes.append(box)
        self.texts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" fill="{colour}" font-size="{size}" '
                          f'stroke="white" stroke-width="4" paint-order="stroke">{escape(text)}</text>')

    def svg(self) -> list[str]:
        """Every label placed, to be drawn after the arcs."""
        return self.texts
