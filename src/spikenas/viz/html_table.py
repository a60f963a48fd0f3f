"""An HTML table of plain cells, escaped: the report's one way to lay out rows."""

from __future__ import annotations

from html import escape


def table(rows: list[list], header: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"
