"""The Drift tab: this run against a baseline run, column by column, with overlaid histograms.

The comparison itself comes from `ddtui.drift` (computed in a worker); this view only shows it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Static

from ddtui.terminal_text import safe_text
from ddtui.tui.format import data_text, format_count

if TYPE_CHECKING:
    from ddtui.drift.report import ColumnDrift, Delta, DriftReport, RunSide
    from ddtui.profile.models import TableProfile

NAME_WIDTH = 64  # column and table names longer than this are cut
VERDICT_STYLE = {"ok": "green", "watch": "yellow", "drift": "bold red"}
# (key, label, width): the deltas a data scientist reads first.
DRIFT_COLUMNS = [
    ("column", "Column", None),
    ("verdict", "Verdict", 7),
    ("psi", "PSI", 6),
    ("ks", "KS", 5),
    ("missing_pct", "Δmiss %", 7),
    ("distinct", "Δdistinct", 9),
    ("mean", "Δmean", 8),
    ("std", "Δstd", 8),
    ("q50", "Δq50", 8),
]
NO_BASELINE_HINT = (
    "Tables a later run overwrites can only be compared once their profiles are in the "
    "history: ddtui records each exact profile it computes, and `ddtui describe --record` "
    "after each run (from cron or an Airflow task) builds it up."
)


def short_number(value: float | None) -> str:
    """A delta in at most ~7 characters, with its sign."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:+.2g}"
    return f"{value:+.4g}" if abs(value) < 1000 else f"{value:+.0f}"


def delta_cell(col: ColumnDrift, name: str) -> Text:
    delta: Delta | None = col.deltas.get(name)
    change = delta.change if delta is not None else None
    return Text(short_number(change), justify="right")


def drift_cells(col: ColumnDrift) -> list[Text]:
    name = data_text(col.name, limit=NAME_WIDTH)
    if col.status != "common":
        name.append(f" ({col.status})", style="italic")
    psi = Text(f"{col.psi.value:.3f}" if col.psi else "", justify="right")
    ks = Text(f"{col.ks.statistic:.2f}" if col.ks else "", justify="right")
    verdict = Text(col.verdict, style=VERDICT_STYLE[col.verdict])
    deltas = [delta_cell(col, key) for key, _, _ in DRIFT_COLUMNS[4:]]
    return [name, verdict, psi, ks, *deltas]


def side_line(label: str, side: RunSide) -> Text:
    source: str = side.source or "live"
    if side.source == "history" and side.recorded_at is not None:
        source = f"history {side.recorded_at:%Y-%m-%d %H:%M}"
    extent = "exact" if side.exact else "sample"
    return Text.assemble(
        (f"{label:9}", "dim"),
        data_text(side.table, "bold", limit=NAME_WIDTH),
        f"  {format_count(side.row_count)} rows",
        (f"  {extent}, {source}  run ", "dim"),
        data_text(side.run_id or "?", limit=NAME_WIDTH),
    )


def summary(report: DriftReport, baseline_choice: str) -> Text:
    """Verdict and badge, rows, the two runs, schema changes and health flags."""
    rows = report.rows
    change = rows.change
    rows_text = f"rows {format_count(rows.baseline)} → {format_count(rows.current)}"
    if change is not None and rows.relative is not None:
        rows_text += f" ({rows.relative:+.0%})"
    text = Text.assemble(
        ("drift ", "bold"),
        (report.verdict.upper(), VERDICT_STYLE[report.verdict]),
        (f"  badge {report.badge}" if report.badge else "", "bold"),
        f"  {rows_text}",
        ("  b: baseline" + (" (previous)" if baseline_choice == "previous" else ""), "dim"),
    )
    text.append("\n")
    text.append_text(side_line("baseline", report.baseline))
    text.append("\n")
    text.append_text(side_line("current", report.current))
    for schema in report.schema_changes:
        types = {
            "added": f"({schema.current_type})",
            "dropped": f"(was {schema.baseline_type})",
        }.get(schema.change, f"({schema.baseline_type} → {schema.current_type})")
        what = schema.change.replace("_", " ")
        text.append("\n" + safe_text(f"schema: {schema.column} {what} "), "yellow")
        text.append(safe_text(types), "dim")
    for flag in report.health:
        where = f"{flag.column}: " if flag.column else ""
        text.append("\n" + safe_text(f"health: {flag.flag} — {where}{flag.message}"), "red")
    for note in report.notes:
        text.append("\n" + safe_text(f"note: {note}"), "dim")
    return text


def chart_text(col: ColumnDrift, width: int, height: int) -> Text:
    from ddtui.render.drift import render_drift_chart  # plotext loads on first chart

    return Text.from_ansi(render_drift_chart(col, max(width, 20), max(height, 6), True))


class DriftChart(Widget):
    """One column's baseline and current histograms overlaid, redrawn to its size."""

    def __init__(self, *, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=classes)
        self.column: ColumnDrift | None = None
        self._cache: tuple[tuple[int, int], Text] | None = None

    def show(self, column: ColumnDrift | None) -> None:
        self.column, self._cache = column, None
        self.refresh()

    def render(self) -> Text:
        if self.column is None:
            return Text("")
        size = (self.content_size.width, self.content_size.height)
        if self._cache is None or self._cache[0] != size:
            self._cache = (size, chart_text(self.column, *size))
        return self._cache[1]


class DriftTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class DriftChartScreen(ModalScreen[None]):
    """One column's overlaid histograms filling the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "dismiss", "Close")]

    def __init__(self, column: ColumnDrift) -> None:
        super().__init__()
        self.column = column

    def compose(self) -> ComposeResult:
        with Vertical(id="chart-dialog"):
            reasons = "; ".join(self.column.reasons) or "no change flagged"
            yield Static(
                Text.assemble(data_text(self.column.name, "bold"), "  ", data_text(reasons)),
                id="chart-metrics",
            )
            chart = DriftChart(classes="large-chart")
            chart.show(self.column)
            yield chart
        yield Footer()


class DriftView(VerticalScroll):
    """Summary, the per-column table (enter: large chart) and the highlighted column's chart."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.report: DriftReport | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="drift-summary")
        table = DriftTable(id="drift-table", cursor_type="row", zebra_stripes=False)
        for key, label, width in DRIFT_COLUMNS:
            table.add_column(label, key=key, width=width)
        yield table
        yield DriftChart(id="drift-chart")

    def on_mount(self) -> None:
        self._show_report(False)

    def show_profile(self, profile: TableProfile) -> None:
        """The Drift tab compares runs, not this profile: nothing to do (see `show_report`)."""

    def focus_target(self) -> Widget:
        """The table when a report is shown, else the view (so `tab` still lands here)."""
        return self.table if self.report is not None else self

    @property
    def table(self) -> DriftTable:
        return self.query_one(DriftTable)

    def show_message(self, text: str | Text) -> None:
        self.report = None
        summary = self.query_one("#drift-summary", Static)
        summary.update(data_text(text) if isinstance(text, str) else text)
        summary.add_class("-message")  # a message wraps; the report's lines are cut instead
        self._show_report(False)

    def show_report(self, report: DriftReport, baseline_choice: str) -> None:
        self.report = report
        shown = self.query_one("#drift-summary", Static)
        shown.update(summary(report, baseline_choice))
        shown.remove_class("-message")
        table = self.table
        cursor = table.cursor_row
        table.clear()
        # Changed columns first, the most drifted on top: what moved, and by how much.
        rank = {"drift": 0, "watch": 1, "ok": 2}
        ordered = sorted(
            report.columns, key=lambda c: (rank[c.verdict], -(c.psi.value if c.psi else 0))
        )
        for col in ordered:
            table.add_row(*drift_cells(col), key=col.name)
        self._show_report(True)
        table.move_cursor(row=min(cursor, max(0, table.row_count - 1)), animate=False)
        self._chart_row(0 if not ordered else min(cursor, len(ordered) - 1))

    def selected_column(self) -> ColumnDrift | None:
        if self.report is None or self.table.row_count == 0:
            return None
        row_key = self.table.coordinate_to_cell_key(Coordinate(self.table.cursor_row, 0)).row_key
        return next((c for c in self.report.columns if c.name == row_key.value), None)

    def _chart_row(self, row: int) -> None:
        self.query_one(DriftChart).show(self.selected_column())

    def _show_report(self, visible: bool) -> None:
        self.query_one("#drift-table").display = visible
        self.query_one("#drift-chart").display = visible

    @on(DataTable.RowHighlighted, "#drift-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._chart_row(event.cursor_row)

    @on(DataTable.RowSelected, "#drift-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        column = self.selected_column()
        if column is not None:
            self.app.push_screen(DriftChartScreen(column))
