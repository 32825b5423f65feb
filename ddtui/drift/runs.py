"""Compare a task's output between two runs: per-run tables live, overwritten ones from history."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ddtui.drift.compare import DriftReport, RunSide, Thresholds, compare_profiles
from ddtui.drift.history import HistoryError, HistoryKey, ProfileHistory, StoredProfile
from ddtui.drift.samples import DEFAULT_SAMPLE_SIZE, Samples, draw_samples, sample_kinds
from ddtui.errors import DataSourceError, DdtuiError, NoOutputError, NotFoundError
from ddtui.outputs.resolve import OutputRef, resolve_output

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ddtui.config.settings import DataSettings
    from ddtui.metastore import DagStructure, MetastoreReader, RunDetail, RunSummary, TaskNode
    from ddtui.outputs.data_sources import DataSources
    from ddtui.outputs.table_slice import TableSlice
    from ddtui.profile.models import TableProfile

PREVIOUS = "previous"
# Newer runs looked at to decide whether an overwritten table still holds a run's data.
MAX_NEWER_RUNS = 20
_RUN_PAGE = 100

Profiler = Callable[..., "TableProfile"]


class BaselineUnavailableError(DdtuiError):
    """There is no run, table or stored profile to compare against."""

    exit_code = 5


@dataclass(frozen=True)
class KnownReads:
    """What a caller has already read of the DAG, so that a comparison asks the metastore
    only for the rest: its structure, its newest runs (newest first, as `runs` pages them)
    and some runs' details."""

    structure: DagStructure
    runs: Sequence[RunSummary] = ()
    details: Mapping[str, RunDetail] = field(default_factory=dict)

    def run_detail(self, metastore: MetastoreReader, dag_id: str, run_id: str) -> RunDetail:
        known = self.details.get(run_id)
        return known if known is not None else metastore.run_detail(dag_id, run_id)


@dataclass(frozen=True)
class ProfiledRun:
    """One side of a comparison: the profile, its samples, and where they came from."""

    run_id: str
    ref: OutputRef
    profile: TableProfile
    samples: Samples | None
    source: str  # "live" or "history"
    stored: StoredProfile | None = None


# The positional order is the one `ddtui describe --compare` and the TUI call it with.
def compare_task_runs(  # noqa: PLR0917
    metastore: MetastoreReader,
    datasources: DataSources,
    data_settings: DataSettings,
    dag_id: str,
    task_id: str,
    run_id: str,
    baseline_run_id: str = PREVIOUS,
    history: ProfileHistory | None = None,
    *,
    thresholds: Thresholds | None = None,
    mode: str = "auto",
    record: bool = True,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    profiler: Profiler | None = None,
    known: KnownReads | None = None,
) -> DriftReport:
    """Compare the task's output in `run_id` with `baseline_run_id` ("previous": the latest
    successful DAG run before it). Per-run tables are profiled live (and recorded in
    `history` when `record`); a table both runs wrote is read from `history` for any run
    whose data has since been overwritten. What `known` holds is not read again.
    """
    known = known or KnownReads(metastore.dag_structure(dag_id))
    structure = known.structure
    task = structure.task(task_id)
    if task is None:
        known_ids = [t.task_id for t in structure.tasks]
        raise NotFoundError("task", task_id, known_ids, where=f"DAG {dag_id!r}")
    if baseline_run_id == PREVIOUS:
        found = previous_successful_run(metastore, dag_id, run_id, known.runs)
        if found is None:
            raise BaselineUnavailableError(
                f"no successful run of {dag_id} before {run_id} to compare with"
            )
        baseline_run_id = found
    if baseline_run_id == run_id:
        raise BaselineUnavailableError(f"run {run_id} cannot be its own baseline")
    current_detail = known.run_detail(metastore, dag_id, run_id)
    baseline_detail = known.run_detail(metastore, dag_id, baseline_run_id)
    current_ref = _readable_output(task, current_detail, data_settings)
    baseline_ref = _readable_output(task, baseline_detail, data_settings)
    # Two partitions of one table are two outputs, each profiled live: only the same rows
    # (a table overwritten each run, or a partition written again) need the history.
    shared = current_ref.same_rows(baseline_ref)

    side = _SideLoader(
        metastore,
        datasources,
        history,
        dag_id,
        task_id,
        record=record,
        mode=mode,
        sample_size=sample_size,
        profiler=profiler,
    )
    if shared:
        baseline = side.from_history(baseline_run_id, baseline_ref, overwritten=True)
    else:
        try:
            baseline = side.live(baseline_run_id, baseline_ref, run_time(baseline_detail))
        except DataSourceError as exc:  # a per-run table since dropped: try the history
            stored = side.stored(baseline_run_id, baseline_ref)
            if stored is None:
                raise BaselineUnavailableError(
                    f"{exc}; and no stored profile of it for run {baseline_run_id}"
                ) from exc
            baseline = stored
    if shared and not run_is_latest_writer(metastore, dag_id, task_id, run_id):
        current = side.from_history(run_id, current_ref, overwritten=True)
    else:
        current = side.live(run_id, current_ref, run_time(current_detail))

    keys = [
        c for ref in (baseline_ref, current_ref) if ref.partition for c in ref.partition.columns
    ]
    report = compare_profiles(
        baseline.profile, current.profile, baseline.samples, current.samples, thresholds,
        partition_keys=keys,
    )  # fmt: skip
    report.notes.extend(side.notes)
    return report.with_sides(
        _run_side(baseline, report.baseline), _run_side(current, report.current)
    )


def record_profile(
    history: ProfileHistory,
    key: HistoryKey,
    profile: TableProfile,
    *,
    engine: Engine | None = None,
    table: str | None = None,
    schema: str | None = None,
    run_after: datetime | None = None,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    partition: TableSlice | None = None,
) -> StoredProfile:
    """Record a computed profile, with value samples drawn from `engine` when given
    (what `ddtui describe --record` does). Pass the run's time as `run_after` (see
    `run_time`) so the history is ordered by run, not by when it was recorded."""
    samples = None
    if engine is not None and table is not None:
        samples = draw_samples(
            engine,
            table,
            schema,
            size=sample_size,
            kinds=sample_kinds(profile.columns),
            row_count=profile.row_count,
            partition=partition,
        )
    return history.record(key, profile, samples, run_after=run_after)


def run_time(detail: RunDetail) -> datetime | None:
    """When a run ran, for ordering the history: Airflow's run_after, else its logical date."""
    run = detail.run
    return run.run_after or run.logical_date or run.start_date


def history_key(
    metastore: MetastoreReader | str, dag_id: str, task_id: str, run_id: str, ref: OutputRef
) -> HistoryKey:
    """The history key of a task's output in a run (the metastore URL is stored masked);
    a partition is part of it, so each run's partition has its own entry."""
    url = metastore if isinstance(metastore, str) else metastore.masked_url
    return HistoryKey(url, dag_id, task_id, run_id, ref.shown_name)


def previous_successful_run(
    metastore: MetastoreReader, dag_id: str, run_id: str, newest: Sequence[RunSummary] = ()
) -> str | None:
    """The newest DAG run in state 'success' that comes before `run_id` (runs newest first).
    `newest`, the DAG's newest runs as the caller read them, answers without a read when
    it holds both runs; else the runs are paged from the metastore."""
    seen = False
    for run in newest:
        if seen and run.state == "success":
            return run.run_id
        seen = seen or run.run_id == run_id
    seen = False
    offset = 0
    while True:
        page = metastore.runs(dag_id, limit=_RUN_PAGE, offset=offset)
        for run in page:
            if seen and run.state == "success":
                return run.run_id
            seen = seen or run.run_id == run_id
        if len(page) < _RUN_PAGE:
            break
        offset += _RUN_PAGE
    if not seen:
        metastore.run_detail(dag_id, run_id)  # raises NotFoundError with suggestions
    return None


@dataclass(frozen=True)
class NewerWriters:
    """The runs newer than a run that ran a task successfully (newest first); `complete`
    is False when there were more newer runs than were looked at."""

    run_ids: list[str]
    complete: bool


def newer_writers(
    metastore: MetastoreReader, dag_id: str, task_id: str, run_id: str
) -> NewerWriters:
    """Which of the (at most MAX_NEWER_RUNS) runs newer than `run_id` ran the task
    successfully: one page of runs and one query for the task's states in them."""
    page = metastore.runs(dag_id, limit=MAX_NEWER_RUNS + 1)
    ids = [r.run_id for r in page]
    complete = run_id in ids or len(page) <= MAX_NEWER_RUNS
    newer = ids[: ids.index(run_id)] if run_id in ids else ids
    states = metastore.task_states(dag_id, task_id, newer)
    return NewerWriters([i for i in newer if "success" in states.get(i, ())], complete)


def run_is_latest_writer(
    metastore: MetastoreReader, dag_id: str, task_id: str, run_id: str
) -> bool:
    """True when no newer run of the DAG ran the task successfully, so a table the task
    overwrites each run still holds this run's data (record it only then). With more
    newer runs than are looked at, False: assume one of them has overwritten it."""
    writers = newer_writers(metastore, dag_id, task_id, run_id)
    return writers.complete and not writers.run_ids


class _SideLoader:
    def __init__(
        self,
        metastore: MetastoreReader,
        datasources: DataSources,
        history: ProfileHistory | None,
        dag_id: str,
        task_id: str,
        *,
        record: bool,
        mode: str,
        sample_size: int,
        profiler: Profiler | None,
    ) -> None:
        self.metastore = metastore
        self.datasources = datasources
        self.history = history
        self.dag_id = dag_id
        self.task_id = task_id
        self.record = record
        self.mode = mode
        self.sample_size = sample_size
        self.profiler = profiler
        self.notes: list[str] = []

    def key(self, run_id: str, ref: OutputRef) -> HistoryKey:
        return history_key(self.metastore, self.dag_id, self.task_id, run_id, ref)

    def live(self, run_id: str, ref: OutputRef, run_after: datetime | None) -> ProfiledRun:
        assert ref.data_url is not None and ref.table is not None
        engine = self.datasources.engine(ref.data_url)
        profiler = self.profiler or _default_profiler()
        # Profilers written before partitions take no `partition`: pass it only when there is one.
        sliced = {"partition": ref.partition} if ref.partition is not None else {}
        profile = profiler(engine, ref.table, ref.schema, mode=self.mode, **sliced)
        samples = draw_samples(
            engine,
            ref.table,
            ref.schema,
            size=self.sample_size,
            kinds=sample_kinds(profile.columns),
            row_count=profile.row_count,
            partition=ref.partition,
        )
        stored = None
        if self.history is not None and self.record:
            key = self.key(run_id, ref)
            try:
                stored = self.history.record(key, profile, samples, run_after=run_after)
            except HistoryError as exc:  # the comparison does not need the history to succeed
                self.notes.append(f"not recorded: {exc}")
        return ProfiledRun(run_id, ref, profile, samples, "live", stored)

    def stored(self, run_id: str, ref: OutputRef) -> ProfiledRun | None:
        if self.history is None:
            return None
        entry = self.history.get(self.key(run_id, ref))
        if entry is None:
            return None
        return ProfiledRun(run_id, ref, entry.profile, entry.samples, "history", entry)

    def from_history(self, run_id: str, ref: OutputRef, *, overwritten: bool) -> ProfiledRun:
        found = self.stored(run_id, ref)
        if found is not None:
            return found
        why = "a later run overwrote it" if overwritten else "it is gone"
        where = f"in {self.history.path}" if self.history is not None else "(no history given)"
        raise BaselineUnavailableError(
            f"{ref.shown_name} of run {run_id} cannot be profiled any more ({why}), and no "
            f"profile of it is stored {where}. ddtui keeps history only from profiles it "
            "computes: run `ddtui describe ... --record` after each run (from cron or an "
            "Airflow task) to build it up."
        )


def _readable_output(task: TaskNode, detail: RunDetail, data: DataSettings) -> OutputRef:
    ref = resolve_output(task, detail, data)
    if not ref.readable:
        raise NoOutputError(f"{task.task_id} in run {detail.run.run_id}: {ref.reason}")
    return ref


def _run_side(run: ProfiledRun, side: RunSide) -> RunSide:
    recorded = run.stored.recorded_at if run.stored is not None else None
    return RunSide(
        table=side.table,
        row_count=side.row_count,
        exact=side.exact,
        run_id=run.run_id,
        source="history" if run.source == "history" else "live",
        recorded_at=recorded,
        has_samples=run.samples is not None,
    )


def _default_profiler() -> Profiler:
    try:
        from ddtui.profile import profile_table
    except ImportError:
        raise DataSourceError(
            "the profiler (ddtui.profile.profile_table) is not available in this build"
        ) from None
    return profile_table
