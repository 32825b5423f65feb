"""The column view: one column of the output table in full, over the panes.

`enter` on a row of the Describe tab (or on a chart of the Histograms tab) opens it: every
statistic, the large chart, the top values, the quantiles and the column's history over the
recorded runs. `y` copies the command that reopens the task, `Y` a pandas snippet that loads
the table (through OSC 52; shown on screen as well, for terminals that do not take it).
`escape` returns to the panes as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from ddtui.tui import workers
from ddtui.tui.format import data_text
from ddtui.tui.stats.histograms import ColumnChart

if TYPE_CHECKING:
    from ddtui.outputs.resolve import OutputRef
    from ddtui.profile.models import ColumnProfile, TableProfile
    from ddtui.tui.wiring import WiredScreen

HISTORY = "column-history"  # worker group
HISTORY_RUNS = 30  # runs the sparklines span


class HistoryRead(Message):
    """The recorded profiles of the task, oldest first (or why there are none)."""

    def __init__(self, profiles: list[TableProfile], note: str = "") -> None:
        super().__init__()
        self.profiles = profiles
        self.note = note


@dataclass(frozen=True)
class ColumnContext:
    """Where the column comes from: enough to reopen the view and to load the table."""

    profile: TableProfile
    ref: OutputRef | None
    metastore_url: str  # masked: the profile history's key
    dag_id: str
    task_id: str
    run_id: str | None


def open_column_view(screen: WiredScreen, name: str) -> None:
    """Push the column view of column `name` of the profile the stats pane shows."""
    profile = screen.stats_pane.profile
    selection = screen.selection
    column = profile.column(name) if profile is not None else None
    if profile is None or column is None or selection.dag_id is None:
        return
    context = ColumnContext(
        profile=profile,
        ref=screen.stats_pane.ref,
        metastore_url=screen.session.metastore.masked_url,
        dag_id=selection.dag_id,
        task_id=selection.task_id or "",
        run_id=screen.dag.run_id,
    )
    screen.app.push_screen(ColumnScreen(column, context))


def _history_job(context: ColumnContext) -> workers.Job:
    def job(post: workers.Post, cancelled: workers.Cancelled) -> None:
        from ddtui.drift.history import HistoryError, ProfileHistory

        try:
            entries = ProfileHistory().for_task(
                context.metastore_url, context.dag_id, context.task_id, limit=HISTORY_RUNS
            )
        except HistoryError as exc:
            post(HistoryRead([], f"profile history not read: {exc}"))
            return
        if not cancelled():
            post(HistoryRead([e.profile for e in reversed(entries)]))

    return job


class ColumnScreen(Screen[None]):
    """One column in full (see the module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("y", "copy_link", "Copy link"),
        Binding("Y", "copy_snippet", "Copy pandas"),
    ]

    def __init__(self, column: ColumnProfile, context: ColumnContext) -> None:
        super().__init__()
        self.column = column
        self.context = context

    def compose(self) -> ComposeResult:
        with Vertical(id="column-view"):
            yield Static(self._title(), id="column-title")
            with Horizontal(id="column-top"):
                # Every statistic, scrolled at 80x24 rather than cut.
                with VerticalScroll(id="column-stats"):
                    yield Static(self._statistics())
                yield ColumnChart(self.column, classes="large-chart")
            with Horizontal(id="column-bottom"):
                with VerticalScroll(id="column-values"):
                    yield Static(self._top_values())
                with Vertical(id="column-side"):
                    yield Static(self._quantiles(), id="column-quantiles")
                    yield Static(
                        Text("Reading the profile history…", style="dim"), id="column-history"
                    )
            yield Static("", id="column-handoff")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#column-handoff").display = False
        workers.start(self, HISTORY, _history_job(self.context), "the column's history")

    def _title(self) -> Text:
        ctx = self.context
        text = Text.assemble(data_text(self.column.name, "bold"), " of ")
        text.append_text(data_text(ctx.ref.shown_name if ctx.ref else ctx.profile.table))
        text.append("  ·  ", style="dim")
        text.append_text(data_text(f"{ctx.dag_id} / {ctx.task_id}", "dim"))
        if ctx.run_id:
            text.append_text(data_text(f" / {ctx.run_id}", "dim"))
        return text

    def _statistics(self) -> Table:
        from ddtui.render.column_view import statistics

        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(no_wrap=True)
        for label, value in statistics(self.column):
            grid.add_row(label, Text(value))
        return grid

    def _top_values(self) -> Table | Text:
        from ddtui.render.column_view import top_rows

        rows = top_rows(self.column)
        if not rows:
            distinct = self.column.distinct
            many = f"{distinct:,} distinct values" if distinct is not None else "Values"
            return Text(f"{many}: the chart shows how they spread.", style="dim")
        table = Table(box=None, padding=(0, 1), title="Top values", title_justify="left")
        table.add_column("value", overflow="ellipsis", no_wrap=True)
        table.add_column("count", justify="right")
        table.add_column("%", justify="right")
        for row in rows:
            table.add_row(Text(row.value), f"{row.count:,}", f"{row.percent:.1f}")
        return table

    def _quantiles(self) -> Table | Text:
        from ddtui.render.column_view import quantiles

        points = quantiles(self.column)
        if not points:
            return Text("")
        table = Table(box=None, padding=(0, 1), title="Quantiles", title_justify="left")
        for label, _ in points:
            table.add_column(label, justify="right", no_wrap=True)
        table.add_row(*(Text(value) for _, value in points))
        return table

    def on_history_read(self, message: HistoryRead) -> None:
        from ddtui.render.column_view import sparkline, trends

        target = self.query_one("#column-history", Static)
        if message.note:
            target.update(data_text(message.note, "yellow"))
            return
        series = trends(message.profiles, self.column.name)
        if not series:
            target.update(
                Text("No recorded runs of this column yet (ddtui describe --record).", style="dim")
            )
            return
        runs = len(message.profiles)
        table = Table(
            box=None,
            padding=(0, 1),
            title=f"History of {runs} recorded run{'s' if runs != 1 else ''}",
            title_justify="left",
        )
        table.add_column("", style="dim", no_wrap=True)
        table.add_column("", no_wrap=True)
        table.add_column("latest", justify="right", no_wrap=True)
        for trend in series:
            table.add_row(
                trend.label, Text(sparkline(trend.values), style="cyan"), Text(trend.last)
            )
        target.update(table)

    # Hand-off ---------------------------------------------------------------------------

    def action_copy_link(self) -> None:
        from ddtui.usecases.handoff import deep_link

        ctx = self.context
        self._hand_off(
            "Command that reopens this task", deep_link(ctx.dag_id, ctx.task_id, ctx.run_id)
        )

    def action_copy_snippet(self) -> None:
        from ddtui.usecases.handoff import PASSWORD_ENV, pandas_snippet

        ref = self.context.ref
        if ref is None or not ref.readable:
            self._show(Text("No readable table to load in pandas.", style="yellow"))
            return
        snippet = pandas_snippet(ref)
        note = (
            f"pandas snippet (the password comes from ${PASSWORD_ENV})"
            if "os.environ" in snippet
            else "pandas snippet"
        )
        self._hand_off(note, snippet.rstrip("\n"))

    def _hand_off(self, what: str, text: str) -> None:
        """Copy `text` through OSC 52 (Textual writes it base64-encoded) and show it."""
        self.app.copy_to_clipboard(text)
        shown = Text(
            f"{what}, copied to the clipboard (if your terminal takes OSC 52):", style="dim"
        )
        for line in text.splitlines():  # safe_text shows a newline as a glyph: line by line
            shown.append("\n")
            shown.append_text(data_text(line))
        self._show(shown)

    def _show(self, text: Text) -> None:
        handoff = self.query_one("#column-handoff", Static)
        handoff.update(text)
        handoff.display = True
