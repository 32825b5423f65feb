"""Scratch databases on every backend ddtui supports, for the read-only and timeout tests.

Each holds `t` (one row), `probe` (empty), a sequence `s` and a function `f()` that inserts
into `t`: what a write through ddtui's engines would change, checked afterwards by an admin.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from airflow_home_support import (
    MYSQL_URL,
    POSTGRES_URL,
    REQUIRE_SERVICES_ENV,
    fresh_postgres_database,
    require_service,
)
from sqlalchemy.engine import make_url

# How ddtui's users reach each backend: PostgreSQL through psycopg 3 (ddtui[postgres]),
# MariaDB through PyMySQL (ddtui[mysql]) and through mysqlclient (`mysql+mysqldb://`).
BACKENDS = ("sqlite", "postgresql", "mysql+pymysql", "mysql+mysqldb")


def family(backend: str) -> str:
    """`mysql+pymysql` -> `mysql`: what the database is, whatever the driver."""
    return backend.partition("+")[0]


@dataclass(frozen=True)
class ScratchDatabase:
    """A database made for one test module: `url` for ddtui, `admin` to set up and check."""

    backend: str
    url: str
    admin: sa.Engine

    def state(self) -> tuple[object, ...]:
        """What a write would change: rows of t and probe, the sequence, the tables."""
        with self.admin.connect() as conn:
            rows = conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one()
            probes = conn.exec_driver_sql("SELECT count(*) FROM probe").scalar_one()
            tables = sorted(sa.inspect(conn).get_table_names())
            if self.backend == "sqlite":
                counter = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
            elif self.backend == "postgresql":
                counter = conn.exec_driver_sql("SELECT last_value FROM s").scalar_one()
            else:
                counter = conn.exec_driver_sql("SELECT next_not_cached_value FROM s").scalar_one()
        return rows, probes, tables, counter


@contextmanager
def scratch_database(backend: str, tmp_path: Path) -> Iterator[ScratchDatabase]:
    """The scratch database of `backend`, dropped afterwards (skipped if the server is down)."""
    name = f"ddtui_safety_{os.getpid()}"
    if backend == "sqlite":
        path = tmp_path / "scratch.db"
        with sqlite3.connect(path) as conn:
            conn.executescript("CREATE TABLE t (x INTEGER); CREATE TABLE probe (x INTEGER);")
            conn.execute("INSERT INTO t VALUES (1)")
        admin = sa.create_engine(f"sqlite:///{path}", poolclass=sa.NullPool)
        yield ScratchDatabase(backend, f"sqlite:///{path}", admin)
        admin.dispose()
    elif backend == "postgresql":
        require_service("PostgreSQL", POSTGRES_URL)
        with fresh_postgres_database(POSTGRES_URL, name) as admin_url:
            admin = sa.create_engine(admin_url, poolclass=sa.NullPool)
            with admin.begin() as conn:
                for statement in (
                    "CREATE TABLE t (x INTEGER)",
                    "CREATE TABLE probe (x INTEGER)",
                    "INSERT INTO t VALUES (1)",
                    "CREATE SEQUENCE s",
                    "CREATE FUNCTION f() RETURNS INTEGER LANGUAGE sql "
                    "AS 'INSERT INTO t VALUES (2) RETURNING x'",
                ):
                    conn.exec_driver_sql(statement)
            url = make_url(admin_url).set(drivername="postgresql+psycopg")
            yield ScratchDatabase(backend, url.render_as_string(hide_password=False), admin)
            admin.dispose()
    else:
        driver = backend.partition("+")[2]
        if driver == "mysqldb" and importlib.util.find_spec("MySQLdb") is None:
            # It is in the test extra: only a hand-made environment lacks it.
            message = "mysqlclient (MySQLdb) is not installed: pip install -e '.[test]'"
            if os.environ.get(REQUIRE_SERVICES_ENV) == "1":
                pytest.fail(f"{message} ({REQUIRE_SERVICES_ENV}=1)", pytrace=False)
            pytest.skip(message)
        with scratch_mysql_database(MYSQL_URL, name) as admin_url:
            admin = sa.create_engine(admin_url, poolclass=sa.NullPool)
            url = make_url(admin_url).set(drivername=backend)
            yield ScratchDatabase(backend, url.render_as_string(hide_password=False), admin)
            admin.dispose()


@contextmanager
def scratch_mysql_database(server_url: str, name: str) -> Iterator[str]:
    """Create the MariaDB/MySQL database `name` with t, probe, s and f(); drop it afterwards."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"unsafe database name {name!r}")
    require_service("MariaDB/MySQL", server_url)
    server = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with server.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
        conn.exec_driver_sql(f"USE {name}")
        for statement in (
            "CREATE TABLE t (x INTEGER)",
            "CREATE TABLE probe (x INTEGER)",
            "INSERT INTO t VALUES (1)",
            "CREATE SEQUENCE s",
            "CREATE FUNCTION f() RETURNS INTEGER MODIFIES SQL DATA "
            "BEGIN INSERT INTO t VALUES (2); RETURN 2; END",
        ):
            conn.exec_driver_sql(statement)
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        server.dispose()
