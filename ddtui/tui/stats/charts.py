"""One column's chart as Rich text: the chart `ddtui describe` prints, sized to the widget."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ddtui.tui.format import data_text

if TYPE_CHECKING:  # ddtui.profile loads numpy: only when a profile is computed
    from ddtui.profile.models import ColumnProfile


def chart_text(col: ColumnProfile, width: int, height: int, color: bool = True) -> Text:
    """The chart of ddtui.render.profile (text lines whose only escapes are its own colours:
    data in it went through safe_text), as Rich text."""
    if width < 12 or height < 3:
        return data_text(col.name, limit=max(width, 1))
    from ddtui.render.profile import render_column_chart

    return Text.from_ansi(render_column_chart(col, width, height, color), no_wrap=True)
