"""The exact profile of a table beyond the memory budget: passes over the rows, no column kept.

Within the budget (stream.MEMORY_VALUES) one pass keeps every number and datetime column
in memory, which is fastest. Beyond it, peak memory must not grow with the table:

- numbers and datetimes are read in two passes (rarely more) by the bounded accumulators
  (bounded.py), which count distinct values through temporary files (distinct.py);
- text columns are counted in Python only while they have few values: one that turns out
  many-valued is handed over to SQLite (bounded.HandedOverCounts, sqlite_groups.py), so no
  Counter grows with the table.

The SQLite work runs on other connections in parallel with the passes, as in stream.py.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ddtui.errors import DataSourceError
from ddtui.profile.control import Control
from ddtui.profile.ends import read_ends, readable
from ddtui.profile.models import ColumnProfile
from ddtui.profile.plan import StrategyResult
from ddtui.profile.streaming.accumulate import Accumulator, ColumnSpec, Settings
from ddtui.profile.streaming.bounded import HandedOverCounts, Passes, bounded_accumulator_for
from ddtui.profile.streaming.scan import chunk_rows, row_chunks, scan
from ddtui.profile.streaming.sqlite_counter import GroupCounter
from ddtui.profile.streaming.sqlite_groups import (
    CountJob,
    count_jobs,
    countable,
    parallel_capable,
    recount_if_moved,
    rowid_column,
)


def read_again(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    passing: Mapping[int, Passes],
    *,
    order_by: sa.ColumnElement[Any] | None,
    control: Control,
    rows: int,
) -> None:
    """One more pass over the columns that need it, in the first pass's order."""
    indexes = sorted(passing)
    stmt = sa.select(*readable([columns[i] for i in indexes])).select_from(table)
    if order_by is not None:
        stmt = stmt.order_by(order_by)
    read = 0
    names = ", ".join(columns[i].name for i in indexes[:3]) + (", ..." if len(indexes) > 3 else "")
    for chunk in row_chunks(conn, stmt, chunk_rows(len(indexes))):
        for position, index in enumerate(indexes):
            passing[index].add_again(chunk, position)
        read += len(chunk)
        control.report(read / max(rows, 1), f"reading {names} again: {read:,} of {rows:,} rows")


@contextmanager
def _temporary_directory() -> Iterator[str]:
    """Where the distinct counters write; a full or read-only disk is one line, not a trace."""
    try:
        with tempfile.TemporaryDirectory(prefix="ddtui-profile-") as directory:
            yield directory
    except OSError as exc:
        raise DataSourceError(
            f"an exact profile of a table this large counts distinct values in temporary "
            f"files, and they could not be written: {exc}"
        ) from exc


def passes_profile(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    specs: Sequence[ColumnSpec],
    *,
    settings: Settings,
    control: Control,
    rows: int,
    head_rows: int,
) -> StrategyResult:
    """Profiles of all columns in bounded memory, head, tail and the rows read."""
    parallel = parallel_capable(conn.engine)
    jobs = count_jobs(conn, table, columns, specs)  # as for one pass: none if not parallel
    counted = {job.index for job in jobs}
    # rowid order in every pass: the order pandas reads, and numpy's sums depend on it.
    rowid = jobs[0].rowid if jobs else rowid_column(conn, table)
    streamed = [i for i in range(len(columns)) if i not in counted]
    can_hand_over = {
        specs[i]: i
        for i in streamed
        if parallel and rowid is not None and specs[i].kind in {"text", "other"}
        and countable(columns[i], specs[i], conn.dialect)
    }  # fmt: skip

    def make(spec: ColumnSpec, settings: Settings, capacity: int) -> Accumulator:
        if spec in can_hand_over:
            return HandedOverCounts(spec, settings, capacity)
        return bounded_accumulator_for(spec, settings, capacity)

    profiles: dict[int, ColumnProfile] = {}
    with (
        GroupCounter(conn.engine, jobs, settings) as counter,
        _temporary_directory() as directory,
    ):
        counter.start()
        accumulators, head, tail, read = scan(
            conn, table, [columns[i] for i in streamed], [specs[i] for i in streamed],
            settings=settings, control=control.slice(0.0, 0.45), expected_rows=rows,
            head_rows=head_rows, order_by=rowid, make=make,
        )  # fmt: skip
        by_index: dict[int, Accumulator] = dict(zip(streamed, accumulators, strict=True))
        passing = {
            i: acc
            for i, acc in by_index.items()
            if isinstance(acc, Passes) and acc.end_first_pass(Path(directory), f"column-{i}")
        }
        step = 0
        while passing:
            # The second pass does most; a third is rare: give them 0.45-0.8 and 0.8-0.85.
            start, end = (0.45, 0.8) if step == 0 else (0.8, 0.85)
            read_again(
                conn, table, columns, passing, order_by=rowid,
                control=control.slice(start, end), rows=rows,
            )  # fmt: skip
            passing = {i: acc for i, acc in passing.items() if acc.end_pass()}
            step += 1
        # Each accumulator dropped once finished, as stream.finish_all does.
        for index in list(by_index):
            accumulator = by_index.pop(index)
            if isinstance(accumulator, HandedOverCounts) and accumulator.handed_over:
                assert rowid is not None
                jobs.append(CountJob(index, table, columns[index], specs[index], rowid))
                counter.add(jobs[-1])
            else:
                profiles[index] = accumulator.finish()
        profiles.update(counter.finish(control.slice(0.85, 1.0)))
    recount_if_moved(conn, jobs, profiles, rows, settings)
    if counted:  # the stream had only some of the columns
        head, tail = read_ends(conn, table, columns, rows, head_rows, order_by=rowid)
    return StrategyResult([profiles[i] for i in range(len(columns))], head, tail, read)
