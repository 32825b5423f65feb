"""DAG graph (`g`): the selected DAG as boxes and edges, coloured by task state."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.geometry import Region, Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from ddtui.metastore import DagStructure, RunDetail
from ddtui.render.values import format_duration
from ddtui.terminal_text import safe_text
from ddtui.tui.format import ID_WIDTH, data_text, state_look
from ddtui.tui.graph_layout import (
    ARROW,
    BOX_HEIGHT,
    JUNCTIONS,
    MAX_LABEL,
    Layout,
    box_lines,
    edge_cells,
    layout,
    neighbour,
)
from ddtui.usecases.tasks import TaskRow, task_rows

CURSOR_BOX = str.maketrans("┌┐└┘─│", "╔╗╚╝═║")


def box_name(task_id: str, row: TaskRow) -> str:
    """The task id, terminal-safe, cut from the left when long (the end tells tasks of a
    group apart)."""
    name = safe_text(task_id)
    if row.task.is_mapped:
        name += f" [{len(row.instances)}]" if row.instances else " [ ]"
    if len(name) > MAX_LABEL:
        name = "…" + name[-(MAX_LABEL - 1) :]
    return name


def state_line(row: TaskRow) -> str:
    """`✗ failed 12s`, or `· not run` when the run has no instance of the task."""
    if not row.instances:
        return "· not run"
    look = state_look(row.state)
    duration = f" {format_duration(row.duration)}" if row.duration is not None else ""
    return f"{look.glyph} {look.word}{duration}"


class GraphCanvas(Widget):
    """The drawing; its size is the graph's, its container scrolls."""

    DEFAULT_CSS = """
    GraphCanvas {
        width: auto;
        height: auto;
    }
    """

    def __init__(self, structure: DagStructure, detail: RunDetail | None, cursor: str | None):
        super().__init__(id="graph-canvas")
        rows = task_rows(structure, detail, {})
        self.names = {row.task.task_id: box_name(row.task.task_id, row) for row in rows}
        self.state_lines = {row.task.task_id: state_line(row) for row in rows}
        self.styles_by_task = {row.task.task_id: state_look(row.state).style for row in rows}
        widest = {t: max(self.names[t], self.state_lines[t], key=len) for t in self.names}
        ids = [t.task_id for t in structure.tasks]
        self.graph: Layout = layout(ids, structure.edges, widest)
        self.cursor = cursor if cursor in ids else (ids[0] if ids else None)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self.graph.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.graph.height

    def cursor_region(self) -> Region | None:
        if self.cursor is None:
            return None
        box = self.graph.boxes[self.cursor]
        return Region(box.x, box.y, box.width, BOX_HEIGHT)

    def move(self, direction: str) -> None:
        if self.cursor is None:
            return
        target = neighbour(self.graph, self.cursor, direction)
        if target is not None:
            self.cursor = target
            self.refresh()

    def render(self) -> Text:
        width, height = self.graph.width, self.graph.height
        chars = [[" "] * width for _ in range(height)]
        styles: list[list[str]] = [[""] * width for _ in range(height)]
        for (x, y), bits in edge_cells(self.graph).items():
            if 0 <= x < width and 0 <= y < height:
                chars[y][x] = JUNCTIONS.get(bits, "┼")
                styles[y][x] = "dim"
        for task_id, box in self.graph.boxes.items():
            style = self.styles_by_task[task_id]
            lines = box_lines(self.names[task_id], self.state_lines[task_id], box.width)
            selected = task_id == self.cursor
            if selected:
                lines = [line.translate(CURSOR_BOX) for line in lines]
            if box.x - 1 >= 0 and chars[box.mid_y][box.x - 1] == "─":
                chars[box.mid_y][box.x - 1] = ARROW
            for dy, line in enumerate(lines):
                for dx, char in enumerate(line):
                    chars[box.y + dy][box.x + dx] = char
                    styles[box.y + dy][box.x + dx] = style + (" reverse" if selected else "")
        text = Text(no_wrap=True, overflow="crop")
        for y in range(height):
            if y:
                text.append("\n")
            for x in range(width):
                text.append(chars[y][x], style=styles[y][x])
        return text


class GraphView(ScrollableContainer, can_focus=True, inherit_bindings=False):
    """Scrolls the canvas; the arrow keys belong to the screen (they move the cursor)."""


class GraphScreen(Screen[str | None]):
    """`enter` selects the task under the cursor; `esc` goes back unchanged."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,g,q", "dismiss_graph", "Back"),
        Binding("enter", "choose", "Select task"),
        Binding("up,k", "move('up')", "Up", show=False),
        Binding("down,j", "move('down')", "Down", show=False),
        Binding("left,h", "move('left')", "Upstream", show=False),
        Binding("right,l", "move('right')", "Downstream", show=False),
    ]

    def __init__(self, structure: DagStructure, detail: RunDetail | None, task_id: str | None):
        super().__init__()
        self.structure = structure
        self.detail = detail
        self.task_id = task_id

    def compose(self) -> ComposeResult:
        run = self.detail.run.run_id if self.detail else "no runs"
        title = Text.assemble(
            ("DAG graph ", "bold"),
            data_text(self.structure.dag_id, limit=ID_WIDTH),
            ("  run ", "dim"),
            data_text(run, limit=ID_WIDTH),
        )
        yield Static(title, id="graph-title")
        with GraphView(id="graph-view"):
            yield GraphCanvas(self.structure, self.detail, self.task_id)
        yield Static(
            "arrows/hjkl move · enter selects the task · esc back · ✓ ok ✗ failed ▶ running",
            id="graph-legend",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#graph-view").focus()
        self.call_after_refresh(self._scroll_to_cursor)

    @property
    def canvas(self) -> GraphCanvas:
        return self.query_one(GraphCanvas)

    def _scroll_to_cursor(self) -> None:
        region = self.canvas.cursor_region()
        if region is not None:
            self.query_one(GraphView).scroll_to_region(region, animate=False, spacing=None)

    def action_move(self, direction: str) -> None:
        self.canvas.move(direction)
        self._scroll_to_cursor()

    def action_choose(self) -> None:
        self.dismiss(self.canvas.cursor)

    def action_dismiss_graph(self) -> None:
        self.dismiss(None)

    def on_click(self, event: object) -> None:
        """A click on a box moves the cursor there; a second click selects it."""
        offset = getattr(event, "get_content_offset", lambda _w: None)(self.canvas)
        if offset is None:
            return
        for task_id, box in self.canvas.graph.boxes.items():
            if Region(box.x, box.y, box.width, BOX_HEIGHT).contains(offset.x, offset.y):
                if task_id == self.canvas.cursor:
                    self.dismiss(task_id)
                else:
                    self.canvas.cursor = task_id
                    self.canvas.refresh()
                return
