"""Helpers for fault tests: copies of the real metastore to damage; `ddtui` as users run it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from ddtui.demo.home import AirflowHome

REPO = Path(__file__).resolve().parent.parent


def copy_metastore(home: AirflowHome, target: Path) -> Path:
    """A consistent copy of the test home's SQLite metastore (WAL mode kept, no -wal/-shm)."""
    source = home.metastore_url.removeprefix("sqlite:///")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src:
        dst = sqlite3.connect(target)
        src.backup(dst)
        dst.close()
    src.close()
    return target


def ddtui_env(home: AirflowHome | None = None, **extra: str) -> dict[str, str]:
    """The environment of a user with only `home` configured, running this checkout's ddtui."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI", "NO_COLOR"))
    }
    if home is not None:
        env.update(home.env())
    env["PYTHONPATH"] = str(REPO)  # this checkout, not whichever ddtui is installed
    env.update(extra)
    return env


_MAIN = "import sys; from ddtui.cli import main; sys.argv[0] = 'ddtui'; main()"


def run_ddtui(
    *args: str, env: dict[str, str], **kwargs: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", _MAIN, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
        **kwargs,
    )


def assert_one_line_error(done: subprocess.CompletedProcess[str], code: int, *quoted: str) -> str:
    """Exit `code`, one line on stderr quoting each of `quoted`, no traceback; that line."""
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for text in quoted:
        assert text in lines[0], lines[0]
    return lines[0]


AS_NOBODY = Path(__file__).with_name("run_as_nobody.py")


def run_ddtui_unprivileged(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`ddtui` as a user without root's right to ignore file modes (as root: as `nobody`)."""
    if os.geteuid() != 0:
        return run_ddtui(*args, env=env)
    return subprocess.run(
        [sys.executable, str(AS_NOBODY), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def shared_tmp_dir() -> Path:
    """A directory `nobody` can reach (pytest's tmp_path is private to root)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="ddtui-faults-"))
    path.chmod(0o755)
    return path
