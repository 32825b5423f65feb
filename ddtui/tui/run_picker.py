"""The run picker: a DAG's recent runs with state, logical date and duration."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer

from ddtui.metastore import RunSummary
from ddtui.render.values import format_duration, format_when
from ddtui.tui.format import ID_WIDTH, data_text, state_text


class RunTable(DataTable[Text | str]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class RunPicker(ModalScreen[str | None]):
    """Choose a run with `enter`; `esc` keeps the current one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,p", "cancel", "Close"),
        Binding("enter", "choose", "Show run", show=True, priority=True),
    ]

    def __init__(self, runs: list[RunSummary], current: str | None) -> None:
        super().__init__()
        self.runs = runs
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="run-dialog") as dialog:
            dialog.border_title = (
                Text.assemble("Runs of ", data_text(self.runs[0].dag_id, limit=ID_WIDTH))
                if self.runs
                else "Runs"
            )
            table = RunTable(id="run-table", cursor_type="row")
            table.add_column("State", width=11)
            table.add_column("Logical date", key="logical")
            table.add_column("Duration", width=8)
            table.add_column("Type")
            table.add_column("Run id")
            for run in self.runs:
                marker = "▸ " if run.run_id == self.current else "  "
                table.add_row(
                    state_text(run.state),
                    Text(marker + format_when(run.logical_date or run.run_after)),
                    Text(format_duration(run.duration), justify="right"),
                    data_text(run.run_type or "", "dim", limit=ID_WIDTH),
                    data_text(run.run_id, limit=ID_WIDTH),
                    key=run.run_id,
                )
            yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(RunTable)
        ids = [r.run_id for r in self.runs]
        if self.current in ids:
            table.move_cursor(row=ids.index(self.current), animate=False)
        table.focus()

    def action_choose(self) -> None:
        table = self.query_one(RunTable)
        if self.runs:
            self.dismiss(self.runs[table.cursor_row].run_id)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(DataTable.RowSelected)
    def _clicked(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(event.row_key.value)
