"""Sessions: `nox -s tests` (the CI line), `tests_versions` (3.11-3.13), `lint`, `demo`, `bench`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True


def _ensure_system_packages(session: nox.Session) -> None:
    """Install on Debian, when we may, what the tests need beyond Python: tmux (the
    end-to-end test drives ddtui in it), and the MariaDB client headers and pkg-config
    that mysqlclient builds against (Airflow's driver for a MariaDB metastore)."""
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return
    wanted = []
    if not shutil.which("tmux"):
        wanted.append("tmux")
    if not shutil.which("pkg-config"):
        wanted.append("pkg-config")
    if not _pkg_config_knows("libmariadb") and not _pkg_config_knows("mysqlclient"):
        wanted.append("libmariadb-dev")
    if not wanted:
        return
    session.run("apt-get", "update", "-qq", external=True)
    session.run("apt-get", "install", "-y", "-qq", *wanted, external=True)


def _pkg_config_knows(library: str) -> bool:
    pkg_config = shutil.which("pkg-config")
    if pkg_config is None:
        return False
    return subprocess.run([pkg_config, "--exists", library], check=False).returncode == 0


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against real Airflow metastores."""
    _run_suite(session)


@nox.session(python=["3.11", "3.12", "3.13"])
def tests_versions(session: nox.Session) -> None:
    """The suite on each supported Python: `nox -s tests_versions` (or `tests_versions-3.13`)."""
    _run_suite(session)


def _run_suite(session: nox.Session) -> None:
    _ensure_system_packages(session)
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def compat(session: nox.Session) -> None:
    """The compatibility matrix: Airflow 2.9, 2.10, 2.11, 3.0, 3.1 and 3.3 each build a
    metastore in their own virtualenv (cached in ~/.cache/ddtui-compat), ddtui's commands run
    on each; prints the table (release x backend -> works / exit code) the README shows."""
    _ensure_system_packages(session)
    session.install("-e", ".[test]")
    report = Path(session.create_tmp()) / "compat.jsonl"
    report.unlink(missing_ok=True)
    env = {"DDTUI_COMPAT": "1", "DDTUI_COMPAT_REPORT": str(report)}
    session.run(
        "pytest",
        "tests/integration/test_compat.py",
        *session.posargs,
        env=env,
        success_codes=[0, 1],
    )
    session.run("python", "tests/compat_table.py", str(report))


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff, mypy and the import contracts."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", "ddtui", "tests", "noxfile.py")
    session.run("ruff", "format", "--check", "ddtui", "tests", "noxfile.py")
    # The TUI tests' metastore doubles too: they must read like the real one.
    session.run("mypy", "ddtui", "tests/tui/fakes.py", "tests/tui/pinned.py")
    # Which package may import which: [tool.importlinter] in pyproject.toml.
    session.run("lint-imports")


@nox.session
def demo(session: nox.Session) -> None:
    """Build the demo Airflow home with real Airflow and open ddtui on it."""
    session.install("-e", ".[demo]")
    session.run("ddtui", "demo", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against the tools users use today (not part of the tests)."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "tests.bench", *session.posargs)
