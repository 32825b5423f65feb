"""A drift report as text or markdown: header, schema changes, per-column table, charts.

No Textual here. plotext is imported only inside `render_drift_chart`, and only its figure
objects are used (never plotext's global figure), so the TUI can draw from any thread.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from ddtui.drift.report import NUMERIC_KINDS, ColumnDrift, Delta, DriftReport, RunSide
from ddtui.render.plot import build_text, new_figure
from ddtui.render.tables import (
    CELL_WIDTH,
    MARKDOWN_CELL_WIDTH,
    markdown_table,
    truncate,
    wrapped_grid,
)
from ddtui.terminal_text import safe_text

DriftFormat = Literal["text", "markdown"]

CHART_HEIGHT = 14  # lines per overlaid histogram
MAX_CHARTS = 20  # charts only for drifted or watched columns, and at most this many
BASELINE_MARKER = "░"  # light shade: the baseline shows through where the current bar is lower
CURRENT_MARKER = "█"
BULLET_LIMIT = 1_000  # a markdown list item quoting a huge column name or value is cut

_VERDICT_STYLE = {"ok": "\x1b[1;32m", "watch": "\x1b[1;33m", "drift": "\x1b[1;31m"}
_RESET = "\x1b[0m"
_COLUMN_METRICS = ("missing_pct", "distinct", "mean", "std", "q25", "q50", "q75")
_METRIC_LABELS = {
    "missing_pct": "Δmissing %",
    "distinct": "Δdistinct",
    "mean": "Δmean",
    "std": "Δstd",
    "q25": "Δq25",
    "q50": "Δq50",
    "q75": "Δq75",
}


def render_drift(
    report: DriftReport, *, width: int, color: bool, fmt: DriftFormat, max_charts: int = MAX_CHARTS
) -> str:
    """The whole comparison: header, schema changes, column table, health, reasons, charts."""
    markdown = fmt == "markdown"
    color = color and not markdown
    width = max(width, 20)
    out = _header(report, width, color, markdown)
    if report.schema_changes:
        out += _section("schema changes", markdown)
        out += [_bullet(_schema_line(c), width, markdown) for c in report.schema_changes]
    if report.columns:
        out += _section("columns", markdown)
        out += _column_table(report.columns, width, markdown)
    if report.health:
        out += _section("health", markdown)
        for flag in report.health:
            where = f"{flag.column}: " if flag.column else ""
            out.append(_bullet(f"{flag.flag} — {where}{flag.message}", width, markdown))
    explained = [c for c in report.columns if c.reasons]
    if explained:
        out += _section("reasons", markdown)
        for col in explained:
            line = f"{col.name} ({col.verdict}): {'; '.join(col.reasons)}"
            out.append(_bullet(line, width, markdown))
    if report.notes:
        out += _section("notes", markdown)
        out += [_bullet(note, width, markdown) for note in report.notes]
    charted = [c for c in report.columns if c.verdict != "ok" and c.histogram is not None]
    for col in charted[:max_charts]:
        out += ["", f"### {truncate(col.name, width)}", ""] if markdown else [""]
        chart = render_drift_chart(col, width, CHART_HEIGHT, color)
        out += ["```", chart, "```"] if markdown else [chart]
    if len(charted) > max_charts:
        out += ["", f"(charts for the first {max_charts} of {len(charted)} changed columns)"]
    return "\n".join(out).rstrip() + "\n"


def render_drift_chart(column_drift: ColumnDrift, width: int, height: int, color: bool) -> str:
    """Both runs' histograms of one column overlaid (shares of values, in %), `height` lines.

    The baseline is drawn as wide light bars, the current run as narrower solid bars on top,
    so the two stay apart without colour. Columns without a histogram get a one-line note.
    """
    hist = column_drift.histogram
    if hist is None or not hist.baseline_counts:
        return truncate(_no_chart_note(column_drift), width)
    # plotext drops a title that does not fit in the width less 4 columns.
    title = truncate(_chart_title(column_drift), max(width - 4, 1))
    fig = new_figure(max(width, 20), max(height, 6), color=color, title=title)
    positions = list(range(len(hist.baseline_counts)))
    baseline = [100 * share for share in hist.baseline_shares]
    current = [100 * share for share in hist.current_shares]
    fig.bar(positions, baseline, width=1.0, marker=BASELINE_MARKER, label="baseline")
    fig.bar(positions, current, width=0.5, marker=CURRENT_MARKER, label="current")
    labels = _edge_labels(hist.edges, column_drift.kind)
    room = max(2, width // (max(len(label) for label in labels) + 2))
    step = max(1, -(-len(labels) // room))
    fig.xticks([i - 0.5 for i in range(0, len(labels), step)], labels[::step])
    return build_text(fig, color=color)


# Header --------------------------------------------------------------------------------


def _header(report: DriftReport, width: int, color: bool, markdown: bool) -> list[str]:
    verdict = report.verdict.upper()
    if color:
        verdict = f"{_VERDICT_STYLE[report.verdict]}{verdict}{_RESET}"
    badge = f" · badge {report.badge}" if report.badge else ""
    title = f"drift: {verdict}{badge} · rows {_rows_change(report.rows)}"
    sides = [("baseline", report.baseline), ("current", report.current)]
    if markdown:
        out = [f"## {title}", ""]
        rows = [[name, *_side_cells(side)] for name, side in sides]
        return out + markdown_table(["", "table", "rows", "profile", "run"], rows)
    cells = [[name, *_side_cells(side)] for name, side in sides]
    widths = [max(len(row[i]) for row in cells) for i in range(3)]
    lines = [title]
    for row in cells:
        lead = "  ".join(cell.rjust(w) if i == 2 else cell.ljust(w) for i, (cell, w) in enumerate(
            zip(row, widths, strict=False)
        ))  # fmt: skip
        lines.append(truncate(f"  {lead}  {row[3]}", width))
        if row[4]:
            lines.append(truncate(f"  {'':{widths[0]}}  {row[4]}", width))
    return lines


def _side_cells(side: RunSide) -> list[str]:
    extent = "exact" if side.exact else "sample"
    source: str = side.source or "live"
    if side.source == "history" and side.recorded_at is not None:
        source = f"history, recorded {side.recorded_at.strftime('%Y-%m-%d %H:%M')}"
    samples = "with samples" if side.has_samples else "no samples (no KS)"
    return [
        truncate(side.table, MARKDOWN_CELL_WIDTH),
        f"{side.row_count:,} rows",
        f"{extent} · {source} · {samples}",
        f"run {truncate(side.run_id, MARKDOWN_CELL_WIDTH)}" if side.run_id else "",
    ]


def _rows_change(rows: Delta) -> str:
    change = rows.change
    text = f"{_thousands(rows.baseline)} → {_thousands(rows.current)}"
    if change is None:
        return text
    relative = f", {100 * rows.relative:+.1f}%" if rows.relative is not None else ""
    return f"{text} ({int(change):+,}{relative})"


def _thousands(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


# Sections ------------------------------------------------------------------------------


def _section(title: str, markdown: bool) -> list[str]:
    return ["", f"### {title}", ""] if markdown else ["", f"{title}:"]


def _bullet(text: str, width: int, markdown: bool) -> str:
    """A list item; its text (names, values, messages quoting them) made terminal-safe."""
    return f"- {safe_text(text, BULLET_LIMIT)}" if markdown else truncate(f"  {text}", width)


def _schema_line(change: Any) -> str:
    if change.change == "added":
        return f"{change.column}: added ({change.current_type})"
    if change.change == "dropped":
        return f"{change.column}: dropped (was {change.baseline_type})"
    return f"{change.column}: type changed {change.baseline_type} → {change.current_type}"


def _column_table(columns: list[ColumnDrift], width: int, markdown: bool) -> list[str]:
    """One row per column; in text, the metrics wrap into blocks to fit `width`."""
    names = [truncate(c.name, 24) for c in columns]
    verdicts = [c.verdict if c.status == "common" else f"{c.verdict} ({c.status})" for c in columns]
    metrics: list[tuple[str, list[str]]] = [
        ("PSI", [f"{c.psi.value:.3f}" if c.psi else "" for c in columns]),
        ("KS", [f"{c.ks.statistic:.3f}" if c.ks else "" for c in columns]),
    ]
    for name in _COLUMN_METRICS:
        metrics.append((_METRIC_LABELS[name], [_change_cell(c, name) for c in columns]))
    metrics = [(label, cells) for label, cells in metrics if any(cells)]
    if markdown:
        headers = ["column", "verdict", *(label for label, _ in metrics)]
        rows = [[n, v, *(cells[i] for _, cells in metrics)] for i, (n, v) in enumerate(
            zip(names, verdicts, strict=True)
        )]  # fmt: skip
        return markdown_table(headers, rows)
    return wrapped_grid([("column", names), ("verdict", verdicts)], metrics, width)


def _change_cell(col: ColumnDrift, name: str) -> str:
    delta = col.deltas.get(name)
    change = delta.change if delta is not None else None
    if change is None:
        return ""
    if name == "missing_pct":
        return f"{change:+.1f}"
    if isinstance(change, int):
        return f"{change:+,}"
    if col.kind == "datetime":
        return _duration(change)
    return truncate(f"{change:+.4g}", CELL_WIDTH)


def _duration(seconds: float) -> str:
    """A signed duration in the largest unit that keeps it readable (+3.5d, -2h, +40s)."""
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if abs(seconds) >= size:
            return f"{seconds / size:+.3g}{unit}"
    return f"{seconds:+.3g}s"


# Charts --------------------------------------------------------------------------------


def _chart_title(col: ColumnDrift) -> str:
    parts = [f"{col.name}: % of values, baseline vs current", col.verdict]
    if col.psi is not None:
        parts.append(f"PSI {col.psi.value:.3f}")
    if col.ks is not None:
        parts.append(f"KS {col.ks.statistic:.3f}")
    return " · ".join(parts)


def _no_chart_note(col: ColumnDrift) -> str:
    if col.status != "common":
        return f"{col.name}: column {col.status}, nothing to overlay"
    if col.kind not in NUMERIC_KINDS:
        psi = f", PSI {col.psi.value:.3f} on categories" if col.psi else ""
        return f"{col.name}: {col.kind} column, no histogram{psi}"
    return f"{col.name}: no values to chart in one of the runs"


def _edge_labels(edges: list[float], kind: str) -> list[str]:
    """Short bin-edge labels: numbers to 4 significant digits, POSIX seconds as dates/times."""
    if kind != "datetime":
        return [f"{float(e):.4g}" for e in edges]
    stamps = [datetime.fromtimestamp(float(e), UTC) for e in edges]
    days = {s.date() for s in stamps}
    if len(days) > 2:  # long spans: the date says enough; within one day: the time does
        return [s.strftime("%Y-%m-%d") for s in stamps]
    return [s.strftime("%H:%M:%S" if len(days) == 1 else "%m-%d %H:%M") for s in stamps]
