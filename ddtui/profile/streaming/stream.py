"""The "stream" and "sample" strategies: one pass over the rows in bounded chunks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ddtui.profile.control import Control
from ddtui.profile.ends import read_ends
from ddtui.profile.models import ColumnProfile
from ddtui.profile.plan import StrategyResult
from ddtui.profile.streaming.accumulate import Accumulator, ColumnSpec, Settings
from ddtui.profile.streaming.arrow_profile import arrow_jobs, arrow_scan
from ddtui.profile.streaming.scan import scan
from ddtui.profile.streaming.sqlite_counter import GroupCounter
from ddtui.profile.streaming.sqlite_groups import count_jobs, recount_if_moved

# Number and datetime values an exact profile keeps in memory (8 bytes each): within it,
# one pass keeps each such column whole; beyond it (a 10M-row table with 6 such columns),
# the profile reads the table in passes and keeps no column (see passes.py).
MEMORY_VALUES = 16_000_000


def finish_all(accumulators: list[Accumulator], control: Control) -> list[ColumnProfile]:
    """Each accumulator's profile; each is dropped once finished, freeing its column's memory."""
    profiles: list[ColumnProfile] = []
    total = len(accumulators)
    accumulators.reverse()
    while accumulators:
        accumulator = accumulators.pop()
        control.report(len(profiles) / max(total, 1), f"summarising {accumulator.spec.name}")
        profiles.append(accumulator.finish())
    return profiles


def kept_values(rows: int, specs: Sequence[ColumnSpec]) -> int:
    """Values a one-pass exact profile would keep in memory (numbers and datetimes)."""
    return rows * sum(spec.kind in {"number", "datetime"} for spec in specs)


def stream_profile(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    specs: Sequence[ColumnSpec],
    *,
    settings: Settings,
    control: Control,
    rows: int,
    limit: int | None,
    head_rows: int,
) -> StrategyResult:
    """Profiles of all columns from one pass over the rows, head, tail and the rows read.

    For an exact profile of an SQLite table, SQLite itself counts the text and boolean
    columns (GROUP BY, see sqlite_groups.py) while this thread streams the others.
    """
    if limit is None and kept_values(rows, specs) > MEMORY_VALUES:
        from ddtui.profile.streaming.passes import passes_profile

        return passes_profile(
            conn, table, columns, specs, settings=settings, control=control, rows=rows,
            head_rows=head_rows,
        )  # fmt: skip
    expected = min(rows, limit) if limit is not None else rows
    jobs = count_jobs(conn, table, columns, specs) if limit is None else []
    # Arrow reads the columns faster than the stream: SQLite keeps the many-valued ones.
    arrow = arrow_jobs(conn, table, specs, jobs, rows) if limit is None else None
    if arrow is not None:
        jobs = arrow
    counted = {job.index for job in jobs}
    streamed = [i for i in range(len(columns)) if i not in counted]
    # Streaming fewer columns could let SQLite pick a covering index and another order;
    # rowid order is the order pandas reads the table in, and the order first-seen counts use.
    order_by = jobs[0].rowid if jobs else None
    profiles: dict[int, ColumnProfile] = {}
    with GroupCounter(conn.engine, jobs, settings) as counter:
        counter.start()
        read_arrow = arrow_scan(
            conn, table, [columns[i] for i in streamed], [specs[i] for i in streamed],
            settings=settings, control=control.slice(0.0, 0.8), rows=rows,
        ) if arrow is not None else None  # fmt: skip
        if read_arrow is not None:
            accumulators, read = read_arrow, rows  # head and tail: read_ends below
        else:
            accumulators, head, tail, read = scan(
                conn, table, [columns[i] for i in streamed], [specs[i] for i in streamed],
                settings=settings, control=control.slice(0.0, 0.8), expected_rows=expected,
                limit=limit, head_rows=head_rows, order_by=order_by,
            )  # fmt: skip
        finished = finish_all(accumulators, control.slice(0.8, 0.9))
        profiles.update(zip(streamed, finished, strict=True))
        profiles.update(counter.finish(control.slice(0.9, 1.0)))
    recount_if_moved(conn, jobs, profiles, rows, settings)
    if jobs or read_arrow is not None:  # the stream had only some of the columns, or none
        head, tail = read_ends(conn, table, columns, rows, head_rows, order_by=order_by)
    return StrategyResult([profiles[i] for i in range(len(columns))], head, tail, read)
