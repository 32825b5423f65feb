"""Read-only SQLAlchemy engines for the metastore and the data sources."""

from __future__ import annotations

import importlib.util
import math
import re
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from ddtui.errors import ConfigError, MissingDatabaseError

DEFAULT_STATEMENT_TIMEOUT_S = 30
# Words drivers use when a statement timeout stops a query: PostgreSQL, MariaDB, MySQL
# ("maximum statement execution time exceeded"), and our own SQLite message below.
TIMEOUT_MARKERS = ("statement timeout", "max_execution_time", "max_statement_time", "interrupted")
# SQLite calls the progress handler every this many virtual-machine instructions (well
# under a millisecond), so a statement stops soon after its deadline.
SQLITE_PROGRESS_STEPS = 10_000
# The longest a server may take to accept a connection (libpq counts whole seconds, >= 2).
CONNECT_TIMEOUT_S = 5
# TCP keepalives on server connections: an idle pooled connection to a vanished host is
# noticed within about idle + interval * count seconds.
KEEPALIVE_IDLE_S, KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT = 10, 5, 3


def mask_url(url: str | URL) -> str:
    """The URL as text with any password replaced by ***."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", str(url))
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database.startswith("file:"):
        # The read-only form we open (file:PATH?mode=ro&uri=true) shown as the user wrote it.
        parsed = parsed.set(database=database.removeprefix("file:").split("?", 1)[0], query={})
    return parsed.render_as_string(hide_password=True)


def is_timeout(exc: BaseException) -> bool:
    """True if a driver error says a statement timeout stopped the query."""
    reason = str(getattr(exc, "orig", None) or exc).lower()
    return any(marker in reason for marker in TIMEOUT_MARKERS)


def parse_url(url: str) -> URL:
    """Parse a database URL, mapping the driver-less names Airflow uses to installed drivers."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {mask_url(url)!r} ({exc})") from None
    except ValueError:  # SQLAlchemy's int() of the port
        raise ConfigError(
            f"not a database URL: {mask_url(url)!r} (the port is not a number)"
        ) from None
    if parsed.drivername.startswith("postgres:"):
        parsed = parsed.set(drivername="postgresql")
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgres":  # Airflow connections spell it this way; SQLAlchemy does not
        backend = "postgresql"
    if backend in ("mysql", "mariadb") and not driver and not _has_module("MySQLdb"):
        driver = "pymysql"  # mysqlclient needs a C build; PyMySQL is pure Python
    if backend == "postgresql" and not driver:
        # SQLAlchemy 2.1 defaults to psycopg 3; Airflow installs often have only psycopg2.
        driver = next((d for d in ("psycopg", "psycopg2") if _has_module(d)), "")
    return parsed.set(drivername=f"{backend}+{driver}" if driver else backend)


def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def create_readonly_engine(
    url: str, *, statement_timeout_s: float = DEFAULT_STATEMENT_TIMEOUT_S, role: str = "database"
) -> Engine:
    """An engine whose connections cannot write, with a statement timeout on servers.

    On servers the client also stops waiting (see ddtui.watchdog): a statement unanswered
    `statement_timeout_s` + a grace after it was sent, or a connection not accepted within
    the connect timeout, raises QueryTimeoutError naming `role` ("metastore", ...).
    """
    from ddtui.watchdog import GRACE_S

    parsed = parse_url(url)
    answer_s = statement_timeout_s + GRACE_S
    connect_s = max(2, min(CONNECT_TIMEOUT_S, math.ceil(answer_s)))
    backend = parsed.get_backend_name()
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        parsed = _sqlite_readonly_url(parsed)
        connect_args["factory"] = TimedSqliteConnection
    elif backend == "postgresql":
        timeout_ms = int(statement_timeout_s * 1000)
        options = f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms}"
        connect_args["options"] = options
        connect_args["connect_timeout"] = connect_s
        connect_args.update(_pg_keepalives(answer_s))
    elif backend in ("mysql", "mariadb"):
        connect_args["connect_timeout"] = connect_s
        # The drivers' own socket timeouts (seconds; mysqlclient takes whole ones).
        socket_s = answer_s if parsed.get_driver_name() == "pymysql" else math.ceil(answer_s)
        connect_args["read_timeout"] = connect_args["write_timeout"] = socket_s
    try:
        engine = sa.create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise ConfigError(
            f"no driver for {mask_url(parsed)}: {exc}. "
            "Install ddtui[postgres] or ddtui[mysql] for server databases."
        ) from None
    if backend == "sqlite":
        _limit_sqlite(engine, statement_timeout_s)
    elif backend in ("mysql", "mariadb"):
        _make_mysql_readonly(engine, statement_timeout_s)
    if backend != "sqlite":
        from ddtui.watchdog import EngineLimits, watch_engine

        watch_engine(engine, EngineLimits(role, mask_url(url), answer_s, connect_s))
    return engine


def _pg_keepalives(answer_s: float) -> dict[str, int]:
    """libpq's TCP settings: keepalives for idle connections, and a limit on unacknowledged
    sends (tcp_user_timeout, ms) so that a host gone mid-statement ends the connection."""
    return {
        "keepalives": 1,
        "keepalives_idle": KEEPALIVE_IDLE_S,
        "keepalives_interval": KEEPALIVE_INTERVAL_S,
        "keepalives_count": KEEPALIVE_COUNT,
        "tcp_user_timeout": int(answer_s * 1000),
    }


def _sqlite_readonly_url(parsed: URL) -> URL:
    """`sqlite:///path` -> `sqlite:///file:path?mode=ro&uri=true` (a missing file stays missing).

    A WAL-mode file that cannot be read that way opens as an immutable snapshot instead
    (see `_wal_needs_snapshot`); `is_sqlite_snapshot` tells which an engine got.
    """
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return parsed
    try:
        path = Path(database).expanduser().resolve()
        exists = path.exists()
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise ConfigError(f"not a usable SQLite path: {database!r} ({exc})") from None
    if not exists:
        raise MissingDatabaseError(f"SQLite database not found: {path}")
    uri = f"file:{path.as_posix()}?mode=ro"
    if _wal_needs_snapshot(uri):
        uri += f"&{SNAPSHOT_FLAG}"
    return parsed.set(database=uri, query={"uri": "true"})


SNAPSHOT_FLAG = "immutable=1"


def is_sqlite_snapshot(url: URL) -> bool:
    """Whether the engine reads a SQLite file as an immutable snapshot."""
    if url.get_backend_name() != "sqlite":
        return False
    # Ours is in the file: URI; a user's own `?immutable=1&uri=true` is in the URL's query.
    return SNAPSHOT_FLAG in (url.database or "") or url.query.get("immutable") == "1"


def _wal_needs_snapshot(uri: str) -> bool:
    """Whether this (WAL-mode) file cannot be opened read-only as usual.

    Reading a WAL file needs its `-shm` index. When nobody has the file open there is none,
    and a read-only connection must create it: in a directory this user may not write, that
    fails with "attempt to write a readonly database" (or "unable to open database file"
    when a `-shm` is there but not usable). Then SQLite's `immutable=1` reads the file as it
    is, creating nothing: a snapshot, labelled as such. Any other failure is the real open's
    to report.
    """
    # Probed through SQLite, not by reading the header: closing another descriptor of a file
    # releases every POSIX lock this process holds on it, SQLite's included.
    try:
        with closing(sqlite3.connect(uri, uri=True)) as probe:
            probe.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError as exc:
        return "readonly database" in str(exc) or "unable to open" in str(exc)
    except sqlite3.Error:
        return False
    return False


def _make_mysql_readonly(engine: Engine, statement_timeout_s: float) -> None:
    timeout_ms = int(statement_timeout_s * 1000)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SET SESSION TRANSACTION READ ONLY")
        # MariaDB spells the timeout max_statement_time (seconds); MySQL max_execution_time (ms).
        try:
            cursor.execute(f"SET SESSION max_statement_time = {float(statement_timeout_s)}")
        except engine.dialect.loaded_dbapi.Error:  # MySQL has no such variable: use its own
            cursor.execute(f"SET SESSION max_execution_time = {timeout_ms}")
        cursor.close()


class TimedSqliteConnection(sqlite3.Connection):
    """SQLite has no server to enforce a statement timeout: each call into it gets a deadline.

    Every execute and every fetch may run `statement_timeout_s` seconds (as a PostgreSQL
    server-side cursor's every FETCH may); the progress handler stops it past that.
    """

    statement_timeout_s = math.inf
    deadline = math.inf
    timed_out = False

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or TimedSqliteCursor)

    def past_deadline(self) -> int:
        """The progress handler: non-zero stops the running statement."""
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0


class TimedSqliteCursor(sqlite3.Cursor):
    """A cursor whose calls into SQLite stop at the connection's statement timeout."""

    connection: TimedSqliteConnection

    def _timed(self, call: Any, *args: Any) -> Any:
        conn = self.connection
        conn.timed_out = False
        conn.deadline = time.monotonic() + conn.statement_timeout_s
        try:
            return call(*args)
        except sqlite3.OperationalError as exc:
            if conn.timed_out:
                raise sqlite3.OperationalError(
                    f"statement timeout: SQLite query ran past {conn.statement_timeout_s:g} s"
                ) from exc
            raise
        finally:
            conn.deadline = math.inf

    def execute(self, *args: Any) -> Any:
        return self._timed(super().execute, *args)

    def fetchone(self) -> Any:
        return self._timed(super().fetchone)

    def fetchmany(self, *args: Any) -> Any:
        return self._timed(super().fetchmany, *args)

    def fetchall(self) -> Any:
        return self._timed(super().fetchall)


def _limit_sqlite(engine: Engine, statement_timeout_s: float) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.statement_timeout_s = statement_timeout_s
        dbapi_connection.set_progress_handler(dbapi_connection.past_deadline, SQLITE_PROGRESS_STEPS)
        # mode=ro covers the file we open, not others: ATTACH would create and write a new one.
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
