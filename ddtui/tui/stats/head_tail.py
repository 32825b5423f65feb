"""Head / Tail tab: the first and last rows of the output table, as the profiler read them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from ddtui.tui.format import data_text, format_number, shorten

if TYPE_CHECKING:  # ddtui.profile loads numpy: only when a profile is computed
    from ddtui.profile.models import TableProfile


CELL_WIDTH = 41  # a cell's characters, the ellipsis included


def cell(value: Any) -> Text:
    if value is None:
        return Text("NULL", style="dim italic")
    text = shorten(format_number(value, limit=CELL_WIDTH), CELL_WIDTH)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return Text(text, justify="right" if numeric else "left")


class HeadTailTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def show_profile(self, profile: TableProfile) -> None:
        self.clear(columns=True)
        names = [col.name for col in profile.columns]
        self.add_column(Text("#", style="dim"), key="#")
        for name in names:
            self.add_column(data_text(name, limit=CELL_WIDTH), key=name)
        head, tail = profile.head, profile.tail
        for index, row in enumerate(head):
            self.add_row(Text(str(index), style="dim"), *(cell(row.get(n)) for n in names))
        # The tail repeats nothing the head showed (small tables fit in the head).
        start = max(len(head), profile.row_count - len(tail))
        skipped = start - len(head)
        shown_tail = tail[len(tail) - (profile.row_count - start) :] if tail else []
        if skipped > 0 and shown_tail:
            gap = Text(f"⋮ {skipped:,} rows", style="dim")
            self.add_row(gap, *(Text("⋮", style="dim") for _ in names))
        for offset, row in enumerate(shown_tail):
            label = Text(str(start + offset), style="dim")
            self.add_row(label, *(cell(row.get(n)) for n in names))
        if not head and not tail:
            self.add_row(Text("(empty)", style="dim"), *(Text("") for _ in names))
