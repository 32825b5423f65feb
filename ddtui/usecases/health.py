"""A task's health over its recent runs: its row counts (the trend) and a badge from the
newest run compared with the previous successful one, with the reasons behind it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ddtui.errors import one_line
from ddtui.usecases.counts import per_run_counts
from ddtui.usecases.tasks import resolve_outputs

if TYPE_CHECKING:
    from ddtui.config.settings import DataSettings
    from ddtui.drift.health import TaskHealth
    from ddtui.drift.history import ProfileHistory
    from ddtui.drift.report import DriftReport
    from ddtui.metastore import DagStructure, MetastoreReader, RunSummary
    from ddtui.outputs.data_sources import DataSources

TREND_RUNS = 8  # runs in a task's row-count trend

Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class MeasuredHealth:
    """One task's health; `report` is the comparison behind its badge (None: no baseline
    yet, or no readable output); `notes` say why the profile history could not help."""

    task_id: str
    health: TaskHealth
    report: DriftReport | None = None
    notes: tuple[str, ...] = field(default=())


def measure_health(
    store: MetastoreReader,
    sources: DataSources,
    data: DataSettings,
    history: ProfileHistory,
    *,
    structure: DagStructure,
    runs: list[RunSummary],
    task_ids: list[str],
    cancelled: Cancelled,
) -> Iterator[MeasuredHealth]:
    """Each task's health over the newest TREND_RUNS `runs` (newest first).

    Per-run tables are counted live (one cheap count each); a table every run overwrites
    takes its counts from the history. The badge comes from `compare_task_runs`, which
    profiles per-run tables and reads overwritten ones from the history (recording what
    it profiles).
    """
    from ddtui.drift.health import TaskHealth, health_of_report, task_health
    from ddtui.drift.runs import PREVIOUS, KnownReads, compare_task_runs
    from ddtui.errors import DdtuiError

    dag_id = structure.dag_id
    recent = runs[:TREND_RUNS]
    if not recent:
        return
    if cancelled():
        return
    # The recent runs' details in one read (not one read per run); a run deleted since the
    # run list was read has no outputs to count.
    details = store.run_details(dag_id, [run.run_id for run in recent])
    outputs_by_run = [  # each recent run's outputs, newest first
        resolve_outputs(structure, details[run.run_id], data)
        for run in recent
        if run.run_id in details
    ]
    newest = recent[0].run_id
    # The comparisons reuse what was read here: each task's read the DAG, a page of runs
    # and both runs' details again (ten queries a task, twenty tasks a DAG).
    known = KnownReads(structure, runs, details)
    for task_id in task_ids:
        if structure.task(task_id) is None:
            continue
        if cancelled():
            return
        refs = [outputs[task_id] for outputs in outputs_by_run if task_id in outputs]
        counts = per_run_counts(sources, refs, cancelled)
        notes: list[str] = []
        try:
            stored = history.for_task(store.masked_url, dag_id, task_id, limit=TREND_RUNS)
        except Exception as exc:  # the history is optional: a note, and on without it
            notes.append(f"profile history not read: {one_line(exc)}")
            stored = []
        health = task_health(stored) if stored else TaskHealth([])
        if counts is not None and len(counts) >= len(health.row_counts):
            health.row_counts = counts
        try:
            report = compare_task_runs(
                store, sources, data, dag_id, task_id, newest, PREVIOUS, history,
                record=True, known=known,
            )  # fmt: skip
        except DdtuiError:  # no baseline yet, or no readable output
            yield MeasuredHealth(task_id, health, None, tuple(notes))
            continue
        if cancelled():
            return
        health = health_of_report(report, health.row_counts)
        yield MeasuredHealth(task_id, health, report, tuple(notes))


class HistoryUnreadable(Exception):
    """The profile history could not be read (it is optional: the caller notes it)."""


def health_from_history(
    store: MetastoreReader, history: ProfileHistory, dag_ids: list[str], cancelled: Cancelled
) -> Iterator[tuple[str, str, TaskHealth]]:
    """(DAG, task, health) from the profile history alone, for tasks with two entries or
    more of DAGs in `dag_ids` that still have that task: no profiling, no run read.

    One query finds the tasks with history; only their DAGs are read. (Reading every
    DAG's structure took seconds of CPU on a 1,000-DAG metastore.)
    """
    from ddtui.drift.health import task_health

    if not history.path.exists():
        return
    url, wanted = store.masked_url, set(dag_ids)
    try:
        tasks = history.tasks_with_entries(url, min_entries=2)
    except Exception as exc:
        raise HistoryUnreadable(f"profile history not read: {one_line(exc)}") from exc
    current: dict[str, set[str]] = {}
    for dag_id, task_id in tasks:
        if cancelled():
            return
        if dag_id not in wanted:
            continue  # a DAG since deleted
        if dag_id not in current:
            current[dag_id] = {t.task_id for t in store.dag_structure(dag_id).tasks}
        if task_id not in current[dag_id]:
            continue  # a task since removed from its DAG
        try:
            stored = history.for_task(url, dag_id, task_id, limit=TREND_RUNS)
        except Exception as exc:
            raise HistoryUnreadable(f"profile history not read: {one_line(exc)}") from exc
        if len(stored) >= 2:
            yield dag_id, task_id, task_health(stored)
