"""Writes through ddtui are refused by the database itself, on every backend and driver.

Two layers, each tested alone: the engines ddtui creates (sessions that cannot write), and
the transactions the profiler begins (READ ONLY, even on an engine that could write).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from safety_support import BACKENDS, ScratchDatabase, family, scratch_database

from ddtui.backends.engines import create_readonly_engine
from ddtui.outputs.data_sources import DataSources
from ddtui.profile import api as profile_api
from ddtui.profile import profile_table

# What each backend says when it refuses a write because the session or transaction is
# read-only (and not for some other reason, such as a typo or a timeout).
REFUSALS = {
    "sqlite": "attempt to write a readonly database",
    "postgresql": "in a read-only transaction",
    "mysql": "in a READ ONLY transaction",
}
# An INSERT, a CREATE TABLE and functions with side effects, per backend.
WRITES = {
    "sqlite": [
        "INSERT INTO t VALUES (3)",
        "CREATE TABLE made (x INTEGER)",
        "PRAGMA user_version = 7",  # rewrites the file's header
    ],
    "postgresql": [
        "INSERT INTO t VALUES (3)",
        "CREATE TABLE made (x INTEGER)",
        "SELECT f()",  # a function that inserts
        "SELECT nextval('s')",  # advances a sequence, outside any transaction's rollback
    ],
    "mysql": [
        "INSERT INTO t VALUES (3)",
        "CREATE TABLE made (x INTEGER)",
        "SELECT f()",
        "SELECT NEXTVAL(s)",
    ],
}
# The engines ddtui reads through: the metastore's (open_metastore builds it this way, with
# its 30 s timeout) and the data sources' (shared by the TUI and `describe`).
ENGINES: dict[str, Callable[[str], sa.Engine]] = {
    "metastore": lambda url: create_readonly_engine(url, statement_timeout_s=30),
    "data": lambda url: DataSources().engine(url),
}


@pytest.mark.parametrize("engine_kind", sorted(ENGINES))
def test_writes_through_ddtuis_engines_are_refused(
    scratch: ScratchDatabase, engine_kind: str
) -> None:
    before = scratch.state()
    engine = ENGINES[engine_kind](scratch.url)
    try:
        for statement in WRITES[family(scratch.backend)]:
            refused = pytest.raises(sa.exc.DBAPIError, match=REFUSALS[family(scratch.backend)])
            with refused, engine.begin() as conn:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()
    assert scratch.state() == before


def test_sqlite_engines_attach_no_other_file(tmp_path: Path) -> None:
    # mode=ro guards the file ddtui opens; ATTACH would create and write another one.
    with scratch_database("sqlite", tmp_path) as scratch:
        for make in ENGINES.values():
            engine = make(scratch.url)
            other = tmp_path / "other.db"
            refused = pytest.raises(sa.exc.OperationalError, match="too many attached databases")
            with refused, engine.connect() as conn:
                conn.execute(sa.text("ATTACH DATABASE :path AS other"), {"path": str(other)})
            engine.dispose()
            assert not other.exists()


def try_write(dbapi_connection: Any, backend: str) -> str:
    """Insert a row into `probe` inside the connection's current transaction; what happened."""
    cursor = dbapi_connection.cursor()
    postgres = family(backend) == "postgresql"
    try:
        if postgres:  # a failed statement would abort the transaction: keep it usable
            cursor.execute("SAVEPOINT ddtui_probe")
        try:
            cursor.execute("INSERT INTO probe VALUES (1)")
        except Exception as exc:  # the DBAPI's own error class, whichever driver
            refused = REFUSALS[family(backend)] in str(exc)
            return "refused" if refused else f"other error: {exc}"
        finally:
            if postgres:
                cursor.execute("ROLLBACK TO SAVEPOINT ddtui_probe")
                cursor.execute("RELEASE SAVEPOINT ddtui_probe")
        return "written"
    finally:
        cursor.close()


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "sqlite"])
def test_profile_transactions_are_read_only_on_a_writable_engine(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every query of a push-down profile runs in a transaction where a write is refused."""
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 0)
    with scratch_database(backend, tmp_path) as scratch:
        frame = pd.DataFrame({"x": range(500), "label": [f"l{i % 7}" for i in range(500)]})
        frame.to_sql("numbers", scratch.admin, index=False)
        # A plain engine: only the transactions the profiler begins keep it from writing.
        engine = sa.create_engine(scratch.url, poolclass=sa.NullPool)
        engine.connect().close()  # the dialect's first-connect queries, before we listen
        attempts: list[str] = []

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _write_first(conn: sa.Connection, _cursor: Any, statement: str, *_: Any) -> None:
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                attempts.append(try_write(conn.connection.driver_connection, backend))

        try:
            profile = profile_table(engine, "numbers")
        finally:
            engine.dispose()
        assert profile.strategy == "pushdown"
        assert profile.columns[0].count == 500
        assert len(attempts) > 5  # reflection, count, aggregates on both connections
        assert set(attempts) == {"refused"}, attempts
        assert scratch.state()[1] == 0  # no probe row survived
