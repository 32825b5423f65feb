"""Which try of which task instance to show, and where its log file is (CLI and TUI)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ddtui.errors import LogUnavailableError, NotFoundError
from ddtui.logs.config import LogSettings, resolve_log_settings
from ddtui.logs.locate import LogLocation, TryKey, locate_log
from ddtui.logs.reader import check_readable
from ddtui.metastore import MetastoreReader, RunDetail, TaskTries
from ddtui.metastore.lookup import find_target

# A try in these states may still write to its log.
LIVE_STATES = frozenset({"running", "queued", "scheduled", "restarting", "deferred"})


@dataclass(frozen=True)
class TaskLog:
    """One try's log: the task instance, all its tries, and the file on this host."""

    tries: TaskTries
    try_number: int
    map_indexes: tuple[int, ...]  # of the task in this run ((-1,) when not mapped)
    location: LogLocation

    @property
    def path(self) -> Path:
        return self.location.path

    @property
    def state(self) -> str | None:
        found = [t.state for t in self.tries.tries if t.try_number == self.try_number]
        return found[0] if found else None

    @property
    def is_live(self) -> bool:
        """The try is the latest and still running: its log may grow."""
        latest = self.tries.latest
        return bool(latest and latest.try_number == self.try_number and self.state in LIVE_STATES)

    def title(self) -> str:
        """e.g. `titanic.train try 2/2 map 1 (failed)`, from data: make it safe to show."""
        numbers = [t.try_number for t in self.tries.tries]
        mapped = f" map {self.tries.map_index}" if self.tries.map_index >= 0 else ""
        return (
            f"{self.tries.dag_id}.{self.tries.task_id}{mapped} try {self.try_number}/"
            f"{max(numbers)} ({self.state or 'no state'})"
        )


def find_task_log(
    store: MetastoreReader,
    dag_id: str,
    task_id: str,
    *,
    run_id: str | None = None,
    try_number: int | None = None,
    map_index: int | None = None,
    settings: LogSettings | None = None,
) -> TaskLog:
    """Validate the ids (NotFoundError, exit 2) and locate the try's log file."""
    target = find_target(store, dag_id, task_id, run_id)
    if target.run is None:
        raise LogUnavailableError(f"DAG {dag_id!r} has no runs yet: no task logs to show")
    detail = target.run
    indexes = _map_indexes(detail, task_id)
    chosen = _choose_map_index(detail, task_id, indexes, map_index)
    tries = store.task_tries(dag_id, detail.run.run_id, task_id, chosen)
    numbers = [t.try_number for t in tries.tries]
    if not numbers:
        state = next((ti.state for ti in detail.task_instances if ti.task_id == task_id), None)
        raise LogUnavailableError(
            f"task {task_id!r} has not run in run {detail.run.run_id!r} "
            f"(state: {state or 'none'}): no log yet"
        )
    if try_number is None:
        try_number = numbers[-1]
    elif try_number not in numbers:
        raise NotFoundError("try", str(try_number), map(str, numbers), where=f"task {task_id!r}")
    key = TryKey(
        dag_id=dag_id,
        task_id=task_id,
        run_id=detail.run.run_id,
        map_index=chosen,
        try_number=try_number,
        logical_date=detail.run.logical_date or detail.run.run_after,
    )
    location = locate_log(settings or resolve_log_settings(), key, tries.log_filename_template)
    return TaskLog(tries, try_number, indexes, location)


def _map_indexes(detail: RunDetail, task_id: str) -> tuple[int, ...]:
    found = sorted({ti.map_index for ti in detail.task_instances if ti.task_id == task_id})
    return tuple(found) or (-1,)


def _choose_map_index(
    detail: RunDetail, task_id: str, indexes: tuple[int, ...], wanted: int | None
) -> int:
    """The map index asked for, else the first failed one, else the first."""
    if wanted is not None:
        if wanted not in indexes:
            raise NotFoundError("map index", str(wanted), map(str, indexes), where=task_id)
        return wanted
    failed = [
        ti.map_index
        for ti in detail.task_instances
        if ti.task_id == task_id and ti.state in ("failed", "upstream_failed")
    ]
    return min(failed) if failed else indexes[0]


def check_log_file(log: TaskLog) -> None:
    """Raise LogUnavailableError saying why the file cannot be read, naming remote logging."""
    try:
        check_readable(log.path)
    except LogUnavailableError as exc:
        if log.location.remote:
            raise LogUnavailableError(
                f"remote logging is on: this task's logs live in {log.location.remote}; "
                f"ddtui reads only local files, and {exc}"
            ) from None
        if log.is_live:
            raise LogUnavailableError(f"{exc} (the try has not written its log yet)") from None
        if not log.path.exists():
            # The two usual reasons, so the user knows where to look next.
            raise LogUnavailableError(
                f"{exc} (a worker on another host keeps its logs there; "
                "runs made by `airflow dags test` write none)"
            ) from None
        raise
