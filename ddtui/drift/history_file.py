"""The profile history's SQLite file: made whole before anyone sees it, recognised as
ddtui's (an application id in its header), switched to WAL, shrunk when far over its cap.

Every access goes through SQLite, never a plain open() of the file: closing another
descriptor of a file releases every POSIX lock this process holds on it, SQLite's included.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

HISTORY_FORMAT = 1
# SQLite's header field for "which application's file is this": "ddtu" in ASCII.
APPLICATION_ID = 0x64647475
# The tables of a history written before the application id was set (format 1).
OWN_TABLES = {"meta", "profiles", "sqlite_sequence"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    metastore TEXT NOT NULL,
    dag_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    table_name TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    run_after TEXT,
    row_count INTEGER NOT NULL,
    exact INTEGER NOT NULL,
    profile_json TEXT NOT NULL,
    samples_zjson BLOB,
    size_bytes INTEGER NOT NULL,
    order_time TEXT NOT NULL,  -- run_after when known, else recorded_at: the history's order
    UNIQUE (metastore, dag_id, task_id, run_id, table_name)
);
CREATE INDEX IF NOT EXISTS profiles_by_task ON profiles (metastore, dag_id, task_id, id);
CREATE INDEX IF NOT EXISTS profiles_by_run_time
    ON profiles (metastore, dag_id, task_id, order_time);
"""


def create_file(path: Path) -> None:
    """An empty file only its user may read (the schema is written on first connection)."""
    if path.exists():
        return
    # The history holds value samples of output tables: keep it private to the user.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # another process made it first
        return
    os.close(fd)


def write_schema(conn: sqlite3.Connection) -> tuple[Any, ...] | None:
    """Create what is missing, in the open transaction; the stored format row, if there was one."""
    # Statement by statement: executescript would commit the transaction midway.
    for statement in filter(None, (s.strip() for s in SCHEMA.split(";"))):
        conn.execute(statement)
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    row: tuple[Any, ...] | None = conn.execute(
        "SELECT value FROM meta WHERE key = 'format'"
    ).fetchone()
    if row is None:
        conn.execute("INSERT INTO meta VALUES ('format', ?)", (str(HISTORY_FORMAT),))
    return row


def foreign_contents(conn: sqlite3.Connection) -> str | None:
    """What the file holds when it is not a ddtui history; None when it is one, or empty.

    Read through the connection, never by opening the file: closing another descriptor of
    a file releases every POSIX lock this process holds on it, SQLite's included.
    """
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return None
    if app_id != 0:
        return f"application id {app_id:#x}"
    tables = sorted(
        str(name) for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    )
    if set(tables) <= OWN_TABLES:
        return None  # new, or a history from before the application id was set
    shown = ", ".join(tables[:4]) + (", …" if len(tables) > 4 else "")
    return f"its tables: {shown}"


def use_wal(conn: sqlite3.Connection, timeout_s: float) -> None:
    """Switch a new file to WAL. The switch needs the file to itself and, unlike other
    statements, fails at once rather than wait while another process holds it (that
    process is switching it too, or reading it): retry until the busy timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode.lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def shrink_if_far_over(path: Path, max_bytes: int, timeout_s: float) -> None:
    """Deleted entries leave free pages: give them back when they make the file far
    bigger than its cap (after the cap was lowered, or big entries were evicted)."""
    try:
        conn = sqlite3.connect(path, timeout=timeout_s, isolation_level=None)
        with closing(conn):
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    except sqlite3.Error:
        return  # the next write tries again
    if pages * page_size > 2 * max_bytes and free * 2 > pages:
        vacuum(path, timeout_s)


def vacuum(path: Path, timeout_s: float) -> None:
    """Give free pages back to the file system (skipped while another process holds it)."""
    try:
        conn = sqlite3.connect(path, timeout=timeout_s, isolation_level=None)
        with closing(conn):
            conn.execute("VACUUM")
            # In WAL mode the file shrinks when the log is written back into it.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError:
        pass  # another process holds the file: it shrinks on a later clear
