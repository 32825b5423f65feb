"""The compatibility matrix: real metastores built by each supported Airflow release.

Airflow 2 pins SQLAlchemy 1.4 and ddtui needs 2.x, so each Airflow release is installed
in its own virtualenv and builds its metastore by running that virtualenv's `airflow`;
ddtui reads the result from the test environment. Virtualenvs and SQLite homes are
cached under $DDTUI_COMPAT_CACHE (default ~/.cache/ddtui-compat), keyed by release, so
only the first run pays for the installs (a few minutes per release).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from ddtui.demo.home import AirflowHome, Progress, ensure_airflow_home, fingerprint

Backend = Literal["sqlite", "postgres", "mariadb"]
CACHE_ENV = "DDTUI_COMPAT_CACHE"
# The newest patch of each minor release the matrix covers (pip index versions
# apache-airflow). 3.2 is left out: its `dags test` could not be made to run (issue 13).
RELEASES = ("2.9.3", "2.10.5", "2.11.2", "3.0.6", "3.1.8", "3.3.2")
NEWEST_AIRFLOW_2 = "2.11.2"
# Releases also built on the database servers.
SERVER_RELEASES = ("2.11.2", "3.3.2")
PIP_TIMEOUT_S = 1800
VENV_MARKER = "ddtui-compat-venv.json"


def requirements(release: str, backend: Backend) -> list[str]:
    """What `pip install` needs for `release` to build a metastore on `backend`.

    The constraint files Airflow publishes are not on PyPI, so these pins were found by
    building the metastores here: the demo DAGs need pandas and numpy, and the SQLAlchemy
    1.4 of Airflow 2 and 3.0 needs a pandas older than 2.2 (newer ones take its engine for
    a DBAPI connection: "'Engine' object has no attribute 'cursor'").
    """
    airflow_2 = release.startswith("2.")
    sqlalchemy_1_4 = release.startswith(("2.", "3.0."))
    wanted = [f"apache-airflow=={release}"]
    wanted += ["pandas<2.2", "numpy<2"] if sqlalchemy_1_4 else ["pandas", "numpy"]
    if release == "3.0.6":
        wanted.append("fastapi==0.116.1")  # newer FastAPI: every `dags test` task gets HTTP 422
    if backend == "postgres":
        wanted.append("psycopg2-binary")
        if not airflow_2:
            wanted.append("asyncpg")  # Airflow 3 also opens an async engine
    elif backend == "mariadb":
        wanted.append("mysqlclient")  # builds against libmariadb-dev (noxfile.py installs it)
        if not airflow_2:
            wanted.append("aiomysql")
    return wanted


def cache_root() -> Path:
    """Where the virtualenvs and SQLite homes of the matrix are kept between runs."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "ddtui-compat"


def venv_python() -> str | None:
    """A Python every release of the matrix installs on (3.11 or 3.12), if there is one."""
    if sys.version_info[:2] in ((3, 11), (3, 12)):
        return sys.executable
    return shutil.which("python3.12") or shutil.which("python3.11")


def ensure_airflow_venv(release: str, backend: Backend, say: Progress) -> str:
    """The `airflow` command of `release`'s virtualenv, made or completed first if needed."""
    venv = cache_root() / f"venv-{release}"
    venv.parent.mkdir(parents=True, exist_ok=True)
    wanted = requirements(release, backend)
    with _locked(venv.with_name(venv.name + ".lock")):
        marker = venv / VENV_MARKER
        installed = set(json.loads(marker.read_text())) if marker.is_file() else set()
        if not set(wanted) <= installed:
            if not (venv / "bin" / "python").exists():
                say(f"creating the Airflow {release} virtualenv in {venv}")
                python = venv_python()
                if python is None:
                    raise RuntimeError("Airflow's virtualenvs need Python 3.11 or 3.12 on PATH")
                subprocess.run([python, "-m", "venv", str(venv)], check=True)
            say(f"pip install {' '.join(wanted)} (Airflow {release}; minutes the first time)")
            pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *wanted]
            done = subprocess.run(
                pip, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False
            )
            if done.returncode != 0:
                tail = "\n".join(done.stderr.strip().splitlines()[-15:])
                raise RuntimeError(f"installing Airflow {release} failed:\n{tail}")
            marker.write_text(json.dumps(sorted(installed | set(wanted))))
    return str(venv / "bin" / "airflow")


def cached_sqlite_home(release: str, say: Progress) -> AirflowHome:
    """`release`'s metastore on SQLite with the compat DAG set, built once and cached."""
    airflow = ensure_airflow_venv(release, "sqlite", say)
    homes = cache_root() / "homes"
    home = homes / f"{release}-sqlite-{fingerprint('compat', release)}"
    for stale in homes.glob(f"{release}-sqlite-*"):  # built from older DAG files
        if stale.is_dir() and stale != home:
            shutil.rmtree(stale)
    return ensure_airflow_home(home, dag_set="compat", progress=say, airflow_executable=airflow)


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
