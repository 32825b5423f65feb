"""PostgreSQL: read-only sessions with a server-side statement timeout, parallel push-down
over one exported snapshot, quantiles from fine buckets, heap-order ends, BERNOULLI samples."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from ddtui.backends import postgresql_heap as heap
from ddtui.backends.base import Backend, Budget, Capabilities
from ddtui.backends.expressions import Expr, SqlExpressions

INF = math.inf
# TCP keepalives on server connections: an idle pooled connection to a vanished host is
# noticed within about idle + interval * count seconds.
KEEPALIVE_IDLE_S, KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT = 10, 5, 3
# How long a cancel request may wait for the server before the connection is cut instead.
CANCEL_TIMEOUT_S = 2.0
# pg_export_snapshot() ids are hex numbers joined by dashes ("00000003-0000001B-1"); the
# id is spliced into SET TRANSACTION SNAPSHOT, which takes no bind parameters.
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")


class PostgreSQLExpressions(SqlExpressions):
    """PostgreSQL stores NaN and infinities, has FILTER, width_bucket and epoch extraction."""

    def value(self, column: Expr, kind: str) -> Expr:
        if kind == "datetime" and not isinstance(column.type, sa.DateTime):
            # Dates as timestamps: one type to compare with timestamp histogram thresholds.
            return sa.cast(column, postgresql.TIMESTAMP())
        return super().value(column, kind)

    def number(self, column: Expr) -> Expr:
        double = sa.cast(column, postgresql.DOUBLE_PRECISION)
        if isinstance(column.type, sa.Integer):
            return double
        # Postgres counts NaN as a value and sorts it above +Infinity; pandas calls it missing.
        return sa.func.nullif(double, sa.literal(math.nan, postgresql.DOUBLE_PRECISION))

    def double(self, value: Expr) -> Expr:
        return value  # AVG of a double or an integer is a double or an exact numeric here

    def is_finite(self, value: Expr) -> Expr | None:
        return sa.func.abs(value) < sa.literal(INF, postgresql.DOUBLE_PRECISION)

    def float_ticks(self, column: Expr) -> Expr:
        return sa.cast(self.ticks(column), postgresql.DOUBLE_PRECISION)

    def text_key(self, column: Expr) -> Expr:
        if isinstance(column.type, sa.Enum):
            return column
        # Deterministic collations compare equal exactly when bytes are equal, so "C"
        # (plain memcmp) gives the same groups and counts, faster than the default.
        return sa.collate(column, "C")

    def flag_count(self, predicate: Expr) -> Expr:
        return sa.func.count().filter(predicate)  # a FILTER is cheaper than a CASE sum

    def bucket(self, value: Expr, edges: list[float]) -> Expr:
        bins = len(edges) - 1
        # One array parameter: compiling dozens of separate binds per column is slow.
        thresholds = sa.cast(
            sa.bindparam(None, [float(e) for e in edges], postgresql.ARRAY(sa.Double())),
            postgresql.ARRAY(postgresql.DOUBLE_PRECISION),
        )
        # width_bucket(x, thresholds): i where edges[i-1] <= x < edges[i]; max -> bins + 1.
        return sa.func.least(sa.func.width_bucket(value, thresholds), bins)


class PostgreSQLBackend(Backend):
    name = "postgresql"
    capabilities = Capabilities(
        pushes_down=True,
        shares_snapshot=True,
        exact_percentiles="percentile_cont",
        tablesample=True,
        fine_buckets=True,
        networked=True,
        decodes_json=True,
    )
    default_port = 5432
    reference_path = ("database", "schema", "table")
    connect_extras = ("sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl", "application_name")
    extra = "postgres"
    extra_driver = "psycopg"
    # SQLAlchemy 2.1 defaults to psycopg 3 (ddtui[postgres]); Airflow's URLs name psycopg2.
    drivers = (("psycopg", "psycopg"), ("psycopg2", "psycopg2"))
    expressions: ClassVar[SqlExpressions] = PostgreSQLExpressions()

    def connect_args(self, url: URL, budget: Budget) -> dict[str, Any]:
        timeout_ms = int(budget.statement_s * 1000)
        return {
            "options": f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms}",
            "connect_timeout": budget.connect_s,
            # libpq's TCP settings: keepalives for idle connections, and a limit on
            # unacknowledged sends (ms) so that a host gone mid-statement ends the connection.
            "keepalives": 1,
            "keepalives_idle": KEEPALIVE_IDLE_S,
            "keepalives_interval": KEEPALIVE_INTERVAL_S,
            "keepalives_count": KEEPALIVE_COUNT,
            "tcp_user_timeout": int(budget.answer_s * 1000),
        }

    def begin_read_only(self, conn: sa.Connection) -> None:
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        # The default 4 MB makes the server spill GROUP BY and sorts of large columns
        # to disk; LOCAL: only for this transaction.
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")

    def tune_for_aggregates(self, conn: sa.Connection) -> None:
        # JIT compiling the wide aggregate queries costs seconds and saves less.
        conn.exec_driver_sql("SET LOCAL jit = off")
        # A 5M-row float column sorts in memory in ~200 MB; less spills the sort to disk.
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")

    @contextmanager
    def connection_sharing_snapshot(self, conn: sa.Connection) -> Iterator[sa.Connection]:
        # Before any query: a REPEATABLE READ transaction keeps the snapshot of its first
        # query (pg_export_snapshot's) to the end, and the exported one lives as long.
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        snapshot = str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
        if not _SNAPSHOT_ID.fullmatch(snapshot):
            raise ValueError(f"unexpected snapshot id {snapshot!r}")
        with conn.engine.connect() as other:
            try:
                other.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                other.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                yield other
            finally:
                other.rollback()  # read-only: nothing to keep

    def interrupt(self, dbapi_connection: Any, *, server_silent: bool = False) -> None:
        from ddtui.backends.watchdog import shut_connection

        cancel_safe = getattr(dbapi_connection, "cancel_safe", None)  # psycopg 3: a timeout
        if server_silent or cancel_safe is None:
            super().interrupt(dbapi_connection, server_silent=server_silent)
            return
        try:
            cancel_safe(timeout=CANCEL_TIMEOUT_S)
        except dbapi_connection.OperationalError:
            shut_connection(dbapi_connection)

    def first_rows(
        self,
        conn: sa.Connection,
        stmt: sa.Select[Any],
        table: sa.Table,
        limit: int,
        order_by: sa.ColumnElement[Any] | None = None,
    ) -> Sequence[Sequence[Any]]:
        pages = heap.heap_pages(conn, table) if order_by is None else None
        if pages is None:
            return super().first_rows(conn, stmt, table, limit, order_by)
        return heap.first_rows(conn, stmt, pages, limit)

    def last_rows(
        self, conn: sa.Connection, stmt: sa.Select[Any], table: sa.Table, rows: int, limit: int
    ) -> Sequence[Sequence[Any]]:
        pages = heap.heap_pages(conn, table)
        if pages is None:
            return super().last_rows(conn, stmt, table, rows, limit)
        return heap.last_rows(conn, stmt, pages, limit)

    def samples_blocks_of(self, conn: sa.Connection, table: sa.Table) -> bool:
        # TABLESAMPLE reads blocks: tables, partitioned tables and materialized views have
        # them; a view (or a name that is none of these) is refused by the server.
        name = conn.dialect.identifier_preparer.format_table(table)
        kind = conn.execute(
            sa.text("SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(:name)"),
            {"name": name},
        ).scalar()
        return str(kind) in {"r", "p", "m"}

    def sample_rows(
        self, conn: sa.Connection, source: sa.TableClause, size: int, rows: int
    ) -> list[Sequence[Any]] | None:
        """TABLESAMPLE BERNOULLI with a fixed seed (the same rows while the table is
        unchanged), a quarter more than needed, thinned evenly; None for views."""
        percent = min(100.0, 125.0 * size / rows)
        sampled = sa.tablesample(source, sa.func.bernoulli(percent), seed=sa.literal(0))
        try:
            with conn.begin_nested():
                found: list[Sequence[Any]] = list(conn.execute(sa.select(*sampled.c)).all())
        except SQLAlchemyError:
            return None
        if len(found) <= size:
            return found
        keep = sorted({round(i * (len(found) - 1) / (size - 1)) for i in range(size)})
        return [found[i] for i in keep]
