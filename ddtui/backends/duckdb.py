"""DuckDB files (the duckdb-engine dialect): opened read-only, each statement interrupted
past the time budget, push-down with DuckDB's own aggregates."""

from __future__ import annotations

import atexit
import contextlib
import functools
import math
import numbers
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
# of the machine's memory, in ddtui's own process): the first limit, then, when a
# statement runs out, the next. Measured: the 5M-row bench table profiles within 32 MB on
# one thread; COUNT(DISTINCT) of 100M distinct doubles needed 256 MB, of 30M 128 MB (on
# DuckDB's default two threads here).
MEMORY_LIMITS = ("32MB", "256MB", "2GB")
# As set ("256MB", decimal) and as DuckDB shows a limit ("244.1 MiB", binary).
_MEMORY_UNITS = {"bytes": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_MEMORY_UNITS |= {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
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


_NAN: Expr = sa.literal(math.nan, sa.Double())


class _NumbersInline:
    """Statement compiler mixin: ddtui's own numbers (bucket edges, limits, NaN) written
    into the SQL, not bound. DuckDB's Python binding imports pandas and pyarrow (107 MB
    beyond numpy) at a statement's first bound parameter, more than a push-down profile needs
    altogether. Text stays bound: table names and partition values come from users'
    data. The engine's compiled cache is off, as the SQL now holds values."""

    def visit_bindparam(self, bindparam: Any, **kw: Any) -> str:
        value = bindparam.effective_value if bindparam.callable else bindparam.value
        if not bindparam.expanding and isinstance(value, numbers.Real):
            kw["literal_binds"] = True
        return super().visit_bindparam(bindparam, **kw)  # type: ignore[misc]

    def render_literal_value(self, value: Any, type_: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, numbers.Integral):
            return str(int(value))
        if isinstance(value, numbers.Real):
            # A decimal literal would be a DECIMAL in DuckDB; the repr round-trips.
            return f"CAST('{float(value)!r}' AS DOUBLE)"
        return super().render_literal_value(value, type_)  # type: ignore[misc]


_INLINING: dict[Any, Any] = {}


def _compiler_inlining_numbers(base: Any) -> Any:
    """`base` (the dialect's statement compiler) with _NumbersInline, made once."""
    if base not in _INLINING:
        _INLINING[base] = type(f"NumbersInline{base.__name__}", (_NumbersInline, base), {})
    return _INLINING[base]


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
        engine.dialect.statement_compiler = _compiler_inlining_numbers(
            type(engine.dialect).statement_compiler
        )
        engine.update_execution_options(compiled_cache=None)

        @sa.event.listens_for(engine, "do_execute")
        def _with_more_memory(cursor: Any, statement: str, parameters: Any, _context: Any) -> bool:
            import duckdb

            while True:
                try:
                    cursor.execute(statement, parameters)
                except duckdb.OutOfMemoryException:
                    if not _raise_memory_limit(cursor):
                        raise
                else:
                    return True  # executed here

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # DuckDB draws a progress bar for long queries on the terminal ddtui owns.
            dbapi_connection.execute("SET enable_progress_bar = false")
            # Past its memory limit DuckDB spills hash tables and sorts to its temporary
            # directory, by default `<file>.tmp` beside the data file: ours instead, never
            # next to the data.
            spill = spill_directory().replace("'", "''")
            dbapi_connection.execute(f"SET temp_directory = '{spill}'")
            dbapi_connection.execute(f"SET memory_limit = '{MEMORY_LIMITS[0]}'")
            # One thread a statement: the push-down runs two statements at a time, and
            # each thread of a statement holds hash tables of its own (peak RSS of the
            # bench's profile, pandas loaded: 341 MB on two threads at 64 MB, 289 MB on one
            # at 32 MB).
            dbapi_connection.execute("SET threads = 1")

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
        """From DuckDB's DESCRIBE of the quoted name: duckdb-engine's reflection queries
        PostgreSQL catalogs DuckDB does not have (with SQLAlchemy 2.1), and a query of
        information_schema would bind the name (see _NumbersInline)."""
        import duckdb

        quoted = conn.dialect.identifier_preparer.format_table(sa.table(table, schema=schema))
        try:
            rows = conn.exec_driver_sql(f"DESCRIBE {quoted}").all()
        except sa.exc.DBAPIError as error:
            if isinstance(error.orig, duckdb.CatalogException):
                conn.rollback()  # DuckDB aborts the transaction on any error
                return []
            raise
        return [
            {"name": name, "type": _sa_type(conn.dialect, str(data_type)), "nullable": n == "YES"}
            for name, data_type, n, *_ in rows
        ]

    def has_table(self, conn: sa.Connection, table: str, schema: str | None) -> bool:
        return bool(self.columns(conn, table, schema))  # the inspector's would bind the name

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


def _raise_memory_limit(cursor: Any) -> bool:
    """After a statement ran out of memory: the next of MEMORY_LIMITS (for the whole
    database, every connection of this process), if there is one. The file is read-only,
    so the statement's second run reads the same rows."""
    import duckdb

    with contextlib.suppress(duckdb.Error):  # DuckDB aborts a transaction on any error
        cursor.execute("ROLLBACK")
    cursor.execute("SELECT current_setting('memory_limit')")
    (shown,) = cursor.fetchone()
    # As shown, the limit is rounded ("30.5 MiB" for 32MB).
    larger = [m for m in MEMORY_LIMITS if _bytes(m) > 1.1 * _bytes(str(shown))]
    if not larger:
        return False
    cursor.execute(f"SET memory_limit = '{larger[0]}'")
    return True


def _bytes(limit: str) -> float:
    """Bytes of a memory limit as set ("256MB") or as shown ("244.1 MiB")."""
    number, unit = re.fullmatch(r"([\d.]+)\s*([A-Za-z]+)", limit.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _MEMORY_UNITS[unit]


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
