"""DuckDB files (the duckdb-engine dialect): opened read-only, each statement interrupted
past the time budget, push-down with DuckDB's own aggregates."""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import URL

from ddtui.backends.base import Backend, Budget, Capabilities
from ddtui.backends.expressions import Expr, SqlExpressions

# DuckDB type names (information_schema.data_type) that SQLAlchemy's PostgreSQL-derived
# names do not cover, as the types pandas reads them as.
_TYPES: dict[str, type[sa.types.TypeEngine[Any]]] = {
    "double": sa.Double,
    "float": sa.Float,
    "real": sa.Float,
    "hugeint": sa.BigInteger,
    "uhugeint": sa.BigInteger,
    "ubigint": sa.BigInteger,
    "uinteger": sa.BigInteger,
    "usmallint": sa.Integer,
    "utinyint": sa.SmallInteger,
    "tinyint": sa.SmallInteger,
    "varchar": sa.String,
    "blob": sa.LargeBinary,
    "timestamp_s": sa.DateTime,
    "timestamp_ms": sa.DateTime,
    "timestamp_ns": sa.DateTime,
}
# DuckDB's memory for hash tables and sorts before it spills to disk (its default is 80 %
# of the machine's memory, in ddtui's own process). Measured: COUNT(DISTINCT) of 100M
# distinct doubles completes in 256 MB (peak RSS 490 MB) and runs out at 64 MB from 30M;
# 5M take 0.6 s here, 1.2 s without a limit.
MEMORY_LIMIT = "256MB"
_DECIMAL = re.compile(r"(?:decimal|numeric)\((\d+),\s*(\d+)\)")


class DuckDBExpressions(SqlExpressions):
    """DuckDB stores NaN and infinities in doubles, has FILTER and epoch_us()."""

    def number(self, column: Expr) -> Expr:
        double: Expr = sa.cast(column, sa.Double())
        if isinstance(column.type, sa.Integer):
            return double
        # NaN compares equal to NaN here: NULLIF makes it missing, as pandas does.
        return sa.func.nullif(double, _NAN)

    def is_finite(self, value: Expr) -> Expr | None:
        return sa.func.isfinite(value)

    def approx_quantiles(self, value: Expr, fractions: tuple[float, ...]) -> list[Expr] | None:
        # One sketch for every fraction (DuckDB computes the repeated aggregate once), its
        # list indexed from 1; the list literal is of our own constants (repr round-trips).
        listed: Expr = sa.literal_column("[" + ", ".join(repr(float(f)) for f in fractions) + "]")
        found: Expr = sa.func.approx_quantile(value, listed, type_=sa.ARRAY(sa.Double()))
        return [found[i + 1] for i in range(len(fractions))]

    def approx_distinct(self, value: Expr) -> Expr | None:
        return sa.func.approx_count_distinct(value)

    def order_statistics(self, value: Expr, fractions: list[float]) -> list[Expr] | None:
        # quantile_disc selects (no full sort) the value at row ceil(f * n) for each
        # fraction, all in one aggregate. The fractions are doubles of our own (repr
        # round-trips): as decimals DuckDB would round them.
        listed = "CAST([" + ", ".join(repr(float(f)) for f in fractions) + "] AS DOUBLE[])"
        found: Expr = sa.func.quantile_disc(
            value, sa.literal_column(listed), type_=sa.ARRAY(value.type)
        )
        return [found[i + 1] for i in range(len(fractions))]

    def std(self, value: Expr) -> Expr:
        # DuckDB raises "out of range" where PostgreSQL's is NaN: over infinities.
        finite = sa.func.isfinite(value)
        return sa.case(
            (sa.func.count().filter(sa.not_(finite)) > 0, _NAN),
            else_=sa.func.stddev_samp(value).filter(finite),
        )

    micros_per_epoch_unit = 1  # epoch() is ticks()

    def ticks(self, column: Expr) -> Expr:
        # Dates as timestamps (midnight), as pandas reads them.
        return sa.func.epoch_us(sa.cast(column, sa.TIMESTAMP(timezone=_tz(column))))

    def epoch(self, column: Expr) -> Expr:
        return self.ticks(column)

    def float_ticks(self, column: Expr) -> Expr:
        return sa.cast(self.ticks(column), sa.Double())

    def flag_count(self, predicate: Expr) -> Expr:
        return sa.func.count().filter(predicate)


_NAN: Expr = sa.cast(sa.literal("NaN"), sa.Double())


def _tz(column: Expr) -> bool:
    return isinstance(column.type, sa.DateTime) and bool(column.type.timezone)


class DuckDBBackend(Backend):
    name = "duckdb"
    capabilities = Capabilities(
        pushes_down=True,
        exact_percentiles="quantile_disc",
        approx_percentiles="approx_quantile",
        approx_distinct="approx_count_distinct",
        tablesample=True,
        # The file is open read-only in this process: no one can change it, so a second
        # connection to the same database reads the same rows.
        shares_snapshot=True,
    )
    extra = "duckdb"
    expressions: ClassVar[SqlExpressions] = DuckDBExpressions()

    def file_url(self, path: str) -> str | None:
        return f"duckdb:///{path}"

    def connect_args(self, url: URL, budget: Budget) -> dict[str, Any]:
        return {"read_only": True}

    def prepare_engine(self, engine: sa.Engine, budget: Budget) -> None:
        from ddtui.backends.watchdog import time_statements

        # DuckDB has no statement timeout setting: past the budget, interrupt() stops the
        # statement with an "Interrupted" error (read as a timeout).
        time_statements(engine, budget.statement_s, self.interrupt)

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # DuckDB draws a progress bar for long queries on the terminal ddtui owns.
            dbapi_connection.execute("SET enable_progress_bar = false")
            # Past its memory limit DuckDB spills hash tables and sorts to its temporary
            # directory, by default `<file>.tmp` beside the data file: ours instead, never
            # next to the data.
            spill = spill_directory().replace("'", "''")
            dbapi_connection.execute(f"SET temp_directory = '{spill}'")
            dbapi_connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")

    @contextmanager
    def connection_sharing_snapshot(self, conn: sa.Connection) -> Iterator[sa.Connection]:
        with conn.engine.connect() as other:
            try:
                yield other
            finally:
                other.rollback()  # read-only: nothing to keep

    def interrupt(self, dbapi_connection: Any, *, server_silent: bool = False) -> None:
        # duckdb-engine wraps the DuckDB connection; interrupt() is safe from any thread.
        target = getattr(dbapi_connection, "_ConnectionWrapper__c", dbapi_connection)
        target.interrupt()

    def columns(self, conn: sa.Connection, table: str, schema: str | None) -> list[dict[str, Any]]:
        """From information_schema: duckdb-engine's reflection queries PostgreSQL catalogs
        DuckDB does not have (with SQLAlchemy 2.1)."""
        info = sa.table(
            "columns",
            sa.column("table_schema"),
            sa.column("table_name"),
            sa.column("column_name"),
            sa.column("data_type"),
            sa.column("is_nullable"),
            sa.column("ordinal_position"),
            schema="information_schema",
        )
        query = sa.select(info.c.column_name, info.c.data_type, info.c.is_nullable).where(
            info.c.table_name == table
        )
        query = query.where(
            info.c.table_schema == (schema if schema is not None else sa.func.current_schema())
        )
        rows = conn.execute(query.order_by(info.c.ordinal_position)).all()
        return [
            {"name": name, "type": _sa_type(conn.dialect, str(data_type)), "nullable": n == "YES"}
            for name, data_type, n in rows
        ]

    def reflect_table(self, conn: sa.Connection, table: str, schema: str | None) -> sa.Table:
        columns = self.columns(conn, table, schema)
        if not columns:
            raise sa.exc.NoSuchTableError(table if schema is None else f"{schema}.{table}")
        return sa.Table(
            table,
            sa.MetaData(),
            *(sa.Column(c["name"], c["type"], nullable=c["nullable"]) for c in columns),
            schema=schema,
        )


@functools.cache
def spill_directory() -> str:
    """This process's private directory for DuckDB's temporary files, removed at exit."""
    path = tempfile.mkdtemp(prefix="ddtui-duckdb-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _sa_type(dialect: sa.Dialect, data_type: str) -> sa.types.TypeEngine[Any]:
    """The SQLAlchemy type of a DuckDB type name (`DECIMAL(18,3)`, `TIMESTAMP WITH TIME ZONE`)."""
    name = data_type.strip().lower()
    decimal = _DECIMAL.fullmatch(name)
    if decimal:
        return sa.Numeric(int(decimal[1]), int(decimal[2]))
    if name in ("timestamp with time zone", "timestamptz"):
        return sa.DateTime(timezone=True)
    base = name.split("(", 1)[0].strip()
    if base in _TYPES:
        return _TYPES[base]()
    known = getattr(dialect, "ischema_names", {}).get(base)
    return known() if known is not None else sa.types.NullType()
