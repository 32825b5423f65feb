"""How states, durations, times and counts look in the panes (plain text, no widgets)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.text import Text

from ddtui.render.values import format_count
from ddtui.terminal_text import safe_text


@dataclass(frozen=True)
class StateLook:
    """A state's glyph, its short word (so colour is never the only cue) and its style."""

    glyph: str
    word: str
    style: str


# Glyphs are decoration: the word carries the meaning on a console without them.
STATE_LOOKS: dict[str, StateLook] = {
    "success": StateLook("✓", "ok", "green"),
    "failed": StateLook("✗", "failed", "bold red"),
    "upstream_failed": StateLook("!", "upstream", "red"),
    "running": StateLook("▶", "running", "bold yellow"),
    "queued": StateLook("…", "queued", "cyan"),
    "scheduled": StateLook("…", "scheduled", "cyan"),
    "deferred": StateLook("…", "deferred", "magenta"),
    "up_for_retry": StateLook("↻", "retry", "yellow"),
    "up_for_reschedule": StateLook("↻", "resched", "cyan"),
    "restarting": StateLook("↻", "restart", "magenta"),
    "skipped": StateLook("-", "skipped", "magenta"),
    "removed": StateLook("-", "removed", "dim"),
}
NO_STATE = StateLook("·", "none", "dim")


ID_WIDTH = 120  # DAG, task and run ids longer than this are cut in titles and lines


def data_text(value: object, style: str = "", *, limit: int | None = None) -> Text:
    """Text from data (ids, names, values, messages quoting them) as a Rich Text: controls
    shown as glyphs by `safe_text`, and never parsed as markup (`[bold]` stays literal)."""
    return Text(safe_text(value, limit), style=style)


def state_look(state: str | None) -> StateLook:
    return STATE_LOOKS.get(state or "", NO_STATE)


def state_text(state: str | None, *, width: int = 0) -> Text:
    """`✓ ok` in the state's colour, padded to `width`."""
    look = state_look(state)
    text = Text(f"{look.glyph} {look.word}", style=look.style)
    if width:
        text.pad_right(max(0, width - len(text)))
    return text


def compact_count(value: int) -> str:
    """A count in at most 6 characters for the task list: 99 999, 432k, 1.0M, 12.3M, 4.6B.

    The stats pane's title gives the exact figure.
    """
    if value < 100_000:
        return format_count(value)
    for divisor, unit, digits in ((1e3, "k", 0), (1e6, "M", 1), (1e9, "B", 1)):
        scaled = round(value / divisor, digits)
        if scaled < 1000:
            return f"{scaled:.{digits}f}{unit}"
    return f"{value / 1e12:.1f}T"


def format_number(value: object, digits: int = 6, limit: int | None = None) -> str:
    """Describe-table cells: floats to `digits` significant digits, others as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return f"{value:.{digits}g}"
    if isinstance(value, int):
        return format_count(value)
    if hasattr(value, "isoformat"):  # datetimes, pandas Timestamps: seconds are enough here
        return str(value)[:19]
    return safe_text(value, limit)  # text values (top, min, max of a text column) come from data


def shorten(text: str, width: int) -> str:
    """`text` terminal-safe, cut to `width` characters."""
    return safe_text(text, width)


# Data-health badges as short words (ASCII, so any console shows them); colour only adds.
BADGE_WORDS = {
    "watch": ("watch", "yellow"),
    "drift": ("drift", "bold red"),
    "constant": ("const", "bold red"),
    "all-null": ("null", "bold red"),
    "rows-dropped": ("rows-", "bold red"),
}
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


def badge_text(badge: str | None) -> Text:
    if badge is None:
        return Text("")
    word, style = BADGE_WORDS.get(badge, (badge, "bold"))
    return Text(word, style=style)


def sparkline(values: list[int]) -> str:
    """Row counts (oldest first) as block characters, scaled from 0 to the largest."""
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return SPARK_BLOCKS[0] * len(values)
    last = len(SPARK_BLOCKS) - 1
    return "".join(SPARK_BLOCKS[round(last * max(v, 0) / top)] for v in values)
