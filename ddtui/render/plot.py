"""The one place ddtui draws with plotext: a private figure per chart, built to text.

plotext keeps a global figure that every `plotext.bar` call draws on; ddtui never uses
it (two charts drawn from two threads would mix). plotext is imported on the first chart.
"""

from __future__ import annotations

import re
from typing import Any

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """`text` without ANSI escape sequences."""
    return _ANSI.sub("", text)


def new_figure(width: int, height: int, *, color: bool, title: str) -> Any:
    """A private plotext figure of `width` x `height` cells, coloured or plain, titled."""
    from plotext._figure import _figure_class  # a private figure, never plotext's global one

    figure = _figure_class()
    figure.plot_size(width, height)
    figure.theme("pro" if color else "clear")
    figure.title(title)
    return figure


def build_text(figure: Any, *, color: bool) -> str:
    """The figure drawn as text lines; without colour, no escape sequences at all."""
    text: str = figure.build()
    return text if color else strip_ansi(text)
