"""Run the real `airflow` command line against one Airflow home, and edit its airflow.cfg.

Everything here works without importing Airflow: ddtui only starts `airflow`
subprocesses, with an explicit environment built from scratch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ddtui.demo.airflow_runner import RESULT_PREFIX
from ddtui.errors import DdtuiError

Progress = Callable[[str], None]

COMMAND_TIMEOUT_S = 900
# Runs several commands in one process; a script, run with the Python that has Airflow.
RUNNER = Path(__file__).with_name("airflow_runner.py")
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


@dataclass(frozen=True)
class CommandResult:
    """How one `airflow` command ended, with its output (stdout and stderr interleaved)."""

    args: tuple[str, ...]
    exit: int | str  # 0, an exit status, or the message the command exited with
    output: str

    @property
    def ok(self) -> bool:
        """Whether the command exited 0."""
        return self.exit == 0

    def failure(self, lines: int = 15) -> str:
        """A short error: the command, how it exited and its last output lines."""
        tail = self.output.strip().splitlines()[-lines:]
        return f"`airflow {' '.join(self.args)}` exited with {self.exit}:\n" + "\n".join(tail)


class AirflowCli:
    """Runs `airflow` commands against one home, with a clean environment."""

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
        # The DAG files import helpers beside them; Airflow 3.0's `dags reserialize` does not
        # put the dags folder on sys.path (2.x and 3.1+ do). Nor may the caller's path leak in.
        self.env["PYTHONPATH"] = str(home / "dags")

    def run(
        self, *args: str, extra_env: Mapping[str, str] | None = None, check: bool = True
    ) -> CommandResult:
        """Run one command in its own process; raise DdtuiError when it fails and `check`."""
        started = time.monotonic()
        try:
            completed = subprocess.run(
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
        result = CommandResult(args, completed.returncode, completed.stdout + completed.stderr)
        if check and not result.ok:
            raise DdtuiError(result.failure())
        return result

    def run_many(self, commands: Sequence[Sequence[str]]) -> list[CommandResult]:
        """Run commands in order in one process (start-up paid once); report each one's exit."""
        python = airflow_python(self.executable)
        if python is None:  # cannot tell which Python has Airflow: one process per command
            return [self.run(*command, check=False) for command in commands]
        process = subprocess.Popen(
            [python, str(RUNNER), json.dumps([list(command) for command in commands])],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        watchdog = threading.Timer(COMMAND_TIMEOUT_S * len(commands), process.kill)
        watchdog.start()
        results: list[CommandResult] = []
        output: list[str] = []
        started = time.monotonic()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if not line.startswith(RESULT_PREFIX):
                    output.append(line)
                    continue
                command = tuple(commands[len(results)])
                exit_code = json.loads(line.removeprefix(RESULT_PREFIX))["exit"]
                results.append(CommandResult(command, exit_code, "".join(output)))
                self.say(f"airflow {' '.join(command)}: {time.monotonic() - started:.1f} s")
                output, started = [], time.monotonic()
            returncode = process.wait()
        finally:
            watchdog.cancel()
            process.kill()
        if len(results) < len(commands):
            command = tuple(commands[len(results)])
            raise DdtuiError(
                CommandResult(command, f"the runner's exit {returncode}", "".join(output)).failure()
            )
        return results


def airflow_python(executable: str) -> str | None:
    """The Python interpreter that runs `executable` (an `airflow` script), when we can tell."""
    if Path(executable).parent == Path(sys.executable).parent:
        return sys.executable
    with Path(executable).open("rb") as script:
        first_line = script.readline(500).decode(errors="replace").strip()
    interpreter = first_line.removeprefix("#!").strip()
    if (
        first_line.startswith("#!")
        and Path(interpreter).is_absolute()
        and Path(interpreter).exists()
    ):
        return interpreter
    return None


def installed_airflow_version(executable: str) -> str:
    """The apache-airflow version of the environment an `airflow` command belongs to."""
    python = airflow_python(executable)
    if python is None:
        return "unknown"
    probe = "import importlib.metadata as m; print(m.version('apache-airflow'))"
    completed = subprocess.run(
        [python, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    return completed.stdout.strip() if completed.returncode == 0 else "unknown"


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
