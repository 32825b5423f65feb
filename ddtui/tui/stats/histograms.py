"""Histograms tab: one chart per column as small multiples; `enter` opens the column view."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget

from ddtui.tui.messages import ColumnChosen
from ddtui.tui.stats.charts import bar_colour, chart_text

if TYPE_CHECKING:  # ddtui.profile loads numpy: only when a profile is computed
    from ddtui.profile.models import ColumnProfile, TableProfile

CHART_MIN_WIDTH = 36


class ColumnChart(Widget):
    """A column's chart, redrawn to its current size."""

    def __init__(self, column: ColumnProfile, *, classes: str = "") -> None:
        super().__init__(classes=classes)
        self.column = column
        self._cache: tuple[tuple[int, int, str], Text] | None = None

    def show_column(self, column: ColumnProfile) -> None:
        """Chart another profile of the column; redrawn (when on screen) only if it changed."""
        if column == self.column:
            return
        self.column, self._cache = column, None
        self.refresh()

    def render(self) -> Text:
        size = (self.content_size.width, self.content_size.height)
        theme = self.app.current_theme
        key = (*size, theme.name)
        if self._cache is None or self._cache[0] != key:
            bars = bar_colour(theme)  # the bars follow the theme
            self._cache = (key, chart_text(self.column, *size, bars=bars))
        return self._cache[1]


class HistogramGrid(VerticalScroll, can_focus=True):
    """Small multiples; arrows move the highlighted chart, `enter` opens it large."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_chart", "Column"),
        Binding("down,j", "move(1)", "Next row", show=False),
        Binding("up,k", "move(-1)", "Previous row", show=False),
        Binding("right,l", "step(1)", "Next chart", show=False),
        Binding("left,h", "step(-1)", "Previous chart", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: list[ColumnProfile] = []
        self.cursor = 0

    @property
    def per_row(self) -> int:
        return max(1, self.scrollable_content_region.width // CHART_MIN_WIDTH)

    def show_profile(self, profile: TableProfile) -> None:
        """One chart per column. Charts draw when on screen (plotext takes ~10-40 ms each);
        the exact profile replacing the sample reuses the charts, redrawing what changed."""
        columns = list(profile.columns)
        charts = list(self.query(ColumnChart))
        if [c.name for c in columns] == [c.name for c in self.columns] and len(charts) == len(
            columns
        ):
            for chart, col in zip(charts, columns, strict=True):
                chart.show_column(col)
            self.columns = columns
            return
        self.columns = columns
        self.cursor = min(self.cursor, max(0, len(self.columns) - 1))
        self.remove_children()
        self.mount_all([ColumnChart(col, classes="chart") for col in self.columns])
        self._apply_layout()
        self._highlight()

    def clear(self) -> None:
        self.columns = []
        self.remove_children()

    def on_resize(self) -> None:
        self._apply_layout()

    def _apply_layout(self) -> None:
        self.styles.grid_size_columns = self.per_row

    def _highlight(self) -> None:
        for index, chart in enumerate(self.query(ColumnChart)):
            chart.set_class(index == self.cursor, "-cursor")

    def action_move(self, rows: int) -> None:
        self._go(self.cursor + rows * self.per_row)

    def action_step(self, step: int) -> None:
        self._go(self.cursor + step)

    def _go(self, index: int) -> None:
        charts = list(self.query(ColumnChart))
        if not charts:
            return
        self.cursor = max(0, min(len(charts) - 1, index))
        self._highlight()
        self.scroll_to_widget(charts[self.cursor], animate=False)

    def action_open_chart(self) -> None:
        if self.columns:
            self.post_message(ColumnChosen(self.columns[self.cursor].name))

    def on_click(self, event: object) -> None:
        widget = getattr(event, "widget", None)
        charts = list(self.query(ColumnChart))
        if widget in charts:
            self.cursor = charts.index(widget)
            self._highlight()
