"""A table's first and last rows as pandas shows them, read without transferring the rest."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ddtui.backends import backend_for


def _plain(value: Any, processor: Any) -> Any:
    """A head/tail value as pandas would show it (decimals become floats, as coerce_float)."""
    if processor is not None and value is not None:
        value = processor(value)
    return float(value) if isinstance(value, Decimal) else value


def as_records(
    rows: Sequence[Sequence[Any]], columns: Sequence[sa.Column[Any]], processors: Sequence[Any]
) -> list[dict[str, Any]]:
    """Rows as dicts of column name -> Python value."""
    names = [c.name for c in columns]
    return [
        {
            name: _plain(value, proc)
            for name, value, proc in zip(names, row, processors, strict=True)
        }
        for row in rows
    ]


def readable(columns: Sequence[sa.Column[Any]]) -> list[sa.ColumnElement[Any]]:
    """Columns to select for display: floats as floats (MySQL DOUBLE is a 10-place Decimal)."""
    return [
        sa.type_coerce(c, sa.Double()).label(c.name) if isinstance(c.type, sa.Float) else c
        for c in columns
    ]


def read_ends(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    row_count: int,
    head_rows: int,
    *,
    order_by: sa.ColumnElement[Any] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The first and the last rows in scan order, read without transferring the rest."""
    if head_rows <= 0 or not columns:
        return [], []
    stmt = sa.select(*readable(columns)).select_from(table)
    backend = backend_for(conn)
    head = backend.first_rows(conn, stmt, table, head_rows, order_by)
    tail = backend.last_rows(conn, stmt, table, row_count, head_rows) if row_count > 0 else []
    processors = [None] * len(columns)
    return as_records(head, columns, processors), as_records(tail, columns, processors)
