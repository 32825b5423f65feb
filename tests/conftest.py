"""Shared fixtures: real Airflow metastores built with the real `airflow` command."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from airflow_home_support import (
    MYSQL_URL,
    POSTGRES_URL,
    cached_test_home,
    fresh_mysql_database,
    fresh_postgres_database,
    report_progress,
    require_service,
)
from compat_support import NEWEST_AIRFLOW_2, cached_sqlite_home, venv_python
from connections_support import ConnectionsHome, build_connections_home
from hostile_support import HostileHome, build_hostile_home
from safety_support import BACKENDS, ScratchDatabase, scratch_database
from task_logs_support import TaskLogsHome, cached_task_logs_home
from warehouse_support import warehouse_home
from worker_guard import GUARD_KEY, MARKER, install_worker_guard

from ddtui.demo.home import AirflowHome, build_airflow_home


@pytest.fixture(scope="session")
def airflow_home(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AirflowHome:
    """The test DAG set built with a SQLite metastore (cached in .pytest_cache between sessions)."""
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    root = cache.mkdir("ddtui-airflow-homes") if cache else tmp_path_factory.mktemp("homes")
    return cached_test_home(root)


@pytest.fixture(scope="session")
def partitions_home(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AirflowHome:
    """`partitioned_events` run by Airflow for three days, each appending its partition to one
    table (cached in .pytest_cache like the test home)."""
    cache = getattr(request.config, "cache", None)
    root = cache.mkdir("ddtui-airflow-homes") if cache else tmp_path_factory.mktemp("homes")
    return cached_test_home(root, "partitions")


@pytest.fixture(scope="session")
def airflow2_home() -> AirflowHome:
    """The compat DAG set built by the newest Airflow 2 (its own virtualenv) on SQLite,
    cached with the virtualenv under ~/.cache/ddtui-compat (see compat_support)."""
    if venv_python() is None:
        pytest.skip("Airflow 2 needs Python 3.11 or 3.12 (none on PATH) for its virtualenv")
    return cached_sqlite_home(NEWEST_AIRFLOW_2, report_progress)


@pytest.fixture(scope="session")
def task_logs_home(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> TaskLogsHome:
    """A home whose task logs a real scheduler wrote (cached in .pytest_cache like the above)."""
    cache = getattr(request.config, "cache", None)
    root = cache.mkdir("ddtui-airflow-homes") if cache else tmp_path_factory.mktemp("homes")
    return cached_task_logs_home(root)


@pytest.fixture(scope="session")
def hostile_home(
    airflow_home: AirflowHome, tmp_path_factory: pytest.TempPathFactory
) -> HostileHome:
    """A copy of the test home whose DAG ids, task ids, tags, runs, tables, columns and cells
    carry escape sequences, markup and a 1 MB cell (see hostile_support)."""
    return build_hostile_home(airflow_home, tmp_path_factory.mktemp("hostile") / "airflow")


@pytest.fixture(scope="session")
def pg_airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowHome]:
    """The test DAG set built with its metastore in a fresh PostgreSQL database."""
    require_service("PostgreSQL", POSTGRES_URL)
    with fresh_postgres_database(POSTGRES_URL, f"ddtui_meta_{os.getpid()}") as url:
        home = tmp_path_factory.mktemp("pg-home") / "airflow"
        yield build_airflow_home(home, dag_set="test", metastore_url=url, progress=report_progress)


@pytest.fixture(scope="session")
def mariadb_airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowHome]:
    """The test DAG set built with its metastore in a fresh MariaDB/MySQL database."""
    require_service("MariaDB/MySQL", MYSQL_URL)
    with fresh_mysql_database(MYSQL_URL, f"ddtui_meta_{os.getpid()}") as url:
        home = tmp_path_factory.mktemp("mariadb-home") / "airflow"
        yield build_airflow_home(home, dag_set="test", metastore_url=url, progress=report_progress)


@pytest.fixture(scope="session")
def pg_asset_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowHome]:
    """`asset_outputs` run by Airflow with its tables, and so its outlet assets, in a fresh
    PostgreSQL database (`postgres://127.0.0.1:5432/<db>/public/orders` and the like)."""
    require_service("PostgreSQL", POSTGRES_URL)
    with fresh_postgres_database(POSTGRES_URL, f"ddtui_assets_{os.getpid()}") as data_url:
        home = tmp_path_factory.mktemp("pg-assets") / "airflow"
        yield build_airflow_home(
            home, dag_set="assets", data_url=data_url, progress=report_progress
        )


@pytest.fixture(scope="session")
def pg_warehouse_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowHome]:
    """`warehouse_outputs` run by Airflow, writing to a fresh PostgreSQL database through its
    `warehouse` connection; afterwards `warehouse` is a login that may only read."""
    require_service("PostgreSQL", POSTGRES_URL)
    with warehouse_home(tmp_path_factory.mktemp("pg-wh") / "airflow", report_progress) as home:
        yield home


@pytest.fixture(scope="session")
def conn_home(
    airflow_home: AirflowHome, tmp_path_factory: pytest.TempPathFactory
) -> ConnectionsHome:
    """A copy of the test home with connections added by `airflow connections add`."""
    return build_connections_home(airflow_home, tmp_path_factory.mktemp("conns") / "airflow")


@pytest.fixture
def airflow_env(airflow_home: AirflowHome, monkeypatch: pytest.MonkeyPatch) -> AirflowHome:
    """Point this test's environment (AIRFLOW_HOME, data URL) at the SQLite test home."""
    for name in list(os.environ):
        if name.startswith("AIRFLOW__") or name.startswith("AIRFLOW_CONN_"):
            monkeypatch.delenv(name)
    for name, value in airflow_home.env().items():
        monkeypatch.setenv(name, value)
    return airflow_home


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[sa.Engine]:
    """The test PostgreSQL server (skipped, or failed in CI, when it is not there)."""
    require_service("PostgreSQL", POSTGRES_URL)
    made = sa.create_engine(POSTGRES_URL, poolclass=sa.NullPool)
    yield made
    made.dispose()


@pytest.fixture(autouse=True)
def guard_workers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that runs the app fails when one of its workers ended in error or it swallowed
    an exception, unless it is marked `expect_worker_error("...")` (see worker_guard.py)."""
    expected = [text for marker in request.node.iter_markers(MARKER) for text in marker.args]
    request.node.stash[GUARD_KEY] = install_worker_guard(monkeypatch, expected)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    """Check the guard after the test body: its failures fail the test itself."""
    result = yield
    guard = item.stash.get(GUARD_KEY, None)
    if guard is not None:
        guard.check()
    return result


@pytest.fixture(scope="module", params=BACKENDS)
def scratch(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ScratchDatabase]:
    """A database of each backend made for one test module (tests/safety_support.py)."""
    with scratch_database(request.param, tmp_path_factory.mktemp("scratch")) as made:
        yield made
