"""Run the real `airflow` command line against one Airflow home, and edit its airflow.cfg.

Everything here works without importing Airflow: ddtui only starts `airflow`
subprocesses, with an explicit environment built from scratch.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from ddtui.errors import DdtuiError

Progress = Callable[[str], None]

COMMAND_TIMEOUT_S = 900
# The environment variable the demo DAG files read their data database URL from.
DATA_URL_ENV = "DDTUI_DEMO_DATA_URL"


def find_airflow_executable() -> str:
    """The `airflow` command of this Python environment, else the one on PATH."""
    beside = Path(sys.executable).parent / "airflow"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    on_path = shutil.which("airflow")
    if on_path:
        return on_path
    raise DdtuiError(
        "Apache Airflow is not installed; the demo needs it: pip install 'ddtui[demo]'"
    )


class AirflowCli:
    """Runs `airflow` subcommands against one home, with a clean environment."""

    def __init__(self, executable: str, home: Path, data_url: str, say: Progress) -> None:
        self.executable = executable
        self.say = say
        # Drop the caller's Airflow settings: they may point at a real metastore.
        self.env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("AIRFLOW_", "AIRFLOW__")) and name != DATA_URL_ENV
        }
        self.env.update({"AIRFLOW_HOME": str(home), DATA_URL_ENV: data_url})

    def run(
        self, *args: str, extra_env: Mapping[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run one command; raise DdtuiError with its last output lines when it fails."""
        started = time.monotonic()
        try:
            result = subprocess.run(
                [self.executable, *args],
                env={**self.env, **(extra_env or {})},
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise DdtuiError(
                f"`airflow {' '.join(args)}` did not finish within {COMMAND_TIMEOUT_S} s"
            ) from error
        self.say(f"airflow {' '.join(args)}: {time.monotonic() - started:.1f} s")
        if check and result.returncode != 0:
            raise DdtuiError(command_failure("airflow " + " ".join(args), result))
        return result


def command_failure(command: str, result: subprocess.CompletedProcess[str], lines: int = 15) -> str:
    """A one-paragraph error: the command, its exit code and its last output lines."""
    tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-lines:]
    return f"`{command}` exited with {result.returncode}:\n" + "\n".join(tail)


def set_config_options(path: Path, options: Mapping[tuple[str, str], str]) -> None:
    """Set `[section] key = value` lines in an airflow.cfg, keeping its comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    pending = dict(options)
    section = ""
    out: list[str] = []

    def flush(section_name: str) -> None:
        for (sec, key), value in list(pending.items()):
            if sec == section_name:
                out.append(f"{key} = {value}")
                del pending[sec, key]

    for line in lines:
        header = re.match(r"\s*\[([^\]]+)\]\s*$", line)
        if header:
            flush(section)
            section = header.group(1).strip()
        else:
            assignment = re.match(r"([A-Za-z0-9_]+)\s*=", line)
            if assignment and (section, assignment.group(1)) in pending:
                key = assignment.group(1)
                out.append(f"{key} = {pending.pop((section, key))}")
                continue
        out.append(line)
    flush(section)
    for (sec, key), value in pending.items():  # sections the file did not have
        out.extend(["", f"[{sec}]", f"{key} = {value}"])
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


# Airflow 3 also opens its metastore with an asyncio driver, derived from the URL's scheme.
ASYNC_DRIVERS = {"postgresql": "asyncpg", "mysql": "aiomysql", "sqlite": "aiosqlite"}


def check_async_driver(executable: str, metastore_url: str) -> None:
    """Fail early and clearly when Airflow's async driver for the metastore is missing."""
    from importlib.util import find_spec

    scheme = metastore_url.split(":", 1)[0].split("+", 1)[0]
    driver = ASYNC_DRIVERS.get(scheme)
    same_env = Path(executable).parent == Path(sys.executable).parent
    if driver and same_env and find_spec(driver) is None:
        raise DdtuiError(
            f"Airflow 3 needs the {driver} package for a {scheme} metastore: pip install {driver}"
        )
