"""First and last rows of a PostgreSQL table in heap order, by TID range scans.

A plain `LIMIT` may start mid-table: while another scan of a large table runs (the
push-down's other connection, another user), PostgreSQL joins it where it is
(synchronize_seqscans). An `OFFSET` for the tail reads every row before it. Ranges of
ctid (TID Range Scan, PostgreSQL 14+) read only the first or last pages, in the order a
scan from the first page returns the rows: the order pandas reads an unshared table in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

# Relation kinds with a heap of their own: ordinary tables and materialized views.
HEAP_KINDS = frozenset({"r", "m"})
# Pages a range grows by per try (an emptied end of the table needs more than one page).
GROWTH = 4


def heap_pages(conn: sa.Connection, table: sa.Table) -> int | None:
    """Pages in the table's heap, or None when it has none of its own (view, partitioned)."""
    if not isinstance(table, sa.Table):
        return None  # a partition's rows: a ctid range would not select within the slice
    if (conn.dialect.server_version_info or (0,)) < (14,):
        return None  # no TID Range Scan: a ctid range would read the whole table
    name = conn.dialect.identifier_preparer.format_table(table)
    row = conn.execute(
        sa.text(
            "SELECT c.relkind, pg_relation_size(c.oid) / current_setting('block_size')::int "
            "FROM pg_class c WHERE c.oid = to_regclass(:name)"
        ),
        {"name": name},
    ).one_or_none()
    if row is None or str(row[0]) not in HEAP_KINDS:
        return None
    return int(row[1])


def _in_pages(
    conn: sa.Connection, select: sa.Select[Any], condition: str, page: int, *, limit: int
) -> Sequence[Sequence[Any]]:
    """Rows before page `page` (condition "<") or from it on (">="), nearest it first."""
    descending = condition == ">="
    ctid: sa.ColumnElement[Any] = sa.literal_column("ctid")
    stmt = (
        select.where(sa.text(f"ctid {condition} CAST(:tid AS tid)").bindparams(tid=f"({page},0)"))
        .order_by(ctid.desc() if descending else ctid)
        .limit(limit)
    )
    return conn.execute(stmt).all()


def first_rows(
    conn: sa.Connection, select: sa.Select[Any], pages: int, limit: int
) -> Sequence[Sequence[Any]]:
    """The first `limit` rows of `select` (a plain select of one table) in heap order."""
    end = 1
    while True:
        rows = _in_pages(conn, select, "<", end, limit=limit)
        if len(rows) >= limit or end >= pages:
            return rows
        end *= GROWTH


def last_rows(
    conn: sa.Connection, select: sa.Select[Any], pages: int, limit: int
) -> Sequence[Sequence[Any]]:
    """The last `limit` rows of `select` in heap order (first to last)."""
    start, span = max(pages - 1, 0), 1
    while True:
        rows = _in_pages(conn, select, ">=", start, limit=limit)
        if len(rows) >= limit or start == 0:
            return rows[::-1]
        span *= GROWTH
        start = max(pages - span, 0)
