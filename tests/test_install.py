"""ddtui installs as a command-line tool: a wheel in a fresh environment with no Airflow in it
reads a metastore, decrypts its connections, and prints its version; Typer's completion works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from connections_support import SECRET, ConnectionsHome

import ddtui as ddtui_package

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
    done = run([DDTUI, "--show-completion", "bash"])
    assert done.returncode == 0
    assert "_DDTUI_COMPLETE" in done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built wheel installed in a fresh virtual environment (its `bin` directory)."""
    where = tmp_path_factory.mktemp("install")
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    done = run([*build, str(SOURCE_ROOT), "-w", str(where / "dist")])
    assert done.returncode == 0, done.stderr
    (wheel,) = (where / "dist").glob("ddtui-*.whl")
    venv = where / "venv"
    # The base interpreter, not this test environment (which has Airflow).
    base_python = Path(sys.base_prefix) / "bin" / "python3"
    assert run([str(base_python), "-m", "venv", str(venv)]).returncode == 0
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
