"""One column in full, as text: every statistic, its top values, its quantiles, and how
its missing share, distinct count and mean moved over the recorded runs.

No Textual here: the TUI's column view lays these out, and tests read them as text.
Values from data are made terminal-safe by `format_value` (ddtui.terminal_text).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ddtui.profile.models import ColumnProfile, TableProfile
from ddtui.render.chart_text import middle_ellipsis
from ddtui.render.tables import format_value

TOP_ROWS = 20
_SPARKS = "▁▂▃▄▅▆▇█"
VALUE_WIDTH = 48  # a value longer than this is cut in the top values list


def statistics(col: ColumnProfile) -> list[tuple[str, str]]:
    """(label, value) of every statistic the profile holds for `col`, blanks left out."""
    rows: list[tuple[str, Any]] = [
        ("kind", col.kind),
        ("database type", col.db_type),
        ("pandas dtype", col.pandas_dtype),
        ("count", f"{col.count:,}"),
        ("missing", f"{col.missing:,} ({col.missing_pct:.1f}%)"),
        ("distinct", f"{col.distinct:,}" if col.distinct is not None else "not counted"),
        ("mean", col.mean),
        ("std", col.std),
        ("min", col.min),
        ("25%", col.q25),
        ("50%", col.q50),
        ("75%", col.q75),
        ("max", col.max),
        ("zeros", col.zeros),
        ("negatives", col.negatives),
        ("infinities", col.infinities),
        ("top", col.top if col.kind != "number" else None),
        ("freq", col.freq if col.kind != "number" else None),
        ("true", col.true_count),
        ("false", col.false_count),
    ]
    if col.min_length is not None and col.mean_length is not None:
        unit = "bytes" if col.kind == "binary" else "chars"
        lengths = f"{col.min_length} / {col.mean_length:.1f} / {col.max_length} {unit}"
        rows.append(("length min/mean/max", lengths))
    shown = [(label, format_value(value, VALUE_WIDTH)) for label, value in rows]
    return [(label, text) for label, text in shown if text]


@dataclass(frozen=True)
class ValueRow:
    value: str  # terminal-safe, cut in the middle to VALUE_WIDTH (long values keep both ends)
    count: int
    percent: float  # of the non-missing values


def top_rows(col: ColumnProfile, limit: int = TOP_ROWS) -> list[ValueRow]:
    """The most frequent values with count and share: every value of a few-valued number
    column (most frequent first), else the profile's top values."""
    pairs = col.value_counts or col.top_values
    if col.kind == "boolean" and col.true_count is not None and col.false_count is not None:
        pairs = [(True, col.true_count), (False, col.false_count)]
    ordered = sorted(pairs, key=lambda vn: -vn[1])[:limit]  # stable: ties keep their order
    total = col.count or 1
    return [
        ValueRow(
            middle_ellipsis(format_value(value, None), VALUE_WIDTH) or "''",
            count,
            100 * count / total,
        )
        for value, count in ordered
    ]


def quantiles(col: ColumnProfile) -> list[tuple[str, str]]:
    """min, 25%, 50%, 75%, max (numbers and datetimes), formatted as describe shows them."""
    if col.kind not in {"number", "datetime"} or not col.count:
        return []
    points = [("min", col.min), ("25%", col.q25), ("50%", col.q50)]
    points += [("75%", col.q75), ("max", col.max)]
    return [(label, format_value(value)) for label, value in points]


@dataclass(frozen=True)
class Trend:
    label: str
    values: list[float | None]  # oldest run first; None where the run lacks the column
    last: str  # the newest value, formatted


def trends(profiles: Sequence[TableProfile], name: str) -> list[Trend]:
    """Missing %, distinct and (numbers) mean of column `name` over `profiles` (oldest
    first), as far as each profile has the column."""
    columns = [p.column(name) for p in profiles]
    series: list[tuple[str, list[float | None]]] = [
        ("missing %", [c.missing_pct if c else None for c in columns]),
        (
            "distinct",
            [float(c.distinct) if c and c.distinct is not None else None for c in columns],
        ),
    ]
    if any(c is not None and c.kind == "number" for c in columns):
        series.append(("mean", [_finite(c.mean) if c else None for c in columns]))
    result = []
    for label, values in series:
        present = [v for v in values if v is not None]
        if present:
            last = f"{present[-1]:.1f}" if label == "missing %" else format_value(present[-1])
            result.append(Trend(label, values, last))
    return result


def _finite(value: Any) -> float | None:
    number = float(value) if isinstance(value, int | float) else None
    return number if number is not None and math.isfinite(number) else None


def sparkline(values: Sequence[float | None]) -> str:
    """One block per value, its height the value's place between the lowest and highest;
    a gap where a value is missing, and the middle block for a flat series."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    top = len(_SPARKS) - 1
    blocks = []
    for value in values:
        if value is None:
            blocks.append(" ")
        elif high == low:
            blocks.append(_SPARKS[top // 2])
        else:
            blocks.append(_SPARKS[round((value - low) / (high - low) * top)])
    return "".join(blocks)
