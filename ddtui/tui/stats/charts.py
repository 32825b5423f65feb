"""One column's chart as Rich text: the chart `ddtui describe` prints, sized to the widget."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.color import Color, ColorType
from rich.style import Style
from rich.text import Span, Text
from textual.color import Color as TextualColor

from ddtui.tui.format import data_text

if TYPE_CHECKING:  # ddtui.profile loads numpy: only when a profile is computed
    from textual.theme import Theme

    from ddtui.profile.models import ColumnProfile


def chart_text(
    col: ColumnProfile, width: int, height: int, color: bool = True, bars: Color | None = None
) -> Text:
    """The chart of ddtui.render.profile (text lines whose only escapes are its own colours:
    data in it went through safe_text), as Rich text; its bars in `bars` when given (the
    theme's primary colour), else in the terminal's cyan."""
    if width < 12 or height < 3:
        return data_text(col.name, limit=max(width, 1))
    from ddtui.render.profile import render_column_chart

    text = Text.from_ansi(render_column_chart(col, width, height, color), no_wrap=True)
    return recoloured(text, bars) if bars is not None else text


_CYAN = 6  # the standard colour number of the renderer's bars (ANSI 36)


def recoloured(text: Text, bars: Color) -> Text:
    """`text` with its cyan (the renderer's bar colour) replaced by `bars`."""
    swapped = Style(color=bars)

    def swap(style: str | Style) -> str | Style:
        colour = style.color if isinstance(style, Style) else None
        standard = colour is not None and colour.type == ColorType.STANDARD
        return swapped if standard and colour.number == _CYAN else style  # type: ignore[union-attr]

    text.spans = [Span(span.start, span.end, swap(span.style)) for span in text.spans]
    return text


MIN_CONTRAST = 3.0  # WCAG's minimum for graphics: bars must read on the theme's background


def contrast(one: TextualColor, other: TextualColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(colour: TextualColor) -> float:
        def channel(value: int) -> float:
            v = value / 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)

    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def bar_colour(theme: Theme) -> Color:
    """The theme's primary colour for the bars; its foreground where the primary would not
    stand out from the background. ANSI themes keep the terminal's own colour."""
    primary = TextualColor.parse(theme.primary)
    if primary.ansi is not None or not theme.background:
        return primary.rich_color
    background = TextualColor.parse(theme.background)
    if contrast(primary, background) >= MIN_CONTRAST:
        return primary.rich_color
    fallback = theme.foreground or ("#e0e0e0" if theme.dark else "#202020")
    return TextualColor.parse(fallback).rich_color
