"""Plain-text and markdown tables for profiles: cell formatting, fitting, describe rows."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any

from ddtui.profile.models import ColumnProfile
from ddtui.terminal_text import safe_text

CELL_WIDTH = 14  # widest value cell before truncation (fits 1.23457e+06 and dates)
MARKDOWN_CELL_WIDTH = 80  # markdown tables wrap, but a 1 MB cell would still bury the report


def format_value(value: Any, limit: int | None = CELL_WIDTH) -> str:
    """A value as describe shows it: floats to 6 significant digits, blanks for None; text
    from data terminal-safe (controls shown as glyphs) and cut to `limit`."""
    if value is None:
        text = ""
    elif isinstance(value, int):  # bool too
        text = str(value)
    elif isinstance(value, float):
        text = "nan" if math.isnan(value) else f"{value:.6g}"
    elif isinstance(value, dt.datetime):
        # To the second, as people read timestamps; "Z" marks UTC.
        text = value.isoformat(sep=" ", timespec="seconds")
        text = text[:-6] + "Z" if text.endswith("+00:00") else text
        limit = None if limit is None else max(limit, len(text))
    elif isinstance(value, bytes | bytearray | memoryview):
        text = f"<{len(bytes(value))} bytes>"
    else:
        text = str(value)
    return truncate(text, limit)


def truncate(text: str, limit: int | None) -> str:
    """`text` terminal-safe and cut to `limit` characters with an ellipsis (see `safe_text`)."""
    return safe_text(text, limit)


def _pct(col: ColumnProfile) -> str:
    return f"{col.missing_pct:.1f}%"


# (label, value) in describe's order, with missing and distinct added after count.
DESCRIBE_METRICS: list[tuple[str, Callable[[ColumnProfile], Any]]] = [
    ("count", lambda c: c.count),
    ("missing", lambda c: c.missing),
    ("missing %", _pct),
    ("distinct", lambda c: c.distinct),
    ("top", lambda c: c.top if c.kind != "number" else None),
    ("freq", lambda c: c.freq if c.kind != "number" else None),
    ("mean", lambda c: c.mean),
    ("std", lambda c: c.std),
    ("min", lambda c: c.min),
    ("25%", lambda c: c.q25),
    ("50%", lambda c: c.q50),
    ("75%", lambda c: c.q75),
    ("max", lambda c: c.max),
]


def _metric_cells(columns: Sequence[ColumnProfile]) -> list[tuple[str, list[str]]]:
    """Formatted describe metrics; rows that are blank for every column are dropped."""
    rows = [(label, [format_value(get(c)) for c in columns]) for label, get in DESCRIBE_METRICS]
    return [(label, cells) for label, cells in rows if any(cells)]


def grid(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """Aligned text lines: a header, a rule, the rows."""
    widths = [
        max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)
    ]  # fmt: skip

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub markdown table (pipes in cells escaped)."""

    def esc(cell: str) -> str:
        return cell.replace("|", "\\|") or " "

    out = ["| " + " | ".join(esc(h) for h in headers) + " |"]
    out.append("|" + "|".join("---" for _ in headers) + "|")
    out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return out


def describe_table(columns: Sequence[ColumnProfile], width: int, markdown: bool) -> list[str]:
    """pandas' describe as metrics x columns, or columns x metrics when too wide to fit."""
    cells = _metric_cells(columns)
    names = [truncate(c.name, CELL_WIDTH) for c in columns]
    headers = ["", *names]
    rows = [[label, *values] for label, values in cells]
    right = [False] + [True] * len(columns)
    lines = markdown_table(headers, rows) if markdown else grid(headers, rows, right)
    if markdown and len(columns) <= 8:
        return lines
    if not markdown and max((len(line) for line in lines), default=0) <= width:
        return lines
    return _transposed(columns, cells, width, markdown)


def _transposed(
    columns: Sequence[ColumnProfile], cells: list[tuple[str, list[str]]], width: int, markdown: bool
) -> list[str]:
    """One row per column; in text, metrics wrap into as many blocks as the width needs."""
    names = [truncate(c.name, 24) for c in columns]
    kinds = [truncate(c.pandas_dtype or c.kind, 14) for c in columns]
    metrics = [(label, values) for label, values in cells if label != "missing"]

    def block(chosen: list[tuple[str, list[str]]], with_dtype: bool) -> list[str]:
        lead = ["column", "dtype"] if with_dtype else ["column"]
        headers = [*lead, *(label for label, _ in chosen)]
        rows = [
            [names[i], *([kinds[i]] if with_dtype else []), *(v[i] for _, v in chosen)]
            for i in range(len(columns))
        ]
        if markdown:
            return markdown_table(headers, rows)
        return grid(headers, rows, [False] * len(lead) + [True] * len(chosen))

    if markdown:
        return block(metrics, True)
    out: list[str] = []
    while metrics:
        first = not out
        taken = 1
        # Grow the block while it fits (one metric at least, however narrow the screen).
        while taken < len(metrics) and len(block(metrics[: taken + 1], first)[0]) <= width:
            taken += 1
        out += ([""] if out else []) + block(metrics[:taken], first)
        metrics = metrics[taken:]
    return [truncate(line, width) for line in out]


def rows_table(
    records: Sequence[dict[str, Any]], names: Sequence[str], width: int, markdown: bool
) -> list[str]:
    """Head or tail rows; in text, as many columns as fit, then a count of the rest."""
    limit = MARKDOWN_CELL_WIDTH if markdown else 16
    shown = list(names)
    while True:
        rows = [[format_value(r.get(n), limit) for n in shown] for r in records]
        headers = [truncate(n, limit) for n in shown]
        if markdown:
            return markdown_table(headers, rows)
        lines = grid(headers, rows, [False] * len(shown))
        if len(shown) <= 1 or max(len(line) for line in lines) <= width:
            break
        shown = shown[:-1]
    hidden = len(names) - len(shown)
    lines = [truncate(line, width) for line in lines]
    return lines + ([f"(+{hidden} more columns)"] if hidden else [])


def wrapped_grid(
    lead: Sequence[tuple[str, Sequence[str]]],
    metrics: Sequence[tuple[str, Sequence[str]]],
    width: int,
) -> list[str]:
    """Columns of cells as aligned text within `width`: the `lead` columns (left-aligned),
    then as many right-aligned `metrics` as fit; the rest wrap into further blocks that
    repeat only the first lead column (as describe's transposed table does)."""

    def block(chosen: Sequence[tuple[str, Sequence[str]]], first: bool) -> list[str]:
        keys = list(lead if first else lead[:1])
        headers = [label for label, _ in (*keys, *chosen)]
        rows = [list(cells) for cells in zip(*(v for _, v in (*keys, *chosen)), strict=True)]
        return grid(headers, rows, [False] * len(keys) + [True] * len(chosen))

    out: list[str] = []
    rest = list(metrics)
    while rest or not out:
        first = not out
        taken = min(1, len(rest))
        # Grow the block while it fits (one metric at least, however narrow the screen).
        while taken < len(rest) and len(block(rest[: taken + 1], first)[0]) <= width:
            taken += 1
        out += ([""] if out else []) + block(rest[:taken], first)
        rest = rest[taken:]
    return [truncate(line, width) for line in out]
