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

from ddtui.outputs import OutputRef, resolve_output
from ddtui.tui import backend
from ddtui.tui.errors import one_line
from ddtui.tui.keys import DriftKey
from ddtui.tui.messages import DriftCompared, HealthMeasured, HistoryNoted
from ddtui.tui.workers import Cancelled, Job, Post

if TYPE_CHECKING:
    from ddtui.datasource import DataSources
    from ddtui.drift.history import ProfileHistory
    from ddtui.metastore import DagStructure, MetastoreReader, RunDetail, RunSummary, TaskNode
    from ddtui.profile.models import TableProfile
    from ddtui.settings import DataSettings

_IMPORT_LOCK = threading.Lock()


def load_drift() -> None:
    """Import `ddtui.drift` (and numpy with it) once, from one worker at a time: two workers
    importing the package at once can see it half-initialised (KeyError: 'ddtui.drift')."""
    with _IMPORT_LOCK:
        import ddtui.drift  # noqa: F401


# Worker groups of their own, so drift work never cancels a profile (or the other way round).
RECORD, DRIFT, HEALTH, HISTORY = "record", "drift", "health", "history"
TREND_RUNS = 8  # runs in a task's row-count sparkline


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
    """Store an exact profile in the history, unless a newer run has overwritten its table."""

    def job(post: Post, cancelled: Cancelled) -> None:
        load_drift()
        from ddtui.drift.runs import history_key, record_profile, run_time

        ref = resolve_output(task, detail, where.data)
        if not ref.readable or ref.data_url is None:
            return
        try:
            if overwritten(where, dag_id, task, detail.run.run_id, ref):
                return
            key = history_key(where.metastore, dag_id, task.task_id, detail.run.run_id, ref)
            record_profile(
                where.history,
                key,
                profile,
                engine=where.sources.engine(ref.data_url),
                table=ref.table,
                schema=ref.schema,
                run_after=run_time(detail),
                partition=ref.partition,
            )
        except Exception as exc:  # the history is a bonus: say why, never break the UI
            post(HistoryNoted(f"profile not recorded: {one_line(exc)}"))

    return job


def overwritten(
    where: DriftSources, dag_id: str, task: TaskNode, run_id: str, ref: OutputRef
) -> bool:
    """True when a newer successful run wrote the same table (it no longer holds this run's
    data); per-run tables are never overwritten. Mirrors `ddtui describe --record`."""
    from ddtui.drift.runs import MAX_NEWER_RUNS, run_is_latest_writer

    store = where.metastore
    if run_is_latest_writer(store, dag_id, task.task_id, run_id):
        return False
    for run in store.runs(dag_id, limit=MAX_NEWER_RUNS + 1):
        if run.run_id == run_id:
            return False
        detail = store.run_detail(dag_id, run.run_id)
        if not any(
            t.task_id == task.task_id and t.state == "success" for t in detail.task_instances
        ):
            continue
        newer = resolve_output(task, detail, where.data)
        return newer.same_rows(ref)
    return True


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
    """Each task's row counts over the last runs and its badge (newest run vs previous).

    Per-run tables are counted live (one cheap COUNT each); a table every run overwrites
    takes its counts from the history. The badge comes from `compare_task_runs`, which
    profiles per-run tables and reads overwritten ones from the history.
    """

    def job(post: Post, cancelled: Cancelled) -> None:
        load_drift()
        from ddtui.drift.health import TaskHealth, badge_of_report, task_health
        from ddtui.drift.runs import PREVIOUS, compare_task_runs
        from ddtui.errors import DdtuiError

        dag_id = structure.dag_id
        recent = runs[:TREND_RUNS]
        details = {}
        for run in recent:
            if cancelled():
                return
            details[run.run_id] = where.metastore.run_detail(dag_id, run.run_id)
        for task_id in task_ids:
            task = structure.task(task_id)
            if task is None or not recent or cancelled():
                continue
            counts = _live_counts(where, task, [details[r.run_id] for r in recent], cancelled)
            try:
                stored = where.history.for_task(
                    where.metastore.masked_url, dag_id, task_id, limit=TREND_RUNS
                )
            except Exception as exc:
                post(HistoryNoted(f"profile history not read: {one_line(exc)}"))
                stored = []
            health = task_health(stored) if stored else TaskHealth([])
            if counts is not None and len(counts) >= len(health.row_counts):
                health.row_counts = counts
            newest = recent[0].run_id
            key = DriftKey(dag_id, task_id, newest, PREVIOUS)
            try:
                report = compare_task_runs(
                    where.metastore, where.sources, where.data, dag_id, task_id, newest,
                    PREVIOUS, where.history, record=True,
                )  # fmt: skip
            except DdtuiError:  # no baseline yet, or no readable output
                post(HealthMeasured(dag_id, task_id, health))
                continue
            if cancelled():
                return
            post(DriftCompared(key, report))
            reasons = [h.message for h in report.health]
            reasons += [f"{c.name}: {', '.join(c.reasons)}" for c in report.columns if c.reasons]
            health.badge, health.reasons, health.report = badge_of_report(report), reasons, report
            post(HealthMeasured(dag_id, task_id, health, key))

    return job


def _live_counts(
    where: DriftSources, task: TaskNode, details: list[RunDetail], cancelled: Cancelled
) -> list[int] | None:
    """Row counts oldest -> newest of the task's per-run tables; None when the runs share
    one table (its older counts are only in the history)."""
    refs = [resolve_output(task, d, where.data) for d in details]
    readable = [r for r in refs if r.readable]
    names = {(r.data_url, r.schema, r.table, r.partition) for r in readable}
    if len(readable) < 2 or len(names) < len(readable):
        return None
    counts: list[int] = []
    for ref in readable:
        if cancelled():
            return None
        try:
            stages = backend.profile_stages(
                where.sources.engine(ref.data_url or ""), ref.table or "", ref.schema,
                cancelled=cancelled, partition=ref.partition,
            )  # fmt: skip
            first = next(iter(stages))
            close = getattr(stages, "close", None)
            if close is not None:
                close()
        except Exception as exc:
            if backend.is_cancellation(exc):
                return None
            continue  # a per-run table since dropped: the sparkline skips it
        counts.append(first.row_count)
    return list(reversed(counts))


def badges_from_history(where: DriftSources, dag_ids: list[str]) -> Job:
    """Task health from the profile history alone, for DAGs not opened yet (no profiling):
    the DAG tree shows their roll-up badge from the start.

    One query finds the tasks with history; only their DAGs are read. (Reading every DAG's
    structure took seconds of CPU on a 1,000-DAG metastore, slowing the UI and the profile
    of the task the user opened.)
    """

    def job(post: Post, cancelled: Cancelled) -> None:
        load_drift()
        history = where.history
        if not history.path.exists():
            return
        from ddtui.drift.health import task_health

        url = where.metastore.masked_url
        wanted = set(dag_ids)
        try:
            tasks = history.tasks_with_entries(url, min_entries=2)
        except Exception as exc:
            post(HistoryNoted(f"profile history not read: {one_line(exc)}"))
            return
        current: dict[str, set[str]] = {}
        for dag_id, task_id in tasks:
            if cancelled():
                return
            if dag_id not in wanted:
                continue  # a DAG since deleted
            if dag_id not in current:
                current[dag_id] = {t.task_id for t in where.metastore.dag_structure(dag_id).tasks}
            if task_id not in current[dag_id]:
                continue  # a task since removed from its DAG
            try:
                stored = history.for_task(url, dag_id, task_id, limit=TREND_RUNS)
            except Exception as exc:
                post(HistoryNoted(f"profile history not read: {one_line(exc)}"))
                return
            if len(stored) >= 2:
                post(HealthMeasured(dag_id, task_id, task_health(stored), from_history=True))

    return job
