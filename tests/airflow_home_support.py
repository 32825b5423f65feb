"""Test helpers: database services that may be missing, and Airflow homes built once per session."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from ddtui.demo.dag_sets import DagSet
from ddtui.demo.home import MARKER_NAME, AirflowHome, ensure_airflow_home, fingerprint

POSTGRES_URL = os.environ.get(
    "DDTUI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
MYSQL_URL = os.environ.get("DDTUI_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
# CI sets this: a missing database server is then a failure, not a skip.
REQUIRE_SERVICES_ENV = "DDTUI_REQUIRE_SERVICES"
# Set to 1 to ignore the cached test Airflow home and build a new one.
REBUILD_ENV = "DDTUI_REBUILD_HOMES"


def require_service(name: str, url: str) -> None:
    """Skip the test when the server at `url` does not answer (fail instead in CI)."""
    parsed = make_url(url)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3}, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        reason = str(error.orig if isinstance(error, sa.exc.DBAPIError) else error)
        message = f"{name} not reachable at {parsed.host}:{parsed.port}: {reason.strip()}"
        if os.environ.get(REQUIRE_SERVICES_ENV) == "1":
            pytest.fail(f"{message} ({REQUIRE_SERVICES_ENV}=1)", pytrace=False)
        pytest.skip(message)
    finally:
        engine.dispose()


@contextmanager
def fresh_postgres_database(server_url: str, name: str) -> Iterator[str]:
    """Create the empty database `name` on the server, yield its URL, drop it afterwards."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"unsafe database name {name!r}")
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server_url).set(drivername="postgresql+psycopg2", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        # FORCE: Airflow's pooled connections may outlive the subprocesses' exit briefly.
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_mysql_database(server_url: str, name: str) -> Iterator[str]:
    """Create the empty database `name` on the MariaDB/MySQL server, yield its URL (with the
    mysqlclient driver Airflow uses for its metastore), drop it afterwards."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"unsafe database name {name!r}")
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        # Airflow's documented settings for a MySQL metastore.
        connection.execute(
            sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        )
    try:
        url = make_url(server_url).set(drivername="mysql+mysqldb", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


def user_url(url: str) -> str:
    """`url` as a user types it: no driver (`postgresql://`, `mysql://`), ddtui picks one."""
    parsed = make_url(url)
    return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=False)


def data_url_option(home: AirflowHome) -> str:
    """The home's data database as a user passes it to --data-url."""
    return user_url(home.data_url)


def cached_test_home(cache_root: Path, dag_set: DagSet = "test") -> AirflowHome:
    """A DAG set's Airflow home, reused from `cache_root` while its inputs are unchanged."""
    home = cache_root / f"{dag_set}-{fingerprint(dag_set)}"
    for stale in cache_root.glob(f"{dag_set}-*"):  # homes built from older DAG files
        if stale.is_dir() and stale != home and (stale / MARKER_NAME).exists():
            shutil.rmtree(stale)
    if os.environ.get(REBUILD_ENV) == "1" and home.exists():
        shutil.rmtree(home)
    return ensure_airflow_home(home, dag_set=dag_set, progress=report_progress)


def report_progress(line: str) -> None:
    """Show build progress with `pytest -s`; the build takes minutes the first time."""
    print(f"[airflow home] {line}", flush=True)
