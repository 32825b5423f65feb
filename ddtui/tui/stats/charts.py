"""One column's chart as Rich text: the shared plotext renderer, or plain bars without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ddtui.tui.format import data_text, format_count, format_number, shorten

if TYPE_CHECKING:  # ddtui.profile loads numpy: only when a profile is computed
    from ddtui.profile.models import ColumnProfile


def chart_text(col: ColumnProfile, width: int, height: int, color: bool = True) -> Text:
    """The chart `ddtui describe` prints too (ddtui.render.profile), sized to the widget."""
    if width < 12 or height < 3:
        return data_text(col.name, limit=max(width, 1))
    try:
        from ddtui.render.profile import render_column_chart
    except ImportError:
        return text_bars(col, width, height)
    return Text.from_ansi(render_column_chart(col, width, height, color), no_wrap=True)


def text_bars(col: ColumnProfile, width: int, height: int) -> Text:
    """Horizontal bars of the histogram bins or the top values (no plotext needed)."""
    rows: list[tuple[str, int]] = []
    if col.histogram is not None and col.histogram.counts:
        edges = col.histogram.edges
        rows = [(format_number(edges[i], 4), count) for i, count in enumerate(col.histogram.counts)]
    elif col.top_values:
        rows = [(shorten(str(value), 12), count) for value, count in col.top_values]
    text = data_text(col.name, "bold", limit=max(width, 1))
    if not rows:
        text.append("\n(nothing to chart)", style="dim")
        return text
    rows = _fit(rows, height - 1)
    label_width = min(12, max(len(label) for label, _ in rows))
    count_width = max(len(format_count(c)) for _, c in rows)
    bar_width = max(1, width - label_width - count_width - 3)
    peak = max(count for _, count in rows) or 1
    for label, count in rows:
        bar = "█" * max(0, round(bar_width * count / peak))
        text.append(f"\n{label[:label_width]:>{label_width}} ", style="dim")
        text.append(bar.ljust(bar_width), style="cyan")
        text.append(f" {format_count(count):>{count_width}}")
    return text


def _fit(rows: list[tuple[str, int]], lines: int) -> list[tuple[str, int]]:
    """At most `lines` bars: merge neighbouring bins (histograms keep their total)."""
    if len(rows) <= lines or lines < 1:
        return rows
    step = -(-len(rows) // lines)
    return [
        (rows[i][0], sum(count for _, count in rows[i : i + step]))
        for i in range(0, len(rows), step)
    ]
