"""Bounded, deterministic per-column value samples of a table, for KS and PSI across runs.

Rows are chosen spread through the table, so the same data gives the same sample: on
SQLite by looking up evenly spaced rowids (index lookups: ~0.1 s on a 1M-row table); on
PostgreSQL with `TABLESAMPLE BERNOULLI ... REPEATABLE (0)` thinned evenly (~0.15 s on 1M
rows); elsewhere with `row_number() OVER ()` keeping every k-th row (one scan in the
database; deterministic only as far as the scan order is), and, where window functions are
missing, the first rows. Queries are built
with SQLAlchemy Core: identifiers are quoted by SQLAlchemy, never formatted into SQL.

Values are stored JSON-ready by column kind: numbers as floats (NaN and infinities left
out), datetimes as POSIX seconds (naive values read as UTC), booleans as bools, text as
strings cut to 200 characters; binary columns are not sampled. NULLs are left out, so a
mostly-NULL column has a small sample: the missing share is compared from the profiles.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ddtui.backends import backend_for
from ddtui.errors import DataSourceError

if TYPE_CHECKING:
    from ddtui.outputs.table_slice import TableSlice

DEFAULT_SAMPLE_SIZE = 2_000
MAX_TEXT_LENGTH = 200

Samples = dict[str, list[Any]]


def draw_samples(
    engine: Engine,
    table: str,
    schema: str | None = None,
    *,
    size: int = DEFAULT_SAMPLE_SIZE,
    kinds: Mapping[str, str] | None = None,
    row_count: int | None = None,
    partition: TableSlice | None = None,
) -> Samples:
    """Up to `size` evenly spaced rows, as one list of non-NULL values per column.

    `kinds` maps column names to profile kinds ("number", "text", "boolean", "datetime",
    "binary", "other"), e.g. from a TableProfile; columns missing from it are classified
    from their database type, and untyped ones from their values.
    """
    try:
        with engine.connect() as conn:
            db_columns = backend_for(conn).columns(conn, table, schema)
            if not db_columns:
                raise DataSourceError(f"table {_name(table, schema)} not found or has no columns")
            names = [c["name"] for c in db_columns]
            if partition is None:
                source = sa.table(table, *(sa.column(n) for n in names), schema=schema)
                rows = _sample_rows(conn, source, names, size, row_count)
            else:
                rows = _partition_rows(conn, table, schema, db_columns, partition, size, row_count)
    except SQLAlchemyError as exc:
        raise DataSourceError(f"sampling {_name(table, schema)}: {_first_line(exc)}") from exc
    declared = {c["name"]: _kind_of_type(c["type"]) for c in db_columns}
    samples: Samples = {}
    for index, name in enumerate(names):
        values = [row[index] for row in rows]
        kind = (kinds or {}).get(name) or declared[name] or _kind_of_values(values)
        if kind == "binary":
            continue
        samples[name] = _convert(values, kind)
    return samples


def sample_kinds(profile_columns: Sequence[Any]) -> dict[str, str]:
    """Column kinds from a TableProfile's columns, for `draw_samples(kinds=...)`."""
    return {c.name: c.kind for c in profile_columns}


def _sample_rows(
    conn: Connection, source: sa.TableClause, names: list[str], size: int, row_count: int | None
) -> list[Sequence[Any]]:
    backend = backend_for(conn)
    rows = backend.sample_by_rowid(conn, source, names, size)
    if rows is not None:
        return rows
    if row_count is None:
        row_count = int(conn.execute(sa.select(sa.func.count()).select_from(source)).scalar() or 0)
    if row_count <= size:
        return list(conn.execute(sa.select(*source.c)).all())
    rows = backend.sample_rows(conn, source, size, row_count)
    if rows is not None:
        return rows
    return _evenly_spaced(conn, source, names, size, row_count)


def _partition_rows(  # noqa: PLR0917
    conn: Connection,
    table: str,
    schema: str | None,
    db_columns: Sequence[Mapping[str, Any]],
    partition: TableSlice,
    size: int,
    row_count: int | None,
) -> list[Sequence[Any]]:
    """Evenly spaced rows of the partition (the rowid and TABLESAMPLE ways read the whole
    table). Typed columns bind the partition's values; the values come back raw, as the
    whole-table ways read them."""
    typed = sa.table(table, *(sa.column(c["name"], c["type"]) for c in db_columns), schema=schema)
    raw = [sa.type_coerce(c, sa.types.NullType()).label(c.name) for c in typed.c]
    sliced = sa.select(*raw).where(partition.where(typed)).subquery(table)
    return _evenly_spaced(conn, sliced, [c["name"] for c in db_columns], size, row_count)


def _evenly_spaced(
    conn: Connection,
    source: sa.TableClause | sa.Subquery,
    names: list[str],
    size: int,
    row_count: int | None,
) -> list[Sequence[Any]]:
    """Every k-th row by `row_number() OVER ()`; the first rows without window functions."""
    if row_count is None:
        row_count = int(conn.execute(sa.select(sa.func.count()).select_from(source)).scalar() or 0)
    if row_count <= size:
        return list(conn.execute(sa.select(*source.c)).all())
    step = row_count // size
    numbered = sa.select(
        *source.c, sa.func.row_number().over().label("ddtui_row_number")
    ).subquery()
    query = (
        sa.select(*(numbered.c[n] for n in names))
        .where(numbered.c.ddtui_row_number % step == 0)
        .limit(size)
    )
    try:
        with conn.begin_nested():
            return list(conn.execute(query).all())
    except SQLAlchemyError:
        # No window functions (MySQL 5.7, old SQLite): the first rows, which is a weaker sample.
        return list(conn.execute(sa.select(*source.c).limit(size)).all())


def _kind_of_type(type_: Any) -> str | None:
    if isinstance(type_, sa.Boolean):
        return "boolean"
    if isinstance(type_, sa.Integer | sa.Numeric | sa.Float):
        return "number"
    if isinstance(type_, sa.DateTime | sa.Date):
        return "datetime"
    if isinstance(type_, sa.LargeBinary):
        return "binary"
    if isinstance(type_, sa.String | sa.Enum):
        return "text"
    return None


def _kind_of_values(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if present and all(isinstance(v, int | float | decimal.Decimal) for v in present):
        return "number"
    if present and all(isinstance(v, dt.date) for v in present):
        return "datetime"
    if present and all(isinstance(v, bytes | memoryview) for v in present):
        return "binary"
    return "text"


def _convert(values: list[Any], kind: str) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value is None:
            continue
        converted = to_sample_value(value, kind)
        if converted is not None:
            out.append(converted)
    return out


def to_sample_value(value: Any, kind: str) -> Any:
    """One value as stored in a sample (see the module docstring); None to leave it out."""
    if kind == "number":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        return number if math.isfinite(number) else None
    if kind == "datetime":
        return to_timestamp(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return bool(value)
        text = str(value).strip().lower()
        return {"true": True, "1": True, "false": False, "0": False}.get(text)
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)[:MAX_TEXT_LENGTH]


def to_timestamp(value: Any) -> float | None:
    """POSIX seconds of a datetime, date or ISO string (naive read as UTC); None otherwise."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _name(table: str, schema: str | None) -> str:
    return f"{schema}.{table}" if schema else table


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__
