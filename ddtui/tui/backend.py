"""The data-layer calls the TUI makes, in one place; every one of them runs in a thread worker.

The TUI never builds queries itself: it calls the metastore reader, the output resolver,
the data-source engines and the profiler, and turns what they return into messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ddtui.outputs.table_slice import TableSlice
    from ddtui.profile.models import ColumnProfile, TableProfile, TableSchema


def profile_stages(
    engine: Engine,
    table: str,
    schema: str | None = None,
    *,
    progress: Callable[..., None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    partition: TableSlice | None = None,
    approx: bool = False,
) -> Iterator[TableSchema | TableProfile]:
    """The profiler's stages: schema and row count, a sample profile, the exact profile (or
    with `approx`, the approximate one where the database has approximate aggregates)."""
    from ddtui.profile import profile_stages as stages  # pandas and friends load on first use

    return stages(
        engine, table, schema, progress=progress, cancelled=cancelled, partition=partition,
        mode="approx" if approx else "exact",
    )  # fmt: skip


def is_cancellation(exc: BaseException) -> bool:
    """True for the profiler's own 'you asked me to stop' exception."""
    from ddtui.profile import ProfileCancelled

    return isinstance(exc, ProfileCancelled)


def render_column_chart(col: ColumnProfile, width: int, height: int, color: bool) -> str:
    """One column's chart as text with ANSI colours (the same chart `describe` prints)."""
    from ddtui.render.profile import render_column_chart as render

    return render(col, width, height, color)


def progress_fraction(*args: Any, **kwargs: Any) -> tuple[float | None, str]:
    """Read the profiler's progress callback arguments as (fraction done, note)."""
    values = list(args) + list(kwargs.values())
    if len(values) == 1 and not isinstance(values[0], int | float):
        item = values[0]
        fraction = getattr(item, "fraction", None)
        if fraction is None:
            done, total = getattr(item, "done", None), getattr(item, "total", None)
            fraction = done / total if done is not None and total else None
        note = str(getattr(item, "stage", "") or getattr(item, "message", "") or "")
        return fraction, note
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    notes = [v for v in values if isinstance(v, str)]
    note = notes[0] if notes else ""
    if len(numbers) >= 2 and numbers[1]:
        return min(1.0, numbers[0] / numbers[1]), note
    if len(numbers) == 1 and numbers[0] <= 1:
        return float(numbers[0]), note
    return None, note
