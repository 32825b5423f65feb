"""Describe tab: pandas' `describe(include="all")`, one line per column, plus missing %."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from ddtui.tui.format import data_text, format_count, format_number, shorten
from ddtui.tui.messages import ColumnChosen

if TYPE_CHECKING:  # ddtui.profile loads numpy: only when a profile is computed
    from ddtui.profile.models import ColumnProfile, TableProfile, TableSchema

NAME_WIDTH = 64  # a column name longer than this is cut (the table has 14 more columns)
# (key, label): the metrics pandas prints, transposed so many columns still fit a terminal.
METRICS = [
    ("column", "Column"),
    ("type", "Type"),
    ("count", "Count"),
    ("missing", "Missing"),
    ("missing_pct", "Miss %"),
    ("distinct", "Distinct"),
    ("mean", "Mean"),
    ("std", "Std"),
    ("min", "Min"),
    ("q25", "25%"),
    ("q50", "50%"),
    ("q75", "75%"),
    ("max", "Max"),
    ("top", "Top"),
    ("freq", "Freq"),
]


def describe_cells(col: ColumnProfile) -> list[Text]:
    numbers = col.kind == "number"
    ordered = numbers or col.kind == "datetime"  # pandas gives datetimes quartiles too
    pct = col.missing_pct
    values: dict[str, Text] = {
        "column": data_text(col.name, "bold", limit=NAME_WIDTH),
        "type": data_text(col.db_type.lower() if col.db_type else col.kind, "dim", limit=24),
        "count": _right(format_count(col.count)),
        "missing": _right(format_count(col.missing), "yellow" if col.missing else "dim"),
        "missing_pct": _right(f"{pct:.1f}" if pct else "0", "yellow" if pct else "dim"),
        "distinct": _right(format_count(col.distinct) if col.distinct is not None else "?"),
        "mean": _right(format_number(col.mean) if numbers else ""),
        "std": _right(format_number(col.std) if numbers else ""),
        "min": _right(format_number(col.min, limit=24)),
        "q25": _right(format_number(col.q25) if ordered else ""),
        "q50": _right(format_number(col.q50) if ordered else ""),
        "q75": _right(format_number(col.q75) if ordered else ""),
        "max": _right(format_number(col.max, limit=24)),
        "top": Text(shorten(str(col.top), 24) if col.top is not None else ""),
        "freq": _right(format_count(col.freq) if col.freq is not None else ""),
    }
    return [values[key] for key, _ in METRICS]


def _right(text: str, style: str = "") -> Text:
    return Text(text, style=style, justify="right")


class DescribeTable(DataTable[Text]):
    """The describe table; its cursor is a row (a column of the output table), `enter`
    opens that column in full."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def on_mount(self) -> None:
        self.cursor_type = "row"
        for key, label in METRICS:
            self.add_column(label, key=key)

    def show_schema(self, schema: TableSchema) -> None:
        """Column names and types while the profile computes."""
        self.clear()
        for name, db_type in schema.columns:
            blanks = [Text("…", style="dim", justify="right")] * (len(METRICS) - 2)
            name_cell = data_text(name, "bold", limit=NAME_WIDTH)
            self.add_row(name_cell, data_text(db_type.lower(), "dim", limit=24), *blanks)

    def show_profile(self, profile: TableProfile) -> None:
        row, scroll_x, scroll_y = self.cursor_row, self.scroll_x, self.scroll_y
        self.clear()
        for col in profile.columns:
            self.add_row(*describe_cells(col), key=col.name)
        if profile.columns:
            self.move_cursor(row=min(row, len(profile.columns) - 1), animate=False)
        self.scroll_to(x=scroll_x, y=scroll_y, animate=False)

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:  # a profile's row (the schema's have no key)
            event.stop()
            self.post_message(ColumnChosen(str(event.row_key.value)))
