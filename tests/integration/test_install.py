"""ddtui installs as a command-line tool: a wheel in a fresh environment with no Airflow in it
reads a metastore, decrypts its connections, and prints its version; Typer's completion works."""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from connections_support import SECRET, ConnectionsHome

import ddtui as ddtui_package
from ddtui.demo.home import AirflowHome

DDTUI = str(Path(sys.executable).with_name("ddtui"))
SOURCE_ROOT = Path(ddtui_package.__file__).resolve().parents[1]


def run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI"))}
    base["PYTHONPATH"] = str(SOURCE_ROOT)
    return subprocess.run(
        command, capture_output=True, text=True, env={**base, **env}, check=False, timeout=600
    )


def test_version_is_printed() -> None:
    done = run([DDTUI, "--version"])
    assert (done.returncode, done.stdout) == (0, f"ddtui {ddtui_package.__version__}\n")


def test_typer_completion_is_offered_and_prints_a_script() -> None:
    assert "--install-completion" in run([DDTUI, "--help"]).stdout
    # Typer finds the shell from the parent process, as when a user types it in bash (its
    # flag takes no value); `; true` keeps bash from replacing itself with ddtui.
    done = run(["bash", "-c", f"{shlex.quote(DDTUI)} --show-completion; true"])
    assert done.returncode == 0
    assert "_DDTUI_COMPLETE" in done.stdout


def python_for(version: str) -> str | None:
    """A working `python3.X` of this machine (on PATH or under pyenv), or None."""
    found = [shutil.which(f"python{version}")]
    found += sorted(glob.glob(str(Path.home() / f".pyenv/versions/{version}*/bin/python3")))
    for candidate in filter(None, found):
        probe = run([candidate, "-c", "import sys; print(sys.version_info[:2])"])
        if probe.returncode == 0 and probe.stdout.strip() == str(
            tuple(map(int, version.split(".")))
        ):
            return candidate
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ddtui built as a wheel, as `pip install` from an index would receive it."""
    where = tmp_path_factory.mktemp("dist")
    # Built in pip's isolated build environment, as an index builds it: the test's own
    # environment may have no setuptools (Python 3.12+ venvs come without it).
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps"]
    done = run([*build, str(SOURCE_ROOT), "-w", str(where)])
    assert done.returncode == 0, done.stderr
    (built,) = where.glob("ddtui-*.whl")
    return built


@pytest.fixture(scope="module", params=["3.11", "3.12", "3.13"])
def installed(
    request: pytest.FixtureRequest, wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The wheel installed in a fresh virtual environment of that Python (its `bin`)."""
    current = f"{sys.version_info.major}.{sys.version_info.minor}"
    # This test environment has Airflow: its base interpreter, never the environment itself.
    base = str(Path(sys.base_prefix) / "bin" / "python3") if request.param == current else None
    python = base or python_for(request.param)
    if python is None:
        pytest.skip(f"no Python {request.param} on this machine")
    venv = tmp_path_factory.mktemp(f"venv{request.param}")
    assert run([python, "-m", "venv", str(venv)]).returncode == 0
    # No PYTHONPATH: pip would take the source tree on it for ddtui already installed.
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    done = run([*pip, str(wheel)], PYTHONPATH="")
    assert done.returncode == 0, done.stderr
    return venv / "bin"


def test_the_installed_wheel_has_no_airflow_and_reads_a_metastore(
    installed: Path, conn_home: ConnectionsHome
) -> None:
    clean = {"PYTHONPATH": "", "PATH": f"{installed}:/usr/bin:/bin"}
    assert run([str(installed / "python"), "-c", "import airflow"], **clean).returncode != 0
    version = run([str(installed / "ddtui"), "--version"], **clean)
    assert version.stdout == f"ddtui {ddtui_package.__version__}\n"
    home = {"AIRFLOW_HOME": str(conn_home.home), **clean}
    dags = run([str(installed / "ddtui"), "dags"], **home)
    assert dags.returncode == 0, dags.stderr
    assert "titanic" in dags.stdout and "asset_outputs" in dags.stdout
    # Its connection decrypted with cryptography alone, the key from airflow.cfg.
    described = run([str(installed / "ddtui"), "describe", "titanic", "clean"], **home)
    assert described.returncode == 0, described.stderr
    assert "read through Airflow connection `warehouse` (metastore)" in described.stdout
    assert SECRET not in described.stdout + described.stderr


@pytest.fixture(scope="module")
def bare_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel alone (no extras) in a fresh virtual environment of this Python."""
    venv = tmp_path_factory.mktemp("venv-extras")
    python = str(Path(sys.base_prefix) / "bin" / "python3")
    assert run([python, "-m", "venv", str(venv)]).returncode == 0
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    done = run([*pip, str(wheel)], PYTHONPATH="")
    assert done.returncode == 0, done.stderr
    return venv / "bin"


def airflow_url_forms(url: str, *drivers: str) -> list[str]:
    """`url` with each scheme Airflow's own settings write for its backend."""
    _, rest = url.split("://", 1)
    return [f"{driver}://{rest}" for driver in drivers]


PG_FORMS = ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg")
MYSQL_FORMS = ("mysql", "mysql+mysqldb", "mysql+pymysql")


@pytest.mark.postgres
@pytest.mark.mysql
def test_airflow_url_forms_read_with_the_drivers_the_extras_bring(
    wheel: Path, bare_venv: Path, pg_airflow_home: AirflowHome, mariadb_airflow_home: AirflowHome
) -> None:
    clean = {"PYTHONPATH": "", "PATH": f"{bare_venv}:/usr/bin:/bin"}
    ddtui = str(bare_venv / "ddtui")
    pg_url = pg_airflow_home.metastore_url
    # Without the extra: the one line names what to install, and that is enough (below).
    for url in airflow_url_forms(pg_url, "postgresql+psycopg2", "postgresql"):
        done = run([ddtui, "dags", "--metastore", url], **clean)
        assert done.returncode == 3, done.stdout
        assert "pip install 'ddtui[postgres]' (it brings psycopg)" in done.stderr
    mysql_url = mariadb_airflow_home.metastore_url
    done = run([ddtui, "dags", "--metastore", airflow_url_forms(mysql_url, "mysql")[0]], **clean)
    assert done.returncode == 3
    assert "pip install 'ddtui[mysql]' (it brings PyMySQL)" in done.stderr

    pip = [str(bare_venv / "python"), "-m", "pip", "install", "-q"]
    done = run([*pip, f"{wheel}[postgres,mysql]"], PYTHONPATH="")
    assert done.returncode == 0, done.stderr
    assert run([str(bare_venv / "python"), "-c", "import psycopg2"], **clean).returncode != 0
    forms = [
        *airflow_url_forms(pg_url, *PG_FORMS),
        *airflow_url_forms(mysql_url, *MYSQL_FORMS),
    ]
    for url in forms:
        done = run([ddtui, "dags", "--metastore", url], **clean)
        assert done.returncode == 0, (url, done.stderr)
        assert "titanic" in done.stdout and not done.stderr, url
    verbose = run([ddtui, "--verbose", "dags", "--metastore", forms[2]], **clean)
    assert verbose.returncode == 0
    expected = "postgresql+psycopg2 URL read with postgresql+psycopg: psycopg2 is not installed"
    assert verbose.stderr.strip() == f"ddtui: {expected}"
