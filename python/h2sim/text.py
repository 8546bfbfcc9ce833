"""Plain-text numbers and tables, as the command line and the summaries of results print
them (``h2sim run``, ``h2sim compare``, a calibration's ``summary()``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def format_number(value: Any) -> str:
    if value is None:
        return "-"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "-"
    if v == 0:
        return "0"
    if abs(v) >= 1e7 or abs(v) < 1e-3:
        return f"{v:.4g}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def format_time(t: float) -> str:
    return f"{t:g}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1,
          subheader: Sequence[str] | None = None) -> str:
    """A plain text table; the first `left` columns are left-aligned, the rest right-aligned.
    `subheader` is a second heading line (units)."""
    heads = [list(header)] + ([list(subheader)] if subheader else [])
    widths = [0] * len(header)
    for row in [*heads, *rows]:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]

    def line(cells: Sequence[str]) -> str:
        out = [c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([*(line(h) for h in heads), rule, *(line(r) for r in rows)])
