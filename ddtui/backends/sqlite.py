"""SQLite: files opened read-only (an immutable snapshot where that is the only way), a
deadline on every call into the library, one read transaction per profile, rowid order."""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL

from ddtui.backends.base import Backend, Budget, Capabilities
from ddtui.errors import ConfigError, MissingDatabaseError

# SQLite calls the progress handler every this many virtual-machine instructions (well
# under a millisecond), so a statement stops soon after its deadline.
SQLITE_PROGRESS_STEPS = 10_000
SNAPSHOT_FLAG = "immutable=1"
# Names SQLite gives the rowid (the first not taken by a column is usable).
ROWID_ALIASES = ("rowid", "_rowid_", "oid")
IN_CHUNK = 500  # bound parameters per query, well under SQLite's old 999 limit


class SQLiteBackend(Backend):
    name = "sqlite"
    capabilities = Capabilities(one_connection=True, raw_cursor_stream=True, arrow_batches=True)
    reference_path = ()

    def file_url(self, path: str) -> str | None:
        return f"sqlite:///{path}"

    def file_path(self, url: str) -> str | None:
        if not url.lower().startswith("sqlite:///"):
            return None
        path = url[len("sqlite:///") :].split("?", 1)[0]
        if path.startswith("file:"):  # the URI form: sqlite:///file:PATH?mode=ro&uri=true
            path = path.removeprefix("file:")
        return None if path in ("", ":memory:") else path

    def readonly_url(self, url: URL) -> URL:
        """`sqlite:///path` -> `sqlite:///file:path?mode=ro&uri=true` (a missing file stays
        missing). A WAL-mode file that cannot be read that way opens as an immutable
        snapshot instead (see `_wal_needs_snapshot`); `is_snapshot` tells which."""
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            return url
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
        return url.set(database=uri, query={"uri": "true"})

    def connect_args(self, url: URL, budget: Budget) -> dict[str, Any]:
        return {"factory": TimedSqliteConnection}

    def prepare_engine(self, engine: sa.Engine, budget: Budget) -> None:
        statement_s = budget.statement_s

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.statement_timeout_s = statement_s
            dbapi_connection.set_progress_handler(
                dbapi_connection.past_deadline, SQLITE_PROGRESS_STEPS
            )
            # mode=ro covers the file we open, not others: ATTACH would create and write one.
            dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)

    def begin_read_only(self, conn: sa.Connection) -> None:
        if self.reads_snapshot(conn):
            # The driver begins no transaction before a SELECT: each would see the database
            # as it is then. BEGIN: the first read's snapshot holds until the rollback.
            # Only in WAL mode, where readers never block writers: in the rollback-journal
            # modes, a read transaction would keep the pipeline from writing meanwhile.
            conn.exec_driver_sql("BEGIN")

    def reads_snapshot(self, conn: sa.Connection) -> bool:
        return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower() == "wal"

    def data_version(self, conn: sa.Connection) -> object:
        # Changes on this connection exactly when another one commits.
        return conn.exec_driver_sql("PRAGMA data_version").scalar()

    def interrupt(self, dbapi_connection: Any, *, server_silent: bool = False) -> None:
        dbapi_connection.interrupt()  # sqlite3: safe to call from another thread

    def rowid(self, conn: sa.Connection, table: sa.Table) -> sa.ColumnElement[Any] | None:
        """Not for views and WITHOUT ROWID tables."""
        if not isinstance(table, sa.Table):
            return None  # a partition's rows (a subquery) have no rowid: SQLite reads it as NULL
        taken = {c.name.lower() for c in table.columns}
        alias = next((a for a in ROWID_ALIASES if a not in taken), None)
        if alias is None:
            return None
        rowid: sa.ColumnElement[Any] = sa.literal_column(alias)  # a fixed SQLite keyword
        try:
            conn.execute(sa.select(rowid).select_from(table).limit(0)).all()
        except sa.exc.OperationalError:
            return None
        return rowid

    def last_rows(
        self, conn: sa.Connection, stmt: sa.Select[Any], table: sa.Table, rows: int, limit: int
    ) -> Sequence[Sequence[Any]]:
        if not all(isinstance(f, sa.Table) for f in stmt.get_final_froms()):
            # A partition's rows (a subquery): its rowid reads as NULL.
            return super().last_rows(conn, stmt, table, rows, limit)
        try:
            # rowid is scan order for ordinary tables, and the index makes this instant.
            by_rowid = stmt.order_by(sa.literal_column("rowid").desc()).limit(limit)
            return conn.execute(by_rowid).all()[::-1]
        except sa.exc.OperationalError:
            # WITHOUT ROWID tables and views have no rowid
            return super().last_rows(conn, stmt, table, rows, limit)

    def sample_by_rowid(
        self, conn: sa.Connection, source: sa.TableClause, names: list[str], size: int
    ) -> list[Sequence[Any]] | None:
        """Evenly spaced rowids between the smallest and largest; None without rowids."""
        lowered = {n.lower() for n in names}
        alias = next((a for a in ROWID_ALIASES if a not in lowered), None)
        if alias is None:
            return None
        rowid: sa.ColumnElement[Any] = sa.literal_column(alias)
        try:
            # Two queries: SQLite answers a lone min() or max() of the rowid from the b-tree
            # ends, but scans the whole table for both in one statement.
            low = conn.execute(sa.select(sa.func.min(rowid)).select_from(source)).scalar()
            high = conn.execute(sa.select(sa.func.max(rowid)).select_from(source)).scalar()
        except sa.exc.SQLAlchemyError:
            return None
        if low is None:
            return []
        if high - low + 1 <= size:
            return list(conn.execute(sa.select(*source.c).order_by(rowid)).all())
        wanted = sorted({low + (high - low) * i // (size - 1) for i in range(size)})
        found: list[Sequence[Any]] = []
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            query = sa.select(*source.c).where(rowid.in_(chunk)).order_by(rowid)
            found.extend(conn.execute(query).all())
        return found

    def is_snapshot(self, url: URL) -> bool:
        # Ours is in the file: URI; a user's own `?immutable=1&uri=true` in the URL's query.
        return SNAPSHOT_FLAG in (url.database or "") or url.query.get("immutable") == "1"

    def shown_url(self, url: URL) -> URL:
        database = url.database or ""
        if database.startswith("file:"):
            # The read-only form we open (file:PATH?mode=ro&uri=true) as the user wrote it.
            return url.set(database=database.removeprefix("file:").split("?", 1)[0], query={})
        return url


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
