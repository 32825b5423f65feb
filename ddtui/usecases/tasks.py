"""A run's tasks as `ddtui tasks` and the TUI's task list show them: each task's output
table, state (mapped instances folded into one), try and duration, and which write of its
table the run means."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from ddtui.config.settings import DataSettings
from ddtui.config.sources import mask_uri_passwords
from ddtui.errors import ConfigError
from ddtui.metastore import (
    DagStructure,
    MetastoreReader,
    RunDetail,
    RunSummary,
    TaskInstanceSummary,
    TaskNode,
)
from ddtui.outputs.resolve import OutputRef, resolve_output

# A mapped task's instances in several states show the most alarming one.
_ALARM_ORDER = (
    "failed", "upstream_failed", "up_for_retry", "running", "restarting", "deferred",
    "queued", "scheduled", "up_for_reschedule", "success", "skipped", "removed",
)  # fmt: skip


def mapped_state(states: Iterable[str | None]) -> str | None:
    """One state for a mapped task's instances: the most alarming wins."""
    present = set(states)
    return next((state for state in _ALARM_ORDER if state in present), None)


def resolve_outputs(
    structure: DagStructure, detail: RunDetail | None, data: DataSettings
) -> dict[str, OutputRef]:
    """Each task's output table in the run. A connection that cannot be used (wrong fernet
    key, ...) is that task's reason (passwords masked): the other tasks still resolve."""
    refs = {}
    for task in structure.tasks:
        try:
            refs[task.task_id] = resolve_output(task, detail, data)
        except ConfigError as exc:
            reason = mask_uri_passwords(str(exc))
            refs[task.task_id] = OutputRef(None, None, None, None, "", reason)
    return refs


class DagRun(NamedTuple):
    """A DAG's structure, its newest runs (newest first), one run's details (None: the
    DAG has no runs) and each task's output table in that run."""

    structure: DagStructure
    runs: list[RunSummary]
    detail: RunDetail | None
    outputs: dict[str, OutputRef]


def read_dag_run(
    store: MetastoreReader,
    data: DataSettings,
    dag_id: str,
    run_id: str | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> DagRun | None:
    """The DAG and one of its runs (None: the newest); None when `cancelled` between reads."""
    structure = store.dag_structure(dag_id)
    if cancelled():
        return None
    runs = store.runs(dag_id)
    run_id = run_id or (runs[0].run_id if runs else None)
    detail = store.run_detail(dag_id, run_id) if run_id else None
    if cancelled():
        return None
    return DagRun(structure, runs, detail, resolve_outputs(structure, detail, data))


@dataclass(frozen=True)
class TaskRow:
    """One task's line in one run (mapped instances folded into one line)."""

    task: TaskNode
    instances: tuple[TaskInstanceSummary, ...]
    output: OutputRef | None

    @property
    def state(self) -> str | None:
        if len(self.instances) == 1:
            return self.instances[0].state
        return mapped_state(ti.state for ti in self.instances)

    @property
    def try_number(self) -> int | None:
        return max((ti.try_number for ti in self.instances), default=None)

    @property
    def duration(self) -> float | None:
        """The longest instance's: mapped instances run side by side."""
        known = [ti.duration for ti in self.instances if ti.duration is not None]
        return max(known) if known else None


def task_rows(
    structure: DagStructure, detail: RunDetail | None, outputs: dict[str, OutputRef]
) -> list[TaskRow]:
    by_task: dict[str, list[TaskInstanceSummary]] = {}
    for ti in detail.task_instances if detail else ():
        by_task.setdefault(ti.task_id, []).append(ti)
    return [
        TaskRow(task, tuple(by_task.get(task.task_id, ())), outputs.get(task.task_id))
        for task in structure.tasks
    ]


def write_version(detail: RunDetail | None, task_id: str) -> str:
    """Which write of its output table a run means: the task instance's latest try and
    end (`3@2024-06-01T12:00:00+00:00`), so a task that ran again reads as a new write
    even when its table keeps its name."""
    instances = [ti for ti in detail.task_instances if ti.task_id == task_id] if detail else []
    ends = [ti.end_date.isoformat() for ti in instances if ti.end_date is not None]
    tries = [ti.try_number for ti in instances]
    return f"{max(tries, default=0)}@{max(ends, default='')}"
