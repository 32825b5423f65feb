"""Charts drawn as text lines: labelled value bars, and histograms over a number or time axis.

Bars grow in eighths of a cell, and a count above zero always shows at least one eighth,
so no bin or value is ever hidden by rounding. Colour is one ANSI colour for the bars
(the terminal's or the theme's palette decides the shade), and none at all without it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ddtui.render.chart_choice import Bins, ValueBars, fold_bars, naive_utc
from ddtui.render.ticks import Tick, count_ticks, date_ticks, number_ticks
from ddtui.terminal_text import ELLIPSIS, safe_text

BAR_COLOR = "\x1b[36m"  # cyan, one of the 16 colours every terminal has
REST_COLOR = "\x1b[2m"  # dim: the "other" bar is not one value
RESET = "\x1b[0m"
_EIGHTHS_LEFT = " ▏▎▍▌▋▊▉█"  # horizontal bars grow to the right
_EIGHTHS_UP = " ▁▂▃▄▅▆▇█"  # vertical bars grow upwards


def middle_ellipsis(text: str, width: int) -> str:
    """`text` (already terminal-safe) in `width` characters, cut in the middle: long values
    that share a prefix (names, paths, ids) keep their distinct ends."""
    if len(text) <= width:
        return text
    if width <= 1:
        return text[:width]
    head = (width - 1 + 1) // 2
    tail = width - 1 - head
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")


def distinct_labels(labels: list[str], width: int) -> list[str]:
    """Each label in `width` characters, cut in the middle; where two different values
    would still read the same, the cut moves (more of the end, then more of the start),
    and as a last resort each such label starts with its rank (#1, #2...)."""
    if len(set(labels)) < len(labels) or width < 2:  # equal values, or no room: as they are
        return [middle_ellipsis(label, width) for label in labels]
    for head in [(width - 1 + 1) // 2, *range(1, width - 1)]:
        shown = [_cut(label, width, head) for label in labels]
        if len(set(shown)) == len(shown):
            return shown
    return [middle_ellipsis(f"#{i} {label}", width) for i, label in enumerate(labels, 1)]


def _cut(text: str, width: int, head: int) -> str:
    if len(text) <= width:
        return text
    tail = width - 1 - head
    return text[:head] + ELLIPSIS + (text[-tail:] if tail > 0 else "")


def _paint(text: str, color: str, enabled: bool) -> str:
    return f"{color}{text}{RESET}" if enabled and text.strip() else text


def _horizontal_bar(count: int, peak: int, width: int) -> str:
    eighths = round(8 * width * count / peak) if peak else 0
    eighths = max(eighths, 1 if count else 0)
    full, part = divmod(min(eighths, 8 * width), 8)
    return "█" * full + (_EIGHTHS_LEFT[part] if part else "")


def value_bar_lines(chart: ValueBars, width: int, rows: int, color: bool) -> list[str]:
    """One line per bar: `label │bar count (pct)`; more bars than rows fold into "other"."""
    bars = fold_bars(chart, rows)
    if not bars:
        return []
    labels = [safe_text(bar.label) for bar in bars]
    counts = [f"{bar.count:,}" for bar in bars]
    show_pct = width >= 48
    if show_pct:
        counts = [
            f"{c} {100 * b.count / chart.total:4.1f}%" if chart.total else c
            for c, b in zip(counts, bars, strict=True)
        ]
    count_width = max(map(len, counts))
    label_width = min(max(map(len, labels)), max(4, (width - count_width) * 2 // 5))
    bar_width = max(1, width - label_width - count_width - 3)
    peak = max(bar.count for bar in bars)
    lines = []
    for bar, shown, count in zip(bars, distinct_labels(labels, label_width), counts, strict=True):
        body = _horizontal_bar(bar.count, peak, bar_width).ljust(bar_width)
        painted = _paint(body, REST_COLOR if bar.rest else BAR_COLOR, color)
        lines.append(f"{shown:>{label_width}} │{painted} {count:>{count_width}}")
    return lines


def _columns_of(bins: Bins, plot_width: int) -> tuple[list[int], list[int], list[float]]:
    """Bins merged (neighbours summed) until each has a column: (counts, first column of
    each bin and one past the last, edges)."""
    counts, edges = list(bins.counts), list(bins.edges)
    group = max(1, math.ceil(len(counts) / max(plot_width, 1)))
    if group > 1:
        counts = [sum(counts[i : i + group]) for i in range(0, len(counts), group)]
        edges = [*edges[::group][: len(counts)], edges[-1]]
    low, high = edges[0], edges[-1]
    span = high - low or 1.0
    starts = [round((e - low) / span * plot_width) for e in edges]
    # every bin at least one column wide, in order
    for i in range(1, len(starts)):
        starts[i] = max(starts[i], starts[i - 1] + 1)
    overflow = starts[-1] - plot_width
    if overflow > 0:  # pushed past the right edge: pull back, keeping one column each
        for i in range(len(starts) - 1, 0, -1):
            starts[i] = min(starts[i], plot_width - (len(starts) - 1 - i))
    return counts, starts, edges


def _x_ticks(bins: Bins, plot_width: int) -> list[Tick]:
    """Round numbers or calendar dates under the axis, as many as their labels allow."""
    low, high = bins.edges[0], bins.edges[-1]
    for room in range(max(plot_width // 4, 2), 1, -1):
        if bins.dates:
            ticks, _unit = date_ticks(naive_utc(low), naive_utc(high), room)
        else:
            ticks = number_ticks(low, high, room)
        if ticks and _placed(ticks, low, high, plot_width) is not None:
            return ticks
    return []


def _tick_column(position: float, low: float, high: float, plot_width: int) -> int:
    span = high - low or 1.0
    return min(plot_width - 1, max(0, math.floor((position - low) / span * plot_width)))


def _placed(ticks: Sequence[Tick], low: float, high: float, plot_width: int) -> list[int] | None:
    """Where each label starts (centred on its tick), or None if two would come closer than
    two spaces."""
    starts, end = [], -3
    for tick in ticks:
        column = _tick_column(tick.position, low, high, plot_width)
        start = min(max(0, column - len(tick.label) // 2), plot_width - len(tick.label))
        if start < 0 or start <= end + 2:
            return None
        starts.append(start)
        end = start + len(tick.label) - 1
    return starts


def histogram_lines(bins: Bins, width: int, height: int, color: bool) -> list[str]:
    """A histogram in `height` lines: bars over an axis with round or calendar ticks, and
    count ticks on the left at evenly spaced rows."""
    rows = max(1, height - 2)  # the axis and its labels take two lines
    peak = max(bins.counts) if bins.counts else 0
    unit, ticks = _count_scale(peak, rows)
    label_width = max([len(t.label) for t in ticks] + [1])
    plot_width = max(4, width - label_width - 1)
    counts, starts, _edges = _columns_of(bins, plot_width)
    heights = [0] * plot_width  # in eighths of a row
    for count, first, last in zip(counts, starts, starts[1:], strict=False):
        eighths = max(round(8 * count / unit), 1 if count else 0)
        for column in range(first, min(last, plot_width)):
            heights[column] = min(eighths, 8 * rows)
    labels = {t.position: t.label for t in ticks}
    lines = []
    for row in range(rows - 1, -1, -1):
        cells = "".join(_EIGHTHS_UP[min(8, max(0, h - 8 * row))] for h in heights)
        label = labels.get(row, "")
        mark = "┤" if label else "│"
        lines.append(f"{label:>{label_width}}{mark}{_paint(cells, BAR_COLOR, color)}")
    x_ticks = _x_ticks(bins, plot_width)
    low, high = bins.edges[0], bins.edges[-1]
    axis = ["─"] * plot_width
    for tick in x_ticks:
        axis[_tick_column(tick.position, low, high, plot_width)] = "┬"
    lines.append(f"{'0':>{label_width}}└{''.join(axis)}")
    under = [" "] * plot_width
    for tick, start in zip(x_ticks, _placed(x_ticks, low, high, plot_width) or [], strict=False):
        under[start : start + len(tick.label)] = tick.label
    lines.append(" " * (label_width + 1) + "".join(under).rstrip())
    return lines


def _count_scale(peak: int, rows: int) -> tuple[float, list[Tick]]:
    """Counts per row and the y ticks (position = the row whose top the tick labels)."""
    top, ticks = count_ticks(peak, rows + 1)  # the axis line is the "0" row
    unit = top / rows if rows else 1.0
    return unit, [Tick(t.position - 1, t.label) for t in ticks if t.position > 0]
