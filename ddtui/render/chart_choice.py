"""Which chart fits a column: one bar per value, bins over a number or time axis, or none.

The TUI and `ddtui describe` both draw what `choose_chart` picks, so a column looks the
same everywhere. No Textual, Rich or plotext here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from ddtui.profile.models import FEW_VALUES, ColumnProfile
from ddtui.render.tables import format_value
from ddtui.render.ticks import posix_seconds

__all__ = ["FEW_VALUES", "Bar", "Bins", "Chart", "NoChart", "ValueBars", "choose_chart"]


@dataclass(frozen=True)
class Bar:
    label: str  # raw text from data: made terminal-safe where it is drawn
    count: int
    values: int = 1  # how many values the bar stands for
    rest: bool = False  # the "other (N values)" bar


@dataclass(frozen=True)
class ValueBars:
    """One bar per value: numbers in their order, text by frequency, then the rest."""

    bars: list[Bar]
    total: int  # non-missing values, for percentages
    by_frequency: bool


@dataclass(frozen=True)
class Bins:
    """A histogram: `counts[i]` values in [edges[i], edges[i+1]) (the last bin closed)."""

    edges: list[float]  # numbers, or POSIX seconds for datetimes
    counts: list[int]
    dates: bool


@dataclass(frozen=True)
class NoChart:
    reason: str  # raw: may quote the column name


Chart = ValueBars | Bins | NoChart


def choose_chart(col: ColumnProfile) -> Chart:
    """The chart that fits `col` (see the module docstring)."""
    if col.kind == "binary":
        return NoChart(f"{col.name}: binary column, not charted ({col.count} values)")
    if not col.count:
        return NoChart(f"{col.name}: nothing to chart ({col.count} values)")
    if col.kind == "boolean" and col.true_count is not None and col.false_count is not None:
        return ValueBars(
            [Bar("False", col.false_count), Bar("True", col.true_count)], col.count, False
        )
    if col.value_counts:
        bars = [Bar(format_value(value, None), count) for value, count in col.value_counts]
        return ValueBars(bars, col.count, by_frequency=False)
    if col.histogram is not None and col.histogram.counts:
        edges = _axis_edges(col.histogram.edges, col.kind)
        if edges is not None:
            return Bins(edges, list(col.histogram.counts), dates=col.kind == "datetime")
    if col.top_values:
        return _frequency_bars(col)
    return NoChart(f"{col.name}: nothing to chart ({col.count} values)")


def _frequency_bars(col: ColumnProfile) -> ValueBars:
    bars = [Bar(format_value(value, None) or "''", count) for value, count in col.top_values]
    shown = sum(count for _, count in col.top_values)
    others = (col.distinct or 0) - len(col.top_values)
    if others > 0 and col.count > shown:
        bars.append(Bar(other_label(others), col.count - shown, others, rest=True))
    return ValueBars(bars, col.count, by_frequency=True)


def other_label(values: int) -> str:
    return f"other ({values:,} value{'s' if values != 1 else ''})"


def fold_bars(chart: ValueBars, room: int) -> list[Bar]:
    """At most `room` bars: the first ones, then one bar for the rest (its count kept)."""
    if len(chart.bars) <= room:
        return chart.bars
    if room < 2:
        return chart.bars[: max(room, 0)]
    kept = chart.bars[: room - 1]
    folded = chart.bars[room - 1 :]
    values = sum(b.values for b in folded)
    return [*kept, Bar(other_label(values), sum(b.count for b in folded), values, rest=True)]


def _axis_edges(edges: list[Any], kind: str) -> list[float] | None:
    """Bin edges as positions on the axis: numbers, or POSIX seconds for datetimes."""
    try:
        if kind == "datetime":
            positions = [posix_seconds(_as_datetime(e)) for e in edges]
        else:
            positions = [float(e) for e in edges]
    except (TypeError, ValueError, OverflowError):
        return None
    if len(positions) < 2 or not all(math.isfinite(p) for p in positions):
        return None
    return positions


def _as_datetime(edge: Any) -> dt.datetime:
    moment = edge if isinstance(edge, dt.datetime) else dt.datetime.fromisoformat(str(edge))
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def naive_utc(seconds: float) -> dt.datetime:
    """POSIX seconds as a naive UTC datetime (the axis' own time zone)."""
    return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=seconds)
