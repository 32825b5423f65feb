"""Statement timeouts stop slow queries on every backend, and the CLI says so with exit 7."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from safety_support import ScratchDatabase, family

from ddtui.backends.engines import create_readonly_engine, is_timeout
from ddtui.demo.home import AirflowHome
from ddtui.outputs.data_sources import DataSources

DDTUI = str(Path(sys.executable).with_name("ddtui"))
# Queries that run far past the timeouts below: SQLite's never ends by itself.
NEVER_ENDING_CTE = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
SLOW = {
    "sqlite": f"{NEVER_ENDING_CTE} SELECT count(*) FROM r",
    "postgresql": "SELECT pg_sleep(10)",
    "mysql": "SELECT SLEEP(10)",
}
# What each backend says when the timeout (and nothing else) stopped the query.
STOPPED = {
    "sqlite": "statement timeout: SQLite query ran past 0.5 s",
    "postgresql": "canceling statement due to statement timeout",
    "mysql": "max_statement_time exceeded",
}
ENGINES: dict[str, Callable[[str], sa.Engine]] = {
    "metastore": lambda url: create_readonly_engine(url, statement_timeout_s=0.5),
    "data": lambda url: DataSources(statement_timeout_s=0.5).engine(url),
}


@pytest.mark.parametrize("engine_kind", sorted(ENGINES))
def test_a_slow_query_is_stopped_by_the_timeout(scratch: ScratchDatabase, engine_kind: str) -> None:
    engine = ENGINES[engine_kind](scratch.url)
    try:
        with engine.connect() as conn:
            driver = conn.connection.driver_connection
            # A net should SQLite's timeout fail: the test then fails ("interrupted"), not hangs.
            net = threading.Timer(20, getattr(driver, "interrupt", lambda: None))
            net.start()
            try:
                with pytest.raises(sa.exc.DBAPIError, match=STOPPED[family(scratch.backend)]) as e:
                    conn.exec_driver_sql(SLOW[family(scratch.backend)]).all()
            finally:
                net.cancel()
        assert is_timeout(e.value)  # what turns it into exit code 7
        with engine.connect() as conn:  # the connection is usable again
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 1
    finally:
        engine.dispose()


def ddtui(home: AirflowHome, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The installed command in a clean environment; a hang fails the test after a minute."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI"))}
    base.update(home.env(), **env)
    return subprocess.run(
        [DDTUI, *args], capture_output=True, text=True, env=base, check=False, timeout=60
    )


@contextmanager
def slow_table(scratch: ScratchDatabase, name: str) -> Iterator[None]:
    """`name` made slow to read: locked by another session, or (SQLite) a never-ending view."""
    if scratch.backend == "sqlite":
        with scratch.admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE VIEW {name} AS {NEVER_ENDING_CTE} SELECT n AS x FROM r")
        yield
        return
    with scratch.admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {name} (x INTEGER)")
    with lock(scratch.admin, name):
        yield


@contextmanager
def lock(admin: sa.Engine, *tables: str) -> Iterator[None]:
    """Another session holds a lock that makes every reader of `tables` wait."""
    with admin.connect() as holder:
        if admin.dialect.name == "postgresql":
            holder.exec_driver_sql(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
        else:
            holder.exec_driver_sql(f"LOCK TABLES {', '.join(f'{t} WRITE' for t in tables)}")
        try:
            yield
        finally:
            if admin.dialect.name != "postgresql":
                holder.exec_driver_sql("UNLOCK TABLES")
            holder.rollback()


def assert_one_line_timeout(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 7, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0]


def test_describe_of_a_slow_table_exits_7_in_one_line(
    scratch: ScratchDatabase, airflow_home: AirflowHome
) -> None:
    # titanic.load's output is the bare table name titanic_raw, read from DDTUI_DATA_URL.
    with slow_table(scratch, "titanic_raw"):
        done = ddtui(
            airflow_home,
            "describe",
            "titanic",
            "load",
            env={"DDTUI_DATA_URL": scratch.url, "DDTUI_DATA_TIMEOUT": "0.5"},
        )
    assert_one_line_timeout(
        done, "'titanic_raw'", "timed out", STOPPED[family(scratch.backend)], "DDTUI_DATA_TIMEOUT"
    )


@pytest.mark.parametrize("home_fixture", ["pg_airflow_home", "mariadb_airflow_home"])
@pytest.mark.parametrize("command", [["dags"], ["describe", "titanic", "clean"]])
def test_a_locked_metastore_exits_7_in_one_line(
    request: pytest.FixtureRequest, home_fixture: str, command: list[str]
) -> None:
    """Metastores built by real Airflow; another session locks the tables ddtui reads."""
    home: AirflowHome = request.getfixturevalue(home_fixture)
    admin = sa.create_engine(home.metastore_url, poolclass=sa.NullPool)
    try:
        with lock(admin, "dag", "serialized_dag"):
            done = ddtui(home, *command, env={"DDTUI_METASTORE_TIMEOUT": "0.5"})
    finally:
        admin.dispose()
    stopped = STOPPED["postgresql" if admin.dialect.name == "postgresql" else "mysql"]
    assert_one_line_timeout(done, stopped, "DDTUI_METASTORE_TIMEOUT")


def test_a_bad_timeout_setting_is_a_settings_error(airflow_home: AirflowHome) -> None:
    done = ddtui(airflow_home, "dags", env={"DDTUI_METASTORE_TIMEOUT": "soon"})
    assert done.returncode == 3, done.stderr
    assert "DDTUI_METASTORE_TIMEOUT must be a positive number of seconds" in done.stderr
