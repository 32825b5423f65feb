"""Build an Airflow home with real Airflow: the demo, and the metastores the tests read.

ddtui never imports Airflow: this module drives the ``airflow`` command line in
subprocesses (``db migrate``, ``dags reserialize``, ``dags test``, ``dags
unpause``) with an explicit environment, so the caller's environment is never
modified and a user's own ``AIRFLOW__*`` settings (maybe pointing at a
production metastore) never leak into the build.

The DAG files in ``ddtui/demo/dags/`` write their output tables to the data
database named by ``DDTUI_DEMO_DATA_URL`` (default ``sqlite:///$AIRFLOW_HOME/data.db``,
which is what this builder uses), so a plain ``AIRFLOW_HOME=<home> airflow ...``
works on a built home too.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from ddtui.demo.airflow_cli import (
    DATA_URL_ENV,
    AirflowCli,
    CommandResult,
    Progress,
    check_async_driver,
    find_airflow_executable,
    installed_airflow_version,
    set_config_options,
)
from ddtui.demo.dag_sets import (
    HELPER_MODULES,
    UNPAUSED,
    DagSet,
    PlannedRun,
    dag_file_names,
    dag_ids,
    planned_runs,
)
from ddtui.errors import DdtuiError

MARKER_NAME = "ddtui-home.json"
MARKER_FORMAT = 1


@dataclass(frozen=True)
class BuiltRun:
    """A DAG run as it landed in the metastore."""

    dag_id: str
    run_id: str
    logical_date: str  # ISO 8601 with offset, e.g. 2024-01-01T00:00:00+00:00
    state: str  # the expected final state, checked against the metastore
    conf: Mapping[str, Any]


@dataclass(frozen=True)
class AirflowHome:
    """A built Airflow home: where its metastore and data are, and what ran in it."""

    home: Path
    metastore_url: str
    data_url: str
    dag_ids: tuple[str, ...]
    runs: tuple[BuiltRun, ...]
    unpaused_dag_ids: tuple[str, ...] = ()
    dag_set: str = "test"
    airflow_version: str = ""
    fingerprint: str = ""
    build_seconds: float = 0.0

    def runs_of(self, dag_id: str) -> tuple[BuiltRun, ...]:
        """The runs of one DAG, oldest first."""
        return tuple(run for run in self.runs if run.dag_id == dag_id)

    def env(self) -> dict[str, str]:
        """Environment variables that point a subprocess (airflow, ddtui) at this home."""
        # DDTUI_DATA_URL is where ddtui itself looks for bare table names.
        return {
            "AIRFLOW_HOME": str(self.home),
            DATA_URL_ENV: self.data_url,
            "DDTUI_DATA_URL": self.data_url,
        }

    def to_json(self) -> str:
        """The marker-file form of this home."""
        data = asdict(self)
        data["home"] = str(self.home)
        data["format"] = MARKER_FORMAT
        return json.dumps(data, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> AirflowHome:
        """Read the marker-file form back."""
        data = json.loads(text)
        data.pop("format", None)
        data["home"] = Path(data["home"])
        data["runs"] = tuple(BuiltRun(**run) for run in data["runs"])
        for name in ("dag_ids", "unpaused_dag_ids"):
            data[name] = tuple(data[name])
        return cls(**data)


def airflow_version(executable: str | None = None) -> str:
    """The apache-airflow version installed here (or beside `executable`, another
    environment's `airflow` command), read without importing Airflow."""
    if executable is not None and Path(executable).parent != Path(sys.executable).parent:
        return installed_airflow_version(executable)
    try:
        return metadata.version("apache-airflow")
    except metadata.PackageNotFoundError:
        return "unknown"


def fingerprint(dag_set: DagSet, version: str | None = None) -> str:
    """A hash of what a build depends on: DAG files, planned runs, Airflow version
    (`version`, else the one installed here)."""
    digest = hashlib.sha256()
    dags = resources.files("ddtui.demo") / "dags"
    for name in dag_file_names(dag_set):
        digest.update(name.encode() + b"\0" + (dags / name).read_bytes())
    runs = [asdict(run) for run in planned_runs(dag_set)]
    plan = {"runs": runs, "unpaused": UNPAUSED[dag_set], "marker": MARKER_FORMAT}
    digest.update(json.dumps(plan, sort_keys=True).encode())
    digest.update((version or airflow_version()).encode())
    return digest.hexdigest()[:16]


def build_airflow_home(
    home: Path,
    *,
    dag_set: DagSet,
    metastore_url: str | None = None,
    data_url: str | None = None,
    connections: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
    airflow_executable: str | None = None,
) -> AirflowHome:
    """Create an Airflow home in the empty or missing directory `home` and run its DAGs.

    The DAGs write their output tables to `data_url` (default: ``data.db`` in the home).
    `airflow_executable` is the `airflow` command to build with (another virtualenv's,
    e.g. an Airflow 2 one); by default this environment's.
    `connections` (id -> Airflow's connection JSON) are added by `airflow connections add`
    before the runs, encrypted with the fernet key `db migrate` wrote into airflow.cfg.
    """
    say = progress or (lambda _message: None)
    started = time.monotonic()
    home = home.resolve()
    if home.exists() and any(home.iterdir()):
        raise DdtuiError(f"cannot build an Airflow home in {home}: the directory is not empty")
    executable = airflow_executable or find_airflow_executable()
    version = airflow_version(executable)
    metastore_url = metastore_url or f"sqlite:///{home / 'airflow.db'}"
    check_async_driver(executable, metastore_url)
    dags_folder = home / "dags"
    dags_folder.mkdir(parents=True)
    _copy_dag_files(dags_folder, dag_set)
    data_url = data_url or f"sqlite:///{home / 'data.db'}"
    airflow = AirflowCli(executable, home, data_url, say)

    # The first command gets the settings as environment variables; airflow.cfg
    # then carries them, so every later command (and a user's) needs only AIRFLOW_HOME.
    airflow.run(
        "db",
        "migrate",
        extra_env={
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metastore_url,
        },
    )
    set_config_options(
        home / "airflow.cfg",
        {
            ("core", "dags_folder"): str(dags_folder),
            ("core", "load_examples"): "False",
            ("database", "sql_alchemy_conn"): metastore_url,
        },
    )
    plan = planned_runs(dag_set)
    unpaused = UNPAUSED[dag_set]
    pattern = "^(" + "|".join(re.escape(dag_id) for dag_id in unpaused) + ")$"
    # One process for the rest: `dags test` start-up costs more than a small DAG's run.
    if connections:
        # A quiet runner: progress lines would show the arguments, which carry the passwords.
        quiet = AirflowCli(executable, home, data_url, lambda _message: None)
        _add_connections(quiet, connections)
        say(f"airflow connections add: {', '.join(connections)}")
    reserialized, *tested, unpause = airflow.run_many(
        [
            ["dags", "reserialize"],
            *(_dags_test_args(planned) for planned in plan),
            ["dags", "unpause", "--treat-dag-id-as-regex", "-y", pattern],
        ]
    )
    if not reserialized.ok:
        raise DdtuiError(reserialized.failure())
    _check_import_errors(metastore_url)
    runs = _check_runs(metastore_url, plan, tested)
    if not unpause.ok:
        raise DdtuiError(unpause.failure())

    built = AirflowHome(
        home=home,
        metastore_url=metastore_url,
        data_url=data_url,
        dag_ids=dag_ids(dag_set),
        runs=runs,
        unpaused_dag_ids=unpaused,
        dag_set=dag_set,
        airflow_version=version,
        fingerprint=fingerprint(dag_set, version),
        build_seconds=round(time.monotonic() - started, 1),
    )
    # Written last: its presence means the build completed.
    (home / MARKER_NAME).write_text(built.to_json(), encoding="utf-8")
    say(f"built {dag_set} Airflow home in {home} in {built.build_seconds:.0f} s")
    return built


def load_built_home(
    home: Path, dag_set: DagSet, airflow_executable: str | None = None
) -> AirflowHome | None:
    """The home built in `home` when it is complete and current, else None."""
    marker = home / MARKER_NAME
    if not marker.is_file():
        return None
    try:
        built = AirflowHome.from_json(marker.read_text(encoding="utf-8"))
    except (ValueError, TypeError, KeyError):
        return None  # a marker from another ddtui version: rebuild
    version = airflow_version(airflow_executable)
    if built.dag_set != dag_set or built.fingerprint != fingerprint(dag_set, version):
        return None
    return built


def ensure_airflow_home(
    home: Path,
    *,
    dag_set: DagSet,
    metastore_url: str | None = None,
    progress: Progress | None = None,
    airflow_executable: str | None = None,
) -> AirflowHome:
    """Reuse the complete, current home in `home`, or (re)build it there.

    A file lock beside `home` keeps two processes from building it at once.
    """
    home = home.resolve()
    home.parent.mkdir(parents=True, exist_ok=True)
    with _locked(home.with_name(home.name + ".lock")):
        built = load_built_home(home, dag_set, airflow_executable)
        if built is not None and (metastore_url is None or built.metastore_url == metastore_url):
            return built
        if home.exists():
            _remove_old_home(home)
        return build_airflow_home(
            home,
            dag_set=dag_set,
            metastore_url=metastore_url,
            progress=progress,
            airflow_executable=airflow_executable,
        )


def default_demo_home() -> Path:
    """Where `ddtui demo` keeps its Airflow home: the user cache dir."""
    from platformdirs import user_cache_path

    return user_cache_path("ddtui") / "demo-home"


def ensure_demo_home(progress: Progress | None = None) -> AirflowHome:
    """The demo Airflow home, built on first use and rebuilt when the demo DAGs change."""
    return ensure_airflow_home(default_demo_home(), dag_set="demo", progress=progress)


def _add_connections(quiet: AirflowCli, connections: Mapping[str, Mapping[str, Any]]) -> None:
    """`airflow connections add ID --conn-json ...` for each connection, in one process."""
    commands = [
        ["connections", "add", conn_id, "--conn-json", json.dumps(conn)]
        for conn_id, conn in connections.items()
    ]
    for conn_id, result in zip(connections, quiet.run_many(commands), strict=True):
        # The message names only the id: the arguments carry the password.
        if not result.ok:
            tail = "\n".join(result.output.strip().splitlines()[-5:])
            failed = f"`airflow connections add {conn_id}` exited with {result.exit}"
            raise DdtuiError(f"{failed}:\n{tail}")


def _dags_test_args(planned: PlannedRun) -> list[str]:
    """The `airflow dags test` arguments of a planned run."""
    args = ["dags", "test", planned.dag_id, planned.logical_date]
    return [*args, "-c", json.dumps(planned.conf)] if planned.conf else args


def _check_runs(
    metastore_url: str, plan: Sequence[PlannedRun], results: Sequence[CommandResult]
) -> tuple[BuiltRun, ...]:
    """Match each planned run to its row in `dag_run` and check it ended as planned.

    Airflow 3 exits with "DagRun failed" for a failed run, so the exit status
    cannot tell an expected failure from a broken build: the metastore can.
    """
    rows = _query(metastore_url, "SELECT * FROM dag_run")
    # Airflow 2 names the logical date execution_date.
    by_date = {
        (row.dag_id, str(getattr(row, "logical_date", None) or row.execution_date)[:10]): row
        for row in rows
    }
    built = []
    for planned, result in zip(plan, results, strict=True):
        row = by_date.get((planned.dag_id, planned.logical_date))
        if row is None:
            raise DdtuiError(f"{planned.dag_id}: no run in the metastore; {result.failure()}")
        if row.state != planned.expected_state:
            raise DdtuiError(
                f"{planned.dag_id} run {row.run_id} ended {row.state}, "
                f"expected {planned.expected_state}; {result.failure()}"
            )
        built.append(
            BuiltRun(
                dag_id=planned.dag_id,
                run_id=str(row.run_id),
                logical_date=f"{planned.logical_date}T00:00:00+00:00",
                state=str(row.state),
                conf=dict(planned.conf),
            )
        )
    return tuple(built)


def _check_import_errors(metastore_url: str) -> None:
    """Fail the build with Airflow's traceback when a DAG file did not import."""
    errors = _query(metastore_url, "SELECT filename, stacktrace FROM import_error")
    if errors:
        details = "\n".join(f"{row.filename}:\n{row.stacktrace}" for row in errors)
        raise DdtuiError(f"Airflow could not import the demo DAG files:\n{details}")


def _query(metastore_url: str, sql: str, **params: Any) -> list[Any]:
    """All rows of one query on the metastore (a short-lived engine: builds are rare)."""
    import sqlalchemy as sa

    engine = sa.create_engine(metastore_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params))
    finally:
        engine.dispose()


def _copy_dag_files(dags_folder: Path, dag_set: DagSet) -> None:
    """Copy the DAG files (package data) into the dags folder."""
    source = resources.files("ddtui.demo") / "dags"
    for name in dag_file_names(dag_set):
        (dags_folder / name).write_bytes((source / name).read_bytes())
    # Helpers are modules, not DAG files: keep the DAG processor from parsing them.
    ignore = "".join(f"{module}.py\n" for module in HELPER_MODULES)
    (dags_folder / ".airflowignore").write_text(ignore, encoding="utf-8")


def _remove_old_home(home: Path) -> None:
    """Remove an incomplete or outdated home, refusing anything that does not look like one."""
    signatures = [home / MARKER_NAME, *(home / "dags" / f"{m}.py" for m in HELPER_MODULES)]
    if any(home.iterdir()) and not any(path.exists() for path in signatures):
        raise DdtuiError(f"{home} was not built by ddtui; remove it by hand to rebuild there")
    shutil.rmtree(home)


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `lock_path` (POSIX)."""
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
