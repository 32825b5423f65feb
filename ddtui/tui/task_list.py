"""The task list (right, top): the DAG's tasks in dependency order for the selected run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from ddtui.metastore import RunSummary, TaskNode
from ddtui.render.values import format_duration, format_when
from ddtui.tui.format import ID_WIDTH, badge_text, data_text, sparkline, state_look, state_text

if TYPE_CHECKING:
    from ddtui.drift.health import TaskHealth
    from ddtui.usecases.tasks import TaskRow

RUNS_PAGE = 25  # runs the metastore reader returns at once

# (key, label, width): Operator last, since it matters least when the pane is narrow.
# Data (the health badge) and the row-count trend sit next to State: all three say at a
# glance whether to look closer.
COLUMNS = [
    ("task", "Task", None),
    ("state", "State", 11),
    ("health", "Data", 5),
    ("trend", "Rows/run", 8),
    ("try", "Try", 3),
    ("duration", "Duration", 8),
    ("output", "Output table", None),
    ("rows", "Rows", 7),
    ("operator", "Operator", None),
]

HEALTH_COLUMNS = ("health", "trend")


def short_operator(name: str) -> str:
    """`DataDriverOperator` -> `DataDriver`: the suffix says nothing in a column of operators."""
    return name.removesuffix("Operator") or name


def task_name(task: TaskNode, mapped_count: int) -> Text:
    """`group.` dimmed, then the task's own id; `[3]` for a mapped task's instances."""
    prefix = "".join(f"{group.rsplit('.', 1)[-1]}." for group in task.group_path)
    own = task.task_id.rsplit(".", 1)[-1] if task.group_path else task.task_id
    name = Text.assemble(data_text(prefix, "dim", limit=ID_WIDTH), data_text(own, limit=ID_WIDTH))
    if task.is_mapped:
        name.append(f" [{mapped_count}]" if mapped_count else " [ ]", style="dim")
    return name


def run_line(run: RunSummary | None, position: int, total: int, following: bool) -> Text:
    """`run 1/5 (latest) manual__… ✓ ok  logical 2024-01-02 00:00  12.5s`."""
    if run is None:
        return Text("No runs yet: states, tries and XCom outputs appear after the first run.")
    look = state_look(run.state)
    where = f"run {position}/{total}{'+' if total >= RUNS_PAGE else ''}"
    latest = " latest" if following else ""
    return Text.assemble(
        (f"{where}{latest}  ", "bold"),
        (f"{look.glyph} {look.word}", look.style),
        "  ",
        format_when(run.logical_date or run.run_after),
        ("  took ", "dim"),
        format_duration(run.duration),
        ("  ", ""),
        data_text(run.run_id, "dim", limit=ID_WIDTH),
    )


class TaskTable(DataTable[Text | str]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class TaskPane(Vertical):
    """Run line, error line and the table of tasks."""

    @dataclass
    class TaskHighlighted(Message):
        """The cursor moved onto a task."""

        task_id: str

    @dataclass
    class TaskChosen(Message):
        """`enter` (or a click) chose a task."""

        task_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[TaskRow] = []
        self.row_counts: dict[str, str] = {}
        self.health: dict[str, TaskHealth] = {}  # the selected DAG's tasks, newest runs
        self.shown_columns: list[str] = []
        self.message_lines = 0
        # Held here rather than queried: the app reaches them several times per selection.
        self._run_line = Static("", id="run-line")
        self._message = Static("", id="task-message", classes="pane-message")
        self._message_text: str | Text = ""
        self._run_text = Text("")
        self._reading = False
        self._table = TaskTable(id="task-table", cursor_type="row", zebra_stripes=False)
        self._label_widths: dict[str, int] = {}
        self._shown_cells: dict[str, dict[str, Text | str]] = {}

    def compose(self) -> ComposeResult:
        yield self._run_line
        yield self._message
        self._add_columns(self._table)
        yield self._table

    def _column_keys(self) -> list[str]:
        """Every column, but Data and Rows/run only once some task of the DAG has a trend or
        a badge (DAGs without a profile history keep their room for the output tables)."""
        health = any(self._has_health(r.task.task_id) for r in self.rows)
        return [key for key, _, _ in COLUMNS if health or key not in HEALTH_COLUMNS]

    def _has_health(self, task_id: str) -> bool:
        health = self.health.get(task_id)
        return health is not None and (health.badge is not None or len(health.row_counts) >= 2)

    def _add_columns(self, table: TaskTable) -> None:
        self.shown_columns = self._column_keys()
        for key, label, width in COLUMNS:
            if key in self.shown_columns:
                table.add_column(label, key=key, width=width)
        self._label_widths = {str(k.value): c.content_width for k, c in table.columns.items()}

    def _clear_rows(self) -> None:
        """Remove the rows but keep the columns, narrowed to their labels again (a table's
        columns only ever widen to their content)."""
        table = self._table
        table.clear()
        for key, column in table.columns.items():
            column.content_width = self._label_widths.get(str(key.value), column.content_width)
        self._shown_cells = {}

    @property
    def table(self) -> TaskTable:
        return self._table

    @property
    def selected_task_id(self) -> str | None:
        if not self.rows or self.table.row_count == 0:
            return None
        index = min(self.table.cursor_row, len(self.rows) - 1)
        return self.rows[index].task.task_id

    def show_run(self, run: RunSummary | None, position: int, total: int, following: bool) -> None:
        self._run_text, self._reading = run_line(run, position, total, following), False
        self._run_line.update(self._run_text)

    def show_reading(self, what: str, *, clear: bool = False) -> None:
        """`Reading DAG x…` in the run line; `clear` empties the table too (another DAG).

        The pane keeps its height and the message line stays as it is: no layout change
        while the cursor moves through the DAG tree.
        """
        self._reading = True
        self._run_line.update(data_text(what, "dim"))
        if clear:
            self._run_text = Text("")
            self.show_message("")
            self.rows = []
            if self._table.row_count:
                self._clear_rows()

    def stop_reading(self) -> None:
        """The read failed: the run line shows what it showed before."""
        if self._reading:
            self._reading = False
            self._run_line.update(self._run_text)

    def show_message(self, text: str | Text) -> None:
        if text == self._message_text and type(text) is type(self._message_text):
            return
        self._message_text = text
        message = self._message
        message.update(data_text(text) if isinstance(text, str) else text)
        message.display = bool(text)
        self.message_lines = len(str(text).splitlines()) if text else 0
        self.fit_height()

    def fit_height(self) -> None:
        """As tall as the tasks need, up to 45% of the screen: the stats pane gets the rest."""
        available = max(1, self.screen.size.height - 2)  # header and footer
        narrow = self.screen.has_class("-narrow")
        chrome = (1 if narrow else 2) + 2 + (0 if narrow else 1) + self.message_lines * 2
        wanted = max(len(self.rows), 3) + chrome
        self.styles.height = max(6, min(wanted, int(available * 0.45)))

    def show_tasks(self, rows: list[TaskRow], keep_task: str | None = None) -> None:
        """Fill the table; same tasks update in place (cursor and scroll stay where they are)."""
        table = self._table
        same = [r.task.task_id for r in rows] == [r.task.task_id for r in self.rows]
        self.rows = rows
        self.fit_height()
        columns = self._column_keys()
        if same and columns == self.shown_columns and table.row_count == len(rows):
            for row in rows:
                self._update_cells(row.task.task_id, self._cells(row))
            return
        cursor_task = keep_task or self.selected_task_id
        scroll_y = table.scroll_y
        if columns == self.shown_columns:
            self._clear_rows()
        else:
            table.clear(columns=True)
            self._add_columns(table)
            self._shown_cells = {}
        for row in rows:
            cells = self._cells(row)
            table.add_row(*cells.values(), key=row.task.task_id)
            self._shown_cells[row.task.task_id] = cells
        self.select_task(cursor_task)
        table.scroll_to(y=scroll_y, animate=False)

    def _update_cells(self, task_id: str, cells: Mapping[str, Text | str]) -> None:
        """Only the cells that changed: each update makes the table render all its rows
        again and measure the column anew."""
        shown = self._shown_cells.setdefault(task_id, {})
        for key, value in cells.items():
            if not _same_cell(shown.get(key), value):
                self._table.update_cell(task_id, key, value)
                shown[key] = value

    def set_row_count(self, task_id: str, text: str) -> None:
        self.row_counts[task_id] = text
        if task_id in self._shown_cells:
            self._update_cells(task_id, {"rows": Text(text, justify="right")})

    def set_health(self, task_id: str, health: TaskHealth | None) -> None:
        """A task's row-count sparkline over recent runs and its badge."""
        if health is None:
            self.health.pop(task_id, None)
        else:
            self.health[task_id] = health
        if task_id not in self._shown_cells:
            return
        if self._column_keys() != self.shown_columns:
            self.show_tasks(self.rows)  # the Data and Rows/run columns come or go
            return
        if "health" in self.shown_columns:
            self._update_cells(task_id, self._health_cells(task_id))

    def _health_cells(self, task_id: str) -> dict[str, Text]:
        health = self.health.get(task_id)
        if health is None:
            return {"health": Text(""), "trend": Text("")}
        return {
            "health": badge_text(health.badge),
            "trend": Text(sparkline(health.row_counts[-8:]), style="cyan"),
        }

    def select_task(self, task_id: str | None) -> bool:
        ids = [r.task.task_id for r in self.rows]
        if task_id not in ids or self._table.row_count != len(ids):
            return False
        self._table.move_cursor(row=ids.index(task_id), animate=False)
        return True

    def _cells(self, row: TaskRow) -> dict[str, Text | str]:
        output: Text
        if row.output is not None and row.output.found:
            output = data_text(row.output.shown_name, limit=ID_WIDTH)
            output.append(f" · {row.output.source}", style="dim")
        else:
            output = Text("-", style="dim")
        try_number = row.try_number
        cells: dict[str, Text | str] = {
            "task": task_name(row.task, len(row.instances)),
            "state": state_text(row.state) if row.instances else Text("  -", style="dim"),
            "try": Text(str(try_number) if try_number else "", justify="right"),
            "duration": Text(format_duration(row.duration), justify="right"),
            "output": output,
            "rows": Text(self.row_counts.get(row.task.task_id, ""), justify="right"),
            **self._health_cells(row.task.task_id),
            "operator": data_text(short_operator(row.task.operator), "dim", limit=ID_WIDTH),
        }
        return {key: cells[key] for key in self.shown_columns}  # add_row takes them in this order

    @on(DataTable.RowHighlighted, "#task-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.TaskHighlighted(event.row_key.value))

    @on(DataTable.RowSelected, "#task-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.TaskChosen(event.row_key.value))


def _same_cell(old: Text | str | None, new: Text | str) -> bool:
    """Same text and look (rich's Text equality ignores the base style and justification)."""
    if isinstance(old, Text) and isinstance(new, Text):
        return (old.plain, old.spans, old.style, old.justify) == (
            new.plain,
            new.spans,
            new.style,
            new.justify,
        )
    return old == new
