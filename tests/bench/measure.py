"""Running measurements: one process each, wall time, CPU time and that process's peak RSS."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.probe import RESULT_PREFIX

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Sample:
    """Repeated measurements of one quantity."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    def extend(self, values: Sequence[float]) -> None:
        self.values.extend(values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def max(self) -> float:
        return max(self.values)

    def __bool__(self) -> bool:
        return bool(self.values)


@dataclass
class ProcessRun:
    """One finished process: what it printed and what it cost."""

    argv: list[str]
    spawned_at: float  # time.time() just before the spawn
    seconds: float  # wall time from spawn to exit
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def result(self) -> dict[str, Any]:
        """The probe's BENCH-RESULT line."""
        for line in reversed(self.stdout.splitlines()):
            if line.startswith(RESULT_PREFIX):
                return json.loads(line[len(RESULT_PREFIX) :])
        raise RuntimeError(self.failure("printed no result"))

    def failure(self, what: str) -> str:
        tail = "\n".join((self.stderr.strip() or self.stdout.strip()).splitlines()[-25:])
        return f"{' '.join(self.argv[:4])}... {what} (exit {self.returncode}):\n{tail}"

    def check(self) -> ProcessRun:
        if self.returncode != 0:
            raise RuntimeError(self.failure("failed"))
        return self


def run_process(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
    timeout: float = 3600,
) -> ProcessRun:
    """Run a process to its end; `os.wait4` gives this child's own peak RSS and CPU time."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        spawned_at = time.time()
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdout=out, stderr=err, env=dict(env or os.environ), cwd=cwd
        )
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ProcessRun(
            argv=list(argv),
            spawned_at=spawned_at,
            seconds=seconds,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            peak_rss_mb=usage.ru_maxrss / 1024,
            returncode=proc.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the caller's Airflow or ddtui settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "DDTUI_DATA", "DDTUI_BENCH_PYINSTRUMENT"))
    }
    env.update(extra)
    return env


def run_probe(name: str, pyinstrument_to: Path | None = None, **args: Any) -> ProcessRun:
    """Run `tests.bench.probe NAME` in a fresh interpreter of this environment."""
    extra = {"DDTUI_BENCH_PYINSTRUMENT": str(pyinstrument_to)} if pyinstrument_to else {}
    argv = [sys.executable, "-m", "tests.bench.probe", name, json.dumps(args)]
    run = run_process(argv, env=clean_env(**extra)).check()
    # The probe's own peak (VmHWM, see probe._peak_rss_mb): os.wait4's includes ours.
    run.peak_rss_mb = float(run.result.get("peak_rss_mb", run.peak_rss_mb))
    return run
