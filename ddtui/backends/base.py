"""What every database backend answers: its capabilities as data, and its behaviour.

A backend is the one place that knows a database family: how ddtui opens it read-only
with a time budget, begins a read transaction, interrupts a running statement, reads a
table's first and last rows, and which SQL expressions its aggregates use. The rest of
ddtui asks the backend (see `ddtui.backends.backend_for`) instead of comparing dialect
names; adding a database is adding a module here.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import URL

from ddtui.backends.expressions import SqlExpressions


@dataclass(frozen=True)
class Capabilities:
    """What a database can do for ddtui, as data (no behaviour)."""

    # Profiles are computed by aggregate queries on the engine: the rows never leave it.
    pushes_down: bool = False
    # A second connection can read the first one's snapshot (push-down runs in parallel).
    shares_snapshot: bool = False
    # Every stage of a profile reads through one connection and one read transaction (an
    # embedded file: a snapshot is cheap and a second connection gains nothing).
    one_connection: bool = False
    # The exact percentile aggregate, if any (`percentile_cont ... WITHIN GROUP`, ...).
    exact_percentiles: str | None = None
    # Approximate aggregates, used only when asked for (`--approx`) or over time budget.
    approx_percentiles: str | None = None
    approx_distinct: str | None = None
    # `TABLESAMPLE` (sampling done by the engine) in SQLAlchemy's `tablesample()` form.
    tablesample: bool = False
    # Quantiles from fine histogram buckets (width_bucket over an array, GROUPING SETS,
    # planner statistics): see profile/pushdown/postgresql.py.
    fine_buckets: bool = False
    # A network server: a client-side watchdog also bounds how long it may stay silent.
    networked: bool = False
    # The driver decodes JSON columns itself (and the server stores only valid JSON).
    decodes_json: bool = False
    # Raw DBAPI cursor reads (no per-row SQLAlchemy processing) are the faster stream.
    raw_cursor_stream: bool = False
    # Its file can be read as Arrow batches by ADBC's driver (profile/arrow_profile.py).
    arrow_batches: bool = False


@dataclass(frozen=True)
class Budget:
    """How long a statement may run, and how long the client waits for a connection."""

    statement_s: float  # the server-side statement timeout
    answer_s: float  # the client-side limit: the statement timeout plus a grace
    connect_s: int


class Backend:
    """One database family's answers; subclasses override what differs from portable SQL."""

    name: ClassVar[str] = "generic"
    capabilities: ClassVar[Capabilities] = Capabilities()
    default_port: ClassVar[int | None] = None
    # The path of an asset URI that names a table of this database, as segment names
    # (`postgres://host/db/schema/table`: database, schema, table); () for a file path and
    # then the table (SQLite); None: ddtui reads no such URIs.
    reference_path: ClassVar[tuple[str, ...] | None] = None
    # The extra Airflow connection options that change how to connect (TLS, ...).
    connect_extras: ClassVar[tuple[str, ...]] = ()
    # The pip extra that installs its driver, named in "no driver" errors.
    extra: ClassVar[str | None] = None
    # ...and the driver package that extra brings.
    extra_driver: ClassVar[str | None] = None
    # The drivers ddtui reads it with, preferred first, as (SQLAlchemy driver, module): a
    # URL naming one that is not installed (Airflow's postgresql+psycopg2://,
    # mysql+mysqldb://) or none is read with the first installed one.
    drivers: ClassVar[tuple[tuple[str, str], ...]] = ()
    expressions: ClassVar[SqlExpressions] = SqlExpressions()

    def __init__(self, dialect: str | None = None) -> None:
        self.dialect = dialect or self.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.dialect}>"

    # --- opening an engine -------------------------------------------------------------

    def file_path(self, url: str) -> str | None:
        """The file a URL of this database names (as written, maybe relative), else None."""
        return None

    def file_url(self, path: str) -> str | None:
        """The URL of a database file at `path` (an Airflow connection's host), or None
        for a server database."""
        return None

    def driver_url(self, url: URL) -> URL:
        """`url` with a driver this machine has: the one it names when installed (or one
        ddtui does not know), else the first installed of `drivers`."""
        scheme, _, written = url.drivername.partition("+")
        modules = dict(self.drivers)
        if not self.drivers or (written and (written not in modules or _has(modules[written]))):
            return url
        driver = next((name for name, module in self.drivers if _has(module)), written)
        if written and driver != written and _driver_note is not None:
            _driver_note(
                f"{scheme}+{written} URL read with {scheme}+{driver}: "
                f"{modules[written]} is not installed"
            )
        return url.set(drivername=f"{scheme}+{driver}" if driver else scheme)

    def missing_driver_hint(self) -> str:
        """What to install when no driver is: the extra, and the package it brings."""
        if not self.extra:
            return "install its SQLAlchemy dialect package"
        brings = f" (it brings {self.extra_driver})" if self.extra_driver else ""
        return f"pip install 'ddtui[{self.extra}]'{brings}"

    def readonly_url(self, url: URL) -> URL:
        """The URL to open so that the connection cannot write (where the URL says how)."""
        return url

    def connect_args(self, url: URL, budget: Budget) -> dict[str, Any]:
        """DBAPI connect() arguments: read-only mode and timeouts where the driver takes them."""
        return {}

    def prepare_engine(self, engine: sa.Engine, budget: Budget) -> None:
        """Session settings for each new connection (read-only, statement timeout)."""

    def is_snapshot(self, url: URL) -> bool:
        """Whether an engine on `url` reads a frozen snapshot of a file (SQLite immutable)."""
        return False

    def shown_url(self, url: URL) -> URL:
        """The URL as the user wrote it (undoing readonly_url's rewriting)."""
        return url

    # --- reading -----------------------------------------------------------------------

    def begin_read_only(self, conn: sa.Connection) -> None:
        """Begin a read-only transaction on `conn` where the database has one."""

    def has_table(self, conn: sa.Connection, table: str, schema: str | None) -> bool:
        """Whether `table` (in `schema`, else the default one) exists."""
        return sa.inspect(conn).has_table(table, schema=schema)

    def columns(self, conn: sa.Connection, table: str, schema: str | None) -> list[dict[str, Any]]:
        """The table's columns as SQLAlchemy's inspector gives them (`name`, `type`, ...)."""
        return [dict(c) for c in sa.inspect(conn).get_columns(table, schema=schema)]

    def reflect_table(self, conn: sa.Connection, table: str, schema: str | None) -> sa.Table:
        """The table with its columns (identifiers quoted by SQLAlchemy from here on)."""
        return sa.Table(table, sa.MetaData(), schema=schema, autoload_with=conn)

    def reads_snapshot(self, conn: sa.Connection) -> bool:
        """Whether `conn`'s read transaction sees one snapshot throughout."""
        return True

    def data_version(self, conn: sa.Connection) -> object:
        """A value that changes when another connection commits (None: not tracked)."""
        return None

    def tune_for_aggregates(self, conn: sa.Connection) -> None:
        """Transaction-local settings for a few long aggregate queries (push-down)."""

    def connection_sharing_snapshot(
        self, conn: sa.Connection
    ) -> AbstractContextManager[sa.Connection]:
        """A second connection whose transaction reads `conn`'s snapshot (shares_snapshot).

        `conn` must not have run a query in its transaction yet.
        """
        raise NotImplementedError(f"{self.dialect} cannot share a snapshot between connections")

    def interrupt(self, dbapi_connection: Any, *, server_silent: bool = False) -> None:
        """Stop the statement `dbapi_connection` runs, from another thread.

        `server_silent`: the server stopped answering, so do not ask it (cut the line).
        """
        from ddtui.backends.watchdog import shut_connection

        if server_silent:
            shut_connection(dbapi_connection)
            return
        cancel = getattr(dbapi_connection, "cancel", None) or getattr(
            dbapi_connection, "interrupt", None
        )
        if cancel is None:
            shut_connection(dbapi_connection)
            return
        with contextlib.suppress(Exception):  # a finished statement has nothing to cancel
            cancel()

    def rowid(self, conn: sa.Connection, table: sa.Table) -> sa.ColumnElement[Any] | None:
        """The table's scan-order row id, if it has one (SQLite's rowid)."""
        return None

    def first_rows(
        self,
        conn: sa.Connection,
        stmt: sa.Select[Any],
        table: sa.Table,
        limit: int,
        order_by: sa.ColumnElement[Any] | None = None,
    ) -> Sequence[Sequence[Any]]:
        """The first `limit` rows of `stmt` (a plain select of `table`) in scan order."""
        if order_by is not None:
            stmt = stmt.order_by(order_by)
        return conn.execute(stmt.limit(limit)).all()

    def last_rows(
        self, conn: sa.Connection, stmt: sa.Select[Any], table: sa.Table, rows: int, limit: int
    ) -> Sequence[Sequence[Any]]:
        """The last `limit` of the `rows` rows of `stmt` in scan order (first to last)."""
        offset = max(rows - limit, 0)
        return conn.execute(stmt.offset(offset).limit(limit)).all()

    def sample_rows(
        self, conn: sa.Connection, source: sa.TableClause, size: int, rows: int
    ) -> list[Sequence[Any]] | None:
        """About `size` rows spread over the table by the engine's own sampling, or None
        where it has none (the caller then takes every n-th row)."""
        return None

    def samples_blocks_of(self, conn: sa.Connection, table: sa.Table) -> bool:
        """Whether `sampled(table)` can run here (PostgreSQL: not on views)."""
        return True

    def sampled(self, table: sa.Table, percent: float) -> sa.TableSample | None:
        """`table` as the engine samples about `percent` % of its blocks (TABLESAMPLE), or
        None where it cannot (see backends.tablesample)."""
        from ddtui.backends.tablesample import engine_sample

        return engine_sample(self.dialect, table, percent)

    def sample_by_rowid(
        self, conn: sa.Connection, source: sa.TableClause, names: list[str], size: int
    ) -> list[Sequence[Any]] | None:
        """`size` rows spread evenly by row id without counting first, or None."""
        return None


# Told of each URL whose driver was replaced (`ddtui --verbose`); None: say nothing.
_driver_note: Callable[[str], None] | None = None


def report_driver_choices(say: Callable[[str], None] | None) -> None:
    """Have `say` told when a URL's driver is not installed and another one reads it."""
    global _driver_note  # noqa: PLW0603 - one switch for the process, set by --verbose
    _driver_note = say


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
