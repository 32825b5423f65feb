"""Thread-worker bodies for runs and drift: record profiles, compare runs, measure task health.

Like `workers.py`: each job reads through the data layer (`ddtui.drift`) and only posts
messages. The profile history is optional: when it cannot be written or read, a job posts
`HistoryNoted` and goes on without it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ddtui.errors import one_line
from ddtui.tui.keys import DriftKey
from ddtui.tui.messages import DriftCompared, HealthMeasured, HistoryNoted
from ddtui.tui.workers import Cancelled, Job, Post

if TYPE_CHECKING:
    from ddtui.config.settings import DataSettings
    from ddtui.drift.history import ProfileHistory
    from ddtui.metastore import DagStructure, MetastoreReader, RunDetail, RunSummary, TaskNode
    from ddtui.outputs.data_sources import DataSources
    from ddtui.profile.models import TableProfile

_IMPORT_LOCK = threading.Lock()


def load_drift() -> None:
    """Import `ddtui.drift` (and numpy with it) once, from one worker at a time: two workers
    importing the package at once can see it half-initialised (KeyError: 'ddtui.drift')."""
    with _IMPORT_LOCK:
        import ddtui.drift  # noqa: F401


# Worker groups of their own, so drift work never cancels a profile (or the other way round).
RECORD, DRIFT, HEALTH, HISTORY = "record", "drift", "health", "history"


@dataclass(frozen=True)
class DriftSources:
    """What every drift job reads: the metastore, the data sources and the profile history
    (made on first use, in the worker: the drift package loads numpy)."""

    metastore: MetastoreReader
    sources: DataSources
    data: DataSettings
    history_of: Callable[[], ProfileHistory]

    @property
    def history(self) -> ProfileHistory:
        return self.history_of()


def record_exact(
    where: DriftSources, dag_id: str, task: TaskNode, detail: RunDetail, profile: TableProfile
) -> Job:
    """Store an exact profile in the history, unless a newer run has overwritten its table
    (then silently: browsing an older run is no fault)."""

    def job(post: Post, cancelled: Cancelled) -> None:
        load_drift()
        from ddtui.outputs.resolve import resolve_output
        from ddtui.usecases.record import record_if_current

        ref = resolve_output(task, detail, where.data)
        if not ref.readable:
            return
        try:
            record_if_current(
                where.metastore, where.sources, where.data, where.history,
                dag_id=dag_id, task=task, detail=detail, ref=ref, profile=profile,
            )  # fmt: skip
        except Exception as exc:  # the history is a bonus: say why, never break the UI
            post(HistoryNoted(f"profile not recorded: {one_line(exc)}"))

    return job


def compare_runs(where: DriftSources, key: DriftKey) -> Job:
    """Compare the task's output in a run with a baseline run (`previous` or a run id)."""

    def job(post: Post, cancelled: Cancelled) -> None:
        load_drift()
        from ddtui.drift.runs import BaselineUnavailableError, compare_task_runs
        from ddtui.errors import NoOutputError

        try:
            report = compare_task_runs(
                where.metastore, where.sources, where.data, key.dag_id, key.task_id,
                key.run_id, key.baseline, where.history, record=True,
            )  # fmt: skip
        except (BaselineUnavailableError, NoOutputError) as exc:
            post(DriftCompared(key, None, str(exc).strip() or type(exc).__name__))
            return
        if not cancelled():
            post(DriftCompared(key, report))

    return job


def measure_health(
    where: DriftSources, structure: DagStructure, runs: list[RunSummary], task_ids: list[str]
) -> Job:
    """Each task's row counts over the last runs and its badge (`ddtui.usecases.health`),
    posted task by task with the comparison behind the badge."""

    def job(post: Post, cancelled: Cancelled) -> None:
        load_drift()
        from ddtui.drift.runs import PREVIOUS
        from ddtui.usecases.health import measure_health

        dag_id = structure.dag_id
        measured = measure_health(
            where.metastore, where.sources, where.data, where.history,
            structure=structure, runs=runs, task_ids=task_ids, cancelled=cancelled,
        )  # fmt: skip
        for task in measured:
            for note in task.notes:
                post(HistoryNoted(note))
            if task.report is None:
                post(HealthMeasured(dag_id, task.task_id, task.health))
                continue
            key = DriftKey(dag_id, task.task_id, runs[0].run_id, PREVIOUS)
            post(DriftCompared(key, task.report))
            post(HealthMeasured(dag_id, task.task_id, task.health, key))

    return job


def badges_from_history(where: DriftSources, dag_ids: list[str]) -> Job:
    """Task health from the profile history alone, for DAGs not opened yet (no profiling):
    the DAG tree shows their roll-up badge from the start (`ddtui.usecases.health`)."""

    def job(post: Post, cancelled: Cancelled) -> None:
        load_drift()
        from ddtui.usecases.health import HistoryUnreadable, health_from_history

        try:
            for dag_id, task_id, health in health_from_history(
                where.metastore, where.history, dag_ids, cancelled
            ):
                post(HealthMeasured(dag_id, task_id, health, from_history=True))
        except HistoryUnreadable as exc:
            post(HistoryNoted(str(exc)))

    return job
