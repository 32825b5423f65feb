"""The log lines on screen: a window of the file, drawn a line at a time (Textual's line API).

Only the window (a megabyte or two of the file) is held, as Rich Text rows; the screen
loads the window before or after it when the view reaches its top or bottom.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ddtui.logs.parse import LogEntry, parse_line, short_time
from ddtui.terminal_text import safe_text

LEVEL_STYLES = {
    "critical": "bold red",
    "fatal": "bold red",
    "error": "bold red",
    "exception": "bold red",
    "warning": "yellow",
    "debug": "dim",
}
TRACEBACK_STYLE = "red"
HIGHLIGHT = Style(reverse=True)


@dataclass(frozen=True)
class Row:
    """One screen line: its text, and the byte offset of the file line it shows."""

    text: Text
    offset: int
    first: bool  # the first screen line of its file line (a record's traceback follows)


def entry_texts(entry: LogEntry) -> list[Text]:
    """A record as Rich Text: time dim, level coloured; its traceback kept below it."""
    style = LEVEL_STYLES.get(entry.level or "", "")
    if entry.time is None and entry.level is None:
        head = Text(safe_text(entry.message))
    elif entry.time is not None and entry.message.startswith("["):
        head = Text(safe_text(entry.message), style=style)  # plain text with its own prefix
    else:
        head = Text()
        if entry.time:
            head.append(short_time(entry.time), style="dim").append(" ")
        if entry.level:
            head.append(f"{entry.level.upper():<8}", style=style or "green").append(" ")
        head.append(safe_text(entry.message), style=style if entry.is_error else "")
    tail = [Text(safe_text(line), style=TRACEBACK_STYLE) for line in entry.traceback]
    return [head, *tail]


def rows_of(lines: Iterable[str], offsets: Iterable[int]) -> list[Row]:
    """Screen rows for file lines (their offsets say where each one is in the file)."""
    rows: list[Row] = []
    for line, offset in zip(lines, offsets, strict=True):
        for index, text in enumerate(entry_texts(parse_line(line))):
            rows.append(Row(text, offset, index == 0))
    return rows


class LogView(ScrollView, can_focus=True):
    """Scrollable rows of a log window; one row may be highlighted (a search hit, an error)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "scroll_up", "Up", show=False),
        Binding("down,j", "scroll_down", "Down", show=False),
        Binding("left,h", "scroll_left", "Left", show=False),
        Binding("right", "scroll_right", "Right", show=False),
        Binding("pageup,b", "page_up", "Page up", show=False),
        Binding("pagedown,space", "page_down", "Page down", show=False),
    ]

    class EdgeReached(Message):
        """The view was scrolled to the top or the bottom of the window."""

        def __init__(self, top: bool) -> None:
            super().__init__()
            self.top = top

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.highlighted: int | None = None
        self._width = 0

    def set_rows(self, rows: list[Row], *, highlight: int | None = None) -> None:
        self.rows = rows
        self._width = max((row.text.cell_len for row in rows), default=0)
        self.highlighted = highlight
        self._resize()

    def prepend(self, rows: list[Row]) -> None:
        """Rows before the window; the lines on screen stay where they are."""
        self.rows = rows + self.rows
        if self.highlighted is not None:
            self.highlighted += len(rows)
        self._width = max(self._width, *(row.text.cell_len for row in rows), 0)
        self._resize()
        self.scroll_to(y=self.scroll_y + len(rows), animate=False)

    def append(self, rows: list[Row]) -> None:
        self.rows.extend(rows)
        self._width = max(self._width, *(row.text.cell_len for row in rows), 0)
        self._resize()

    def drop_first(self, count: int) -> None:
        """Forget rows at the top (the window keeps a bounded size)."""
        del self.rows[:count]
        if self.highlighted is not None:
            self.highlighted = self.highlighted - count if self.highlighted >= count else None
        self._resize()
        self.scroll_to(y=max(0, self.scroll_y - count), animate=False)

    def drop_last(self, count: int) -> None:
        del self.rows[len(self.rows) - count :]
        if self.highlighted is not None and self.highlighted >= len(self.rows):
            self.highlighted = None
        self._resize()

    def show_row(self, index: int) -> None:
        """Highlight a row and bring it to the middle of the view."""
        self.highlighted = index
        self.scroll_to(y=max(0, index - self.size.height // 2), animate=False)
        self.refresh()

    @property
    def first_visible(self) -> int:
        return int(self.scroll_y)

    @property
    def at_bottom(self) -> bool:
        return self.scroll_y >= self.max_scroll_y

    def _resize(self) -> None:
        self.virtual_size = Size(self._width, len(self.rows))
        self.refresh()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value == old_value or not self.rows:
            return
        if new_value <= 0:
            self.post_message(self.EdgeReached(top=True))
        elif new_value >= self.max_scroll_y:
            self.post_message(self.EdgeReached(top=False))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= len(self.rows):
            return Strip.blank(width)
        text = self.rows[index].text
        if index == self.highlighted:
            text = text.copy()
            text.stylize(HIGHLIGHT)
        segments = [Segment(s.text, s.style) for s in text.render(self.app.console)]
        strip = Strip(segments, text.cell_len)
        return strip.crop_extend(scroll_x, scroll_x + width, None)
