"""Sessions: `nox -s tests` (the CI line), `lint`, `demo`, `bench`."""

from __future__ import annotations

import os
import shutil

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True


def _ensure_tmux(session: nox.Session) -> None:
    """The end-to-end test drives ddtui in tmux; install it on Debian when we may."""
    if shutil.which("tmux") or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    session.run("apt-get", "update", "-qq", external=True)
    session.run("apt-get", "install", "-y", "-qq", "tmux", external=True)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against real Airflow metastores."""
    _ensure_tmux(session)
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff and mypy."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", "ddtui", "tests", "noxfile.py")
    session.run("ruff", "format", "--check", "ddtui", "tests", "noxfile.py")
    # The TUI tests' metastore doubles too: they must read like the real one.
    session.run("mypy", "ddtui", "tests/tui/fakes.py", "tests/tui/pinned.py")


@nox.session
def demo(session: nox.Session) -> None:
    """Build the demo Airflow home with real Airflow and open ddtui on it."""
    session.install("-e", ".[demo]")
    session.run("ddtui", "demo", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against the tools users use today (not part of the tests)."""
    session.install("-e", ".[test]", "pyinstrument")
    session.run("python", "-m", "tests.bench", *session.posargs)
