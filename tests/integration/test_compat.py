"""The compatibility matrix: each supported Airflow release builds its own metastore
(SQLite; the newest 2.x and 3.x also PostgreSQL and MariaDB) and every command users run
works on it, the profile equal to pandas. Run by `nox -s compat` (minutes per release the
first time, cached after), which prints the table the README shows; skipped otherwise.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from airflow_home_support import (
    MYSQL_URL,
    POSTGRES_URL,
    fresh_mysql_database,
    fresh_postgres_database,
    report_progress,
    require_service,
)
from compat_checks import CellResult, check_commands, check_deep_link
from compat_support import (
    RELEASES,
    SERVER_RELEASES,
    Backend,
    cached_sqlite_home,
    ensure_airflow_venv,
)

from ddtui.config.settings import DataSettings
from ddtui.demo.home import AirflowHome, build_airflow_home
from ddtui.metastore import open_metastore
from ddtui.tui.app import DdtuiApp

COMPAT_ENV = "DDTUI_COMPAT"  # 1: run the matrix (nox -s compat sets it)
REPORT_ENV = "DDTUI_COMPAT_REPORT"  # where each cell's outcome is written, for the table

CELLS = [(release, "sqlite") for release in RELEASES] + [
    (release, backend) for release in SERVER_RELEASES for backend in ("postgres", "mariadb")
]

pytestmark = pytest.mark.skipif(
    os.environ.get(COMPAT_ENV) != "1", reason=f"the matrix runs with {COMPAT_ENV}=1 (nox -s compat)"
)


@contextmanager
def built_home(release: str, backend: Backend, tmp_path: Path) -> Iterator[AirflowHome]:
    """`release`'s metastore on `backend`: cached on SQLite, a fresh database on a server."""
    if backend == "sqlite":
        yield cached_sqlite_home(release, report_progress)
        return
    airflow = ensure_airflow_venv(release, backend, report_progress)
    name = f"ddtui_compat_{release.replace('.', '')}_{os.getpid()}"
    if backend == "postgres":
        require_service("PostgreSQL", POSTGRES_URL)
        fresh = fresh_postgres_database(POSTGRES_URL, name)
    else:
        require_service("MariaDB/MySQL", MYSQL_URL)
        fresh = fresh_mysql_database(MYSQL_URL, name)
    with fresh as url:
        yield build_airflow_home(
            tmp_path / "airflow",
            dag_set="compat",
            metastore_url=url,
            progress=report_progress,
            airflow_executable=airflow,
        )


def record(release: str, backend: str, result: CellResult, seconds: float) -> None:
    """Append the cell's outcome to the report nox prints as the matrix table."""
    path = os.environ.get(REPORT_ENV)
    if not path:
        return
    cell = {
        "release": release,
        "backend": backend,
        "works": result.works,
        "exits": result.exits,
        "failures": result.failures[:5],
        "seconds": round(seconds, 1),
    }
    with Path(path).open("a", encoding="utf-8") as report:
        report.write(json.dumps(cell) + "\n")


@pytest.mark.parametrize(("release", "backend"), CELLS, ids=[f"{r}-{b}" for r, b in CELLS])
async def test_every_command_works_on_the_metastore_of(
    release: str, backend: Backend, tmp_path: Path
) -> None:
    started = time.monotonic()
    result = CellResult()
    try:
        with built_home(release, backend, tmp_path) as home:
            result = check_commands(home, tmp_path / "history.sqlite")
            store = open_metastore(home.metastore_url)
            data = DataSettings(home.data_url, "--data-url")
            try:

                def make_app(**kwargs: object) -> DdtuiApp:
                    return DdtuiApp(store, data, refresh_seconds=0, **kwargs)  # type: ignore[arg-type]

                await check_deep_link(make_app, result)
                major = int(release.split(".", maxsplit=1)[0])
                result.check(store.info.airflow_major == major, f"read as {store.info}")
            finally:
                store.close()
    except pytest.skip.Exception:
        raise
    except Exception as error:  # a build that failed is a cell of the table too
        result.failures.append(f"build: {type(error).__name__}: {str(error)[-400:]}")
        result.exits["build"] = 1
    record(release, backend, result, time.monotonic() - started)
    assert result.works, (result.exits, result.failures)
