"""An Airflow home whose task logs Airflow itself wrote: a real scheduler, LocalExecutor.

`airflow dags test` writes no log files, so this runs the api-server (Airflow 3 tasks
report to its execution API), the dag-processor and the scheduler until the one run of
`tests/task_logs_dags/task_logs.py` ends, then stops every process it started. Built once
and cached like the test home (keyed by a fingerprint of the DAG file and Airflow version).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ddtui.demo.airflow_cli import AirflowCli, find_airflow_executable, set_config_options
from ddtui.demo.home import airflow_version

DAG_FILE = Path(__file__).with_name("task_logs_dags") / "task_logs.py"
DAG_ID = "task_logs"
RUN_TIMEOUT_S = 300
MARKER = "task-logs-home.json"


@dataclass(frozen=True)
class TaskLogsHome:
    """The built home: where it is, its metastore, and the run the scheduler made."""

    home: Path
    metastore_url: str
    run_id: str

    @property
    def log_folder(self) -> Path:
        return self.home / "logs"

    def env(self) -> dict[str, str]:
        return {"AIRFLOW_HOME": str(self.home)}


def fingerprint() -> str:
    digest = hashlib.sha256(DAG_FILE.read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(airflow_version().encode())
    return digest.hexdigest()[:16]


def cached_task_logs_home(cache_root: Path) -> TaskLogsHome:
    """The home in `cache_root`, built when missing or when its inputs changed.

    A lock beside it keeps two test sessions from building it at once.
    """
    cache_root.mkdir(parents=True, exist_ok=True)
    with (cache_root / "task-logs.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _cached_task_logs_home(cache_root)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _cached_task_logs_home(cache_root: Path) -> TaskLogsHome:
    home = cache_root / f"task-logs-{fingerprint()}"
    marker = home / MARKER
    if marker.is_file():
        data = json.loads(marker.read_text(encoding="utf-8"))
        return TaskLogsHome(home, data["metastore_url"], data["run_id"])
    for stale in cache_root.glob("task-logs-*"):
        if stale.is_dir() and (stale / "dags" / DAG_FILE.name).exists():
            shutil.rmtree(stale)
    built = build_task_logs_home(home)
    marker.write_text(
        json.dumps({"metastore_url": built.metastore_url, "run_id": built.run_id}),
        encoding="utf-8",
    )
    return built


def build_task_logs_home(home: Path) -> TaskLogsHome:
    """Migrate a fresh metastore, run the scheduler until the DAG's run ends, stop it."""
    home = home.resolve()
    dags = home / "dags"
    dags.mkdir(parents=True)
    shutil.copy(DAG_FILE, dags / DAG_FILE.name)
    metastore_url = f"sqlite:///{home / 'airflow.db'}"
    say = lambda line: print(f"[task logs home] {line}", flush=True)  # noqa: E731
    airflow = AirflowCli(find_airflow_executable(), home, f"sqlite:///{home / 'data.db'}", say)
    airflow.run(
        "db",
        "migrate",
        extra_env={
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metastore_url,
        },
    )
    port = _free_port()
    set_config_options(
        home / "airflow.cfg",
        {
            ("core", "dags_folder"): str(dags),
            ("core", "load_examples"): "False",
            ("core", "executor"): "LocalExecutor",
            ("core", "parallelism"): "4",
            ("core", "execution_api_server_url"): f"http://127.0.0.1:{port}/execution/",
            ("database", "sql_alchemy_conn"): metastore_url,
            ("api", "host"): "127.0.0.1",
            ("api", "port"): str(port),
            ("api_auth", "jwt_secret"): "ddtui-task-logs-test",
            ("scheduler", "scheduler_heartbeat_sec"): "1",
            ("dag_processor", "refresh_interval"): "5",
        },
    )
    started = time.monotonic()
    with _services(airflow, home, port):
        run_id = _wait_for_run(metastore_url)
    say(f"scheduler run {run_id} ended in {time.monotonic() - started:.0f} s")
    return TaskLogsHome(home, metastore_url, run_id)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _services(airflow: AirflowCli, home: Path, port: int) -> Iterator[None]:
    """api-server, dag-processor and scheduler, each in its own process group, stopped after."""
    commands = {
        "api-server": ["api-server", "--host", "127.0.0.1", "--port", str(port)],
        "dag-processor": ["dag-processor"],
        "scheduler": ["scheduler"],
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name, args in commands.items():
            with (home / f"{name}.out").open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [airflow.executable, *args],
                        env=airflow.env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,  # its workers share its group: stop them too
                    )
                )
            if name == "api-server":  # tasks started before it answers fail to connect
                _wait_for_port(port, processes[0])
        yield
    finally:
        for process in processes:
            _stop_group(process)


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the api-server did not answer on port {port} (exit {process.poll()})")


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group we started, then SIGKILL what is left after 30 s."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _wait_for_run(metastore_url: str) -> str:
    """Poll the metastore until the DAG's run has ended (bounded: RUN_TIMEOUT_S)."""
    engine = sa.create_engine(metastore_url, poolclass=sa.NullPool)
    query = sa.text("SELECT run_id, state FROM dag_run WHERE dag_id = :dag_id")
    deadline = time.monotonic() + RUN_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect() as connection:
                    rows = connection.execute(query, {"dag_id": DAG_ID}).all()
            except sa.exc.OperationalError:  # tables locked or not there yet
                rows = []
            ended = [row for row in rows if row.state in ("success", "failed")]
            if ended:
                _check_states(connection_url=metastore_url)
                return str(ended[0].run_id)
            time.sleep(2)
    finally:
        engine.dispose()
    raise RuntimeError(f"{DAG_ID}: no run ended within {RUN_TIMEOUT_S} s under the scheduler")


# What the DAG's tasks must end as for the logs to be what the tests expect.
EXPECTED_STATES = {
    ("explode", -1): ("failed", 1),
    ("flaky", -1): ("success", 2),
    ("square", 0): ("success", 1),
    ("square", 1): ("success", 1),
    ("square", 2): ("success", 1),
    ("chatty", -1): ("success", 1),
}


def _check_states(connection_url: str) -> None:
    """Refuse (and never cache) a home whose tasks did not run as planned."""
    engine = sa.create_engine(connection_url, poolclass=sa.NullPool)
    query = sa.text(
        "SELECT task_id, map_index, state, try_number FROM task_instance WHERE dag_id = :dag_id"
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query, {"dag_id": DAG_ID}).all()
    finally:
        engine.dispose()
    states = {(row.task_id, row.map_index): (row.state, row.try_number) for row in rows}
    if states != EXPECTED_STATES:
        raise RuntimeError(f"{DAG_ID} ran as {states}, expected {EXPECTED_STATES}")
