"""Reading a table's rows in chunks: one pass over the columns that feeds their accumulators
and keeps the head and tail rows. The one-pass profile (stream.py) and the passes beyond
the memory budget (passes.py) both read through it."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from ddtui.backends import backend_for
from ddtui.backends.watchdog import watched_rows
from ddtui.profile.control import Control
from ddtui.profile.ends import as_records, readable
from ddtui.profile.streaming.accumulate import Accumulator, ColumnSpec, Settings, accumulator_for

# Values per chunk (rows x columns): bounds the memory a chunk of Python objects takes.
CHUNK_VALUES = 200_000
MAX_CHUNK_ROWS = 65_536


def chunk_rows(column_count: int) -> int:
    """Rows per fetch so that a chunk holds about CHUNK_VALUES values."""
    return max(256, min(MAX_CHUNK_ROWS, CHUNK_VALUES // max(column_count, 1)))


def _raw_chunks(conn: sa.Connection, stmt: sa.Select[Any], size: int) -> Iterator[Sequence[Any]]:
    """Row tuples straight from the DBAPI cursor, skipping SQLAlchemy's per-row work."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled))
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()


def _core_chunks(conn: sa.Connection, stmt: sa.Select[Any], size: int) -> Iterator[Sequence[Any]]:
    """Row tuples through SQLAlchemy with a server-side cursor where the dialect has one."""
    result = conn.execution_options(stream_results=True, yield_per=size).execute(stmt)
    yield from watched_rows(conn, result, result.partitions(size))


def row_chunks(conn: sa.Connection, stmt: sa.Select[Any], size: int) -> Iterator[Sequence[Any]]:
    """Chunks of row tuples of `stmt`; SQLite takes the fast raw-cursor path."""
    if backend_for(conn).capabilities.raw_cursor_stream:
        return _raw_chunks(conn, stmt, size)
    return _core_chunks(conn, stmt, size)


def _processors(conn: sa.Connection, columns: Sequence[sa.Column[Any]]) -> list[Any]:
    """SQLAlchemy's result processors, to turn raw values of head/tail rows into Python ones."""
    if not backend_for(conn).capabilities.raw_cursor_stream:
        return [None] * len(columns)  # the Core path already processed them
    return [c.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None) for c in columns]


def scan(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    specs: Sequence[ColumnSpec],
    *,
    settings: Settings,
    control: Control,
    expected_rows: int,
    limit: int | None = None,
    head_rows: int = 5,
    order_by: sa.ColumnElement[Any] | None = None,
    make: Callable[[ColumnSpec, Settings, int], Accumulator] = accumulator_for,
) -> tuple[list[Accumulator], list[dict[str, Any]], list[dict[str, Any]], int]:
    """Read the columns once, chunk by chunk; return accumulators, head, tail and rows read."""
    accumulators = [make(spec, settings, expected_rows) for spec in specs]
    if not columns:
        return accumulators, [], [], expected_rows
    stmt = sa.select(*readable(columns)).select_from(table)
    if order_by is not None:
        stmt = stmt.order_by(order_by)
    if limit is not None:
        stmt = stmt.limit(limit)
    head: list[Sequence[Any]] = []
    tail: deque[Sequence[Any]] = deque(maxlen=head_rows)
    rows_read = 0
    control.report(0.0, f"reading {expected_rows:,} rows")
    for rows in row_chunks(conn, stmt, chunk_rows(len(columns))):
        if len(head) < head_rows:
            head.extend(rows[: head_rows - len(head)])
        tail.extend(rows[-head_rows:] if head_rows else ())
        for index, accumulator in enumerate(accumulators):
            accumulator.add_rows(rows, index)
        rows_read += len(rows)
        control.report(
            rows_read / max(expected_rows, 1), f"read {rows_read:,} of {expected_rows:,} rows"
        )
    processors = _processors(conn, columns)
    return (
        accumulators,
        as_records(head, columns, processors),
        as_records(list(tail), columns, processors),
        rows_read,
    )
