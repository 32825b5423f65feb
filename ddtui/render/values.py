"""How times, durations and counts read, in `ddtui` listings and in the TUI alike."""

from __future__ import annotations

from datetime import datetime


def format_duration(seconds: float | None) -> str:
    """`3.2s`, `42s`, `5m07s`, `2h05m`, `3d04h`; `-` when unknown."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        days, hours = divmod(hours, 24)
        return f"{days}d{hours:02d}h"
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def format_when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def format_count(value: int | None) -> str:
    """Thousands with thin separators that any console shows: 12 345."""
    if value is None:
        return ""
    return f"{value:,}".replace(",", " ")
