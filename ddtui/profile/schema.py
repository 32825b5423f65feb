"""What a table is before any profiling: reflected columns, their kinds, the row count."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from ddtui.backends import backend_for
from ddtui.backends.engines import is_timeout, mask_url
from ddtui.config.settings import DATA_TIMEOUT_ENV
from ddtui.errors import DataSourceError, QueryTimeoutError
from ddtui.profile.models import ColumnKind, TableSchema


def masked_url(engine: sa.Engine) -> str:
    """The engine's URL with the password hidden, for messages."""
    return mask_url(engine.url)


def display_name(table: str, schema: str | None) -> str:
    """`schema.table`, or `table` when there is no schema."""
    return f"{schema}.{table}" if schema else table


@contextmanager
def translated_errors(engine: sa.Engine, table: str) -> Iterator[None]:
    """Turn driver errors into one-line DataSourceErrors that name the table and masked URL."""
    try:
        yield
    except sa.exc.NoSuchTableError as exc:
        raise DataSourceError(f"table {table!r} not found in {masked_url(engine)}") from exc
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        if is_timeout(exc):
            raise QueryTimeoutError(
                f"query on {table!r} in {masked_url(engine)} timed out: {reason}; "
                f"set {DATA_TIMEOUT_ENV} (seconds) to wait longer"
            ) from exc
        raise DataSourceError(f"cannot read {table!r} in {masked_url(engine)}: {reason}") from exc


def reflect_table(conn: sa.Connection, table: str, schema: str | None) -> sa.Table:
    """The table's columns as SQLAlchemy reflects them (identifiers quoted by SQLAlchemy)."""
    return backend_for(conn).reflect_table(conn, table, schema)


def column_kind(sa_type: sa.types.TypeEngine[object]) -> ColumnKind:
    """How we profile a column of this SQL type (mirrors how pandas.read_sql_table reads it)."""
    if isinstance(sa_type, sa.Boolean):
        return "boolean"
    if isinstance(sa_type, sa.Integer | sa.Numeric | sa.Float):  # Float: not Numeric in SA 2.1
        return "number"
    if isinstance(sa_type, sa.DateTime | sa.Date):
        return "datetime"
    if isinstance(sa_type, sa.String):
        return "text"
    if isinstance(sa_type, sa.LargeBinary | sa.types._Binary):
        return "binary"
    return "other"


def type_name(column: sa.Column[object], dialect: sa.Dialect) -> str:
    """The column's type as the database spells it."""
    try:
        return column.type.compile(dialect=dialect)
    except sa.exc.CompileError:
        return str(column.type.__class__.__name__)


def count_rows(conn: sa.Connection, table: sa.Table) -> int:
    """COUNT(*) of the table."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def read_schema(engine: sa.Engine, table: str, schema: str | None = None) -> TableSchema:
    """Columns and types by inspection, plus COUNT(*); reads no rows."""
    with translated_errors(engine, display_name(table, schema)), engine.connect() as conn:
        reflected = reflect_table(conn, table, schema)
        rows = count_rows(conn, reflected)
    columns = [(c.name, type_name(c, engine.dialect)) for c in reflected.columns]
    return TableSchema(table=display_name(table, schema), columns=columns, row_count=rows)
