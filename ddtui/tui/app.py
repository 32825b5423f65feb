"""The ddtui Textual app: wires the panes together and owns the selection.

Panes only show what they are given and post what the user did; workers (see
`workers.py`) read the metastore and the output tables and post what they found.
"""

from __future__ import annotations

import functools
import gc
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from ddtui.datasource import DataSources
from ddtui.errors import MetastoreError, QueryTimeoutError
from ddtui.metastore import DagStructure, DagSummary, MetastoreReader, RunDetail, RunSummary
from ddtui.outputs import OutputRef
from ddtui.settings import DataSettings
from ddtui.terminal_text import safe_text
from ddtui.tui import drift_workers, workers
from ddtui.tui.commands import DagCommands
from ddtui.tui.dag_tree import DagPane
from ddtui.tui.drift_wiring import DriftWiring
from ddtui.tui.errors import error_message, one_line
from ddtui.tui.format import ID_WIDTH, compact_count, data_text
from ddtui.tui.header import InfoBar
from ddtui.tui.messages import (
    DagLoaded,
    DagsLoaded,
    ProfileFinished,
    ProfileLoaded,
    ProfileProgressed,
    RowsCounted,
    SchemaLoaded,
)
from ddtui.tui.navigation import PaneNavigation, sixteen_colour_terminal
from ddtui.tui.stats import StatsPane
from ddtui.tui.stats.pane import TABS
from ddtui.tui.task_list import TaskPane, task_rows

if TYPE_CHECKING:  # ddtui.profile loads numpy: only when a profile is computed
    from ddtui.profile.models import TableProfile

PROFILE_CACHE_SIZE = 32


@functools.cache
def freeze_imported_objects() -> None:
    """Once per process: move what start-up has loaded so far (modules, classes, functions:
    they live as long as the process) out of the garbage collector's sight, so the full
    collections that building the screen triggers walk only the objects it creates."""
    gc.freeze()


def read_in_thread(read: Callable[[], list[DagSummary]]) -> Future[list[DagSummary]]:
    """Start `read` now in a thread of its own; its result (or error) comes as a future."""
    future: Future[list[DagSummary]] = Future()

    def run() -> None:
        try:
            future.set_result(read())
        except BaseException as exc:  # handed to whoever waits for the result
            future.set_exception(exc)

    threading.Thread(target=run, name="ddtui-first-dags", daemon=True).start()
    return future


class DdtuiApp(DriftWiring, PaneNavigation, App[None]):
    """Airflow DAGs, their tasks and runs, and what each task's output table holds."""

    CSS_PATH = "app.tcss"
    TITLE = "ddtui"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        *App.COMMANDS,
        DagCommands,
    }
    # Textual annotates this one as an instance variable, so no ClassVar here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    # The footer shows the bindings marked show=True, in this order; help lists them all.
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: the screen's own tab (focus the next widget) would win otherwise.
        Binding("tab", "next_pane", "Pane", priority=True),
        Binding("shift+tab", "previous_pane", "Previous pane", show=False, priority=True),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("r", "refresh", "Refresh"),
        Binding("p", "pick_run", "Runs"),
        Binding("g", "graph", "Graph"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("left_square_bracket", "step_run(1)", "Older run", key_display="[", show=False),
        Binding("right_square_bracket", "step_run(-1)", "Newer run", key_display="]", show=False),
        Binding("b", "pick_baseline", "Drift baseline", show=False),
        Binding("o", "toggle_grouping", "Group by tag/folder", show=False),
        *[Binding(key, f"show_tab('{tab}')", title, show=False) for tab, title, key in TABS],
        Binding("z", "zoom", "Zoom pane", show=False),
        Binding("l", "open_log", "Task log", show=False),
    ]

    def __init__(
        self,
        metastore: MetastoreReader,
        data: DataSettings,
        *,
        dag_id: str | None = None,
        task_id: str | None = None,
        run_id: str | None = None,
        refresh_seconds: float = 10.0,
        clock: Callable[[], datetime] | None = None,
        sources: DataSources | None = None,
        open_log: bool = False,
    ) -> None:
        freeze_imported_objects()
        super().__init__()
        if sixteen_colour_terminal(os.environ):
            # The terminal's own palette reads better than truecolor squeezed into 16 colours.
            # Set before the first frame: a theme set once mounted parses all the CSS again.
            self.theme = "ansi-dark"
        self.metastore = metastore
        self.data = data
        self.sources = sources or DataSources()
        self.refresh_seconds = refresh_seconds
        self.clock = clock or (lambda: datetime.now(UTC).astimezone())
        # The selection. `pinned_run_id` None means "follow the newest run".
        self.dag_id: str | None = dag_id
        self.task_id: str | None = task_id
        self.pinned_run_id: str | None = run_id
        self._deep_link = dag_id is not None
        self._open_log_first = open_log and dag_id is not None and task_id is not None
        # What the metastore said about the selected DAG.
        self.structure: DagStructure | None = None
        self.runs: list[RunSummary] = []
        self.detail: RunDetail | None = None
        self.outputs: dict[str, OutputRef] = {}
        # The stats pane's table, and profiles already computed (exact ones only).
        self.stats_key: tuple[str, ...] | None = None
        self.profiles: OrderedDict[tuple[str, ...], TableProfile] = OrderedDict()
        self.row_counts: dict[tuple[str, ...], int] = {}
        self._force_stats = False
        # Background reads held back until the selected table's first profile stage is on
        # screen (see _after_sample).
        self._sample_pending = False
        self._after_sample_work: list[Callable[[], object]] = []
        self.init_drift()
        # The DAG list is read while Textual sets up the screen: the first frame with the
        # tree filled waits for it (the DAGS worker picks the result up).
        self._first_dags: Future[list[DagSummary]] | None = read_in_thread(metastore.list_dags)
        # When the running reads of the metastore started (a stalled one dates the silence).
        self._read_started: dict[str, datetime] = {}

    # Layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The panes are held, not queried: handlers reach them many times per selection.
        self._dag_pane = DagPane(id="dag-pane")
        self._task_pane = TaskPane(id="task-pane")
        self._stats_pane = StatsPane(id="stats-pane")
        yield InfoBar(self.metastore.info, id="info-bar")
        with Horizontal(id="main"):
            yield self._dag_pane
            with Vertical(id="right"):
                yield self._task_pane
                yield self._stats_pane
        yield Footer()

    def on_mount(self) -> None:
        self.dag_pane.border_title = "DAGs"
        self.task_pane.border_title = "Tasks"
        self.stats_pane.border_title = "Output table"
        self.task_pane.show_run(None, 0, 0, True)
        self.watch(self.screen, "focused", self._focus_changed)
        self._load_dags()
        if self.dag_id is not None:
            self._load_dag(refresh=False)
            # A deep link: its task's profile follows at once. Imported now (~0.1 s) rather
            # than in a thread, where it would share the interpreter with the screen being
            # set up and take four times as long, delaying the profile it is needed for.
            workers.load_profiler()
            self.task_pane.table.focus()
        else:
            self.dag_pane.dag_tree.focus()
        if self.refresh_seconds > 0:
            self.set_interval(self.refresh_seconds, self._refresh_tick, name="auto-refresh")
        if self._open_log_first:  # `--log`: the deep link's task log, over the panes
            self.action_open_log()

    @property
    def dag_pane(self) -> DagPane:
        return self._dag_pane

    @property
    def task_pane(self) -> TaskPane:
        return self._task_pane

    @property
    def stats_pane(self) -> StatsPane:
        return self._stats_pane

    # Starting work ------------------------------------------------------------------

    def _load_dags(self) -> None:
        self._read_started[workers.DAGS] = self.clock()
        first, self._first_dags = self._first_dags, None
        if first is None:
            workers.start(self, workers.DAGS, workers.load_dags(self.metastore, self.clock))
            return

        def first_dags(post: workers.Post, cancelled: workers.Cancelled) -> None:
            post(DagsLoaded(first.result(), self.clock()))

        workers.start(self, workers.DAGS, first_dags)

    def _load_dag(self, *, refresh: bool) -> None:
        if self.dag_id is None:
            return
        self._read_started[workers.DAG] = self.clock()
        request = workers.DagRequest(self.dag_id, self.pinned_run_id, refresh)
        job = workers.load_dag(self.metastore, self.data, request, self.clock)
        workers.start(self, workers.DAG, job, f"load DAG {self.dag_id}")

    def _count_rows(self) -> None:
        """Count the rows of outputs not counted yet (once per table, until `r`)."""
        pane = self.task_pane
        todo: dict[str, OutputRef] = {}
        for task_id, ref in self.outputs.items():
            if not ref.readable:
                continue
            known = self.row_counts.get(self._table_key(task_id, ref))
            if known is None:
                todo[task_id] = ref
                pane.set_row_count(task_id, "…")
            else:
                pane.set_row_count(task_id, compact_count(known))
        if todo:
            run_key = self._run_key

            def count() -> None:
                if run_key == self._run_key:  # still the run on screen
                    job = workers.count_rows(self.sources, run_key, todo)
                    workers.start(self, workers.ROWS, job)

            self._after_sample(count)

    def _after_sample(self, work: Callable[[], object]) -> None:
        """Run `work` now or, while the selected table's profile shows nothing yet, once it
        does: row counts and history badges read in threads that would compete with it for
        the interpreter, and the table the user asked for comes first."""
        if self._sample_pending:
            self._after_sample_work.append(work)
        else:
            work()

    def _sample_shown(self) -> None:
        """The profile showed its first stage, ended, failed, or was not needed."""
        self._sample_pending = False
        waiting, self._after_sample_work = self._after_sample_work, []
        for work in waiting:
            work()

    def _profile_ended(self) -> None:
        """The selected table's profile ended, failed, or was not needed: what waited runs."""
        self._sample_shown()
        self.deferred_health_due()

    def _table_key(self, task_id: str, ref: OutputRef) -> tuple[str, ...]:
        """The output table as the selected run's task instance last wrote it."""
        instances = (
            [ti for ti in self.detail.task_instances if ti.task_id == task_id]
            if self.detail
            else []
        )
        ends = [ti.end_date.isoformat() for ti in instances if ti.end_date is not None]
        tries = [ti.try_number for ti in instances]
        version = f"{max(tries, default=0)}@{max(ends, default='')}"
        return workers.output_key(ref, version)

    @property
    def _run_key(self) -> tuple[str, ...]:
        return (self.dag_id or "", self.detail.run.run_id if self.detail else "")

    # Selection ----------------------------------------------------------------------

    def select_dag(self, dag_id: str) -> None:
        if dag_id == self.dag_id:
            return
        self.dag_id, self.task_id, self.pinned_run_id = dag_id, None, None
        self.structure, self.detail, self.runs, self.outputs = None, None, [], {}
        self.workers.cancel_group(self, workers.PROFILE)
        self.workers.cancel_group(self, workers.ROWS)
        self.workers.cancel_group(self, drift_workers.DRIFT)
        pane = self.task_pane
        pane.border_title = Text.assemble("Tasks of ", data_text(dag_id, limit=ID_WIDTH))
        pane.show_reading(f"Reading DAG {dag_id}…", clear=True)
        self.stats_key = None
        self.stats_pane.show_message("Select a task to see its output table.")
        self._load_dag(refresh=False)

    def select_task(self, task_id: str) -> None:
        """Put the task list's cursor on a task (its stats follow)."""
        if self.task_pane.select_task(task_id):
            self.task_id = task_id
            self.show_stats()

    def select_run(self, run_id: str | None) -> None:
        """Show another run of the selected DAG (None: follow the newest)."""
        self.pinned_run_id = run_id
        newest = self.runs[0].run_id if self.runs else None
        if run_id == newest:
            self.pinned_run_id = None
        self.task_pane.show_reading(f"Reading run {run_id or 'latest'}…")
        self._load_dag(refresh=True)

    def show_stats(self) -> None:
        """Point the stats pane (its Drift tab too) at the selected task's output table."""
        self._show_profile()
        self.show_drift()

    def _show_profile(self) -> None:
        force, self._force_stats = self._force_stats, False
        stats = self.stats_pane
        ref = self.outputs.get(self.task_id or "")
        if ref is None or not ref.readable:
            self.workers.cancel_group(self, workers.PROFILE)
            self._profile_ended()
            self.stats_key = None
            if ref is None:
                stats.show_message("Select a task to see its output table.")
            else:
                kind = "unreadable" if ref.found else "no-output"
                stats.show_message(error_message(kind, ref.reason), ref)
            return
        key = self._table_key(self.task_id or "", ref)
        profiling = workers.running(self, workers.PROFILE)
        if not force and (
            key == self.stats_key or (profiling and workers.same_table(key, self.stats_key))
        ):
            return  # shown, or computing for a task that shares the table: keep it going
        self.stats_key = key
        cached = None if force else self.profiles.get(key)
        if cached is not None:
            self.workers.cancel_group(self, workers.PROFILE)
            self._profile_ended()
            stats.ref = ref
            stats.show_profile(cached)
            return
        stats.show_loading(ref)
        settle = workers.PROFILE_SETTLE_S if profiling else 0.0  # the cursor is moving on
        job = workers.profile_output(self.sources, ref, key, settle)
        workers.start(self, workers.PROFILE, job)
        self._sample_pending = True

    # Pane events --------------------------------------------------------------------

    @on(DagPane.DagHighlighted)
    def _dag_highlighted(self, event: DagPane.DagHighlighted) -> None:
        self.select_dag(event.dag_id)

    @on(DagPane.DagChosen)
    def _dag_chosen(self, event: DagPane.DagChosen) -> None:
        self.select_dag(event.dag_id)
        self.task_pane.table.focus()

    @on(TaskPane.TaskHighlighted)
    def _task_highlighted(self, event: TaskPane.TaskHighlighted) -> None:
        # Rebuilding the table highlights rows on the way: only the final cursor counts.
        if event.task_id == self.task_pane.selected_task_id:
            self.task_id = event.task_id
            self.show_stats()

    @on(TaskPane.TaskChosen)
    def _task_chosen(self, event: TaskPane.TaskChosen) -> None:
        self.task_id = event.task_id
        self.show_stats()
        self.stats_pane.focus_content()

    # Worker results -----------------------------------------------------------------

    def on_dags_loaded(self, message: DagsLoaded) -> None:
        pane = self.dag_pane
        pane.show_dags(message.dags)
        # After the frame that shows the tree: the history's worker would compete with it.
        self.call_after_refresh(self.badges_from_history, [d.dag_id for d in message.dags])
        # The first DAG's first task is profiled as soon as the DAG loads: import the
        # profiler meanwhile (a no-op once imported).
        self.call_after_refresh(workers.preload_profiler)
        self.query_one(InfoBar).metastore_answered(message.loaded_at)
        if self.dag_id is not None and pane.selected_dag_id != self.dag_id:
            pane.select_dag(self.dag_id)
        elif self.dag_id is None and message.dags:
            pane.select_dag(pane.first_dag_id() or message.dags[0].dag_id)

    def on_dag_loaded(self, message: DagLoaded) -> None:
        if message.dag_id != self.dag_id:
            return
        self.structure, self.runs, self.detail = message.structure, message.runs, message.detail
        self.outputs = message.outputs
        pane = self.task_pane
        pane.border_title = Text.assemble("Tasks of ", data_text(message.dag_id, limit=ID_WIDTH))
        pane.show_message("")
        run = message.detail.run if message.detail else None
        ids = [r.run_id for r in message.runs]
        position = ids.index(run.run_id) + 1 if run and run.run_id in ids else 0
        pane.show_run(run, position, len(ids), self.pinned_run_id is None)
        pane.show_tasks(task_rows(message.structure, message.detail, message.outputs), self.task_id)
        if self._deep_link and self.task_id is not None:
            self._deep_link = False
            pane.select_task(self.task_id)
        if message.loaded_at is not None and message.refresh:
            self.query_one(InfoBar).metastore_answered(message.loaded_at)
        self.task_id = pane.selected_task_id
        self.show_stats()
        self._count_rows()  # after the profile started: its counts may wait for its sample
        # After the frame that shows the tasks: health reads many runs in a worker that
        # would compete with it (and with the next key press while the cursor moves on).
        self.call_after_refresh(self.measure_health_when_idle)

    def on_rows_counted(self, message: RowsCounted) -> None:
        if message.key != self._run_key:
            return
        ref = self.outputs.get(message.task_id)
        if message.rows is not None and ref is not None:
            self.row_counts[self._table_key(message.task_id, ref)] = message.rows
            self.task_pane.set_row_count(message.task_id, compact_count(message.rows))
        else:
            self.task_pane.set_row_count(message.task_id, "?")

    def on_schema_loaded(self, message: SchemaLoaded) -> None:
        if message.key == self.stats_key:
            self.stats_pane.show_schema(message.schema)

    def on_profile_progressed(self, message: ProfileProgressed) -> None:
        if message.key == self.stats_key:
            self.stats_pane.show_progress(message.fraction)

    def on_profile_loaded(self, message: ProfileLoaded) -> None:
        if message.key != self.stats_key:
            return
        self.stats_pane.show_profile(message.profile)
        self.call_after_refresh(self._sample_shown)  # after the frame that shows it
        self.row_counts[message.key] = message.profile.row_count
        if self.task_id is not None:
            self.task_pane.set_row_count(self.task_id, compact_count(message.profile.row_count))
        if message.profile.exact:
            self.profiles[message.key] = message.profile
            ref = self.outputs.get(self.task_id or "")
            if ref is not None and ref.readable:  # the task shown may share the table (adopted)
                shown = self._table_key(self.task_id or "", ref)
                if workers.same_table(shown, message.key):
                    self.profiles[shown] = message.profile
            self.record_exact_profile(message.profile)
            self.profiles.move_to_end(message.key)
            while len(self.profiles) > PROFILE_CACHE_SIZE:
                self.profiles.popitem(last=False)

    def on_profile_finished(self, message: ProfileFinished) -> None:
        if message.key == self.stats_key:
            self.stats_pane.finish()
        self._profile_ended()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one error path: a failed worker's reason goes to the pane it concerns."""
        if (
            event.worker.group == workers.PROFILE
            and event.state in (WorkerState.CANCELLED, WorkerState.SUCCESS)
            and not workers.running(self, workers.PROFILE)
        ):
            self._sample_shown()  # ended without a stage for the selection (moved on)
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        self.log.error(f"worker {event.worker.name} failed: {error!r}")
        group, reason = event.worker.group, one_line(error)
        if group == workers.DAGS:
            if self.dag_pane.dags:
                self._metastore_silent(workers.DAGS)
            else:
                self.dag_pane.show_message(error_message("dags", reason))
        elif group == workers.DAG:
            if isinstance(error, MetastoreError | QueryTimeoutError):
                self._metastore_silent(workers.DAG)
            self.task_pane.stop_reading()
            self.task_pane.show_message(error_message("dag", reason, self.dag_id, error=error))
        elif group == workers.PROFILE:
            ref = self.stats_pane.ref
            self.stats_pane.show_message(error_message("profile", reason, error=error), ref)
            self.stats_key = None  # the next selection or refresh tries again
            self._profile_ended()
        elif group == workers.ROWS:
            pane = self.task_pane
            for task_id, shown in list(pane.row_counts.items()):
                if shown == "…":  # still counting when the worker stopped
                    pane.set_row_count(task_id, "?")
            pane.show_message(Text(f"Row counts not read: {safe_text(reason)}", style="red"))
        else:
            self.drift_worker_failed(group, reason)

    # Actions ------------------------------------------------------------------------

    def _refresh_tick(self) -> None:
        stalled = [group for group in (workers.DAGS, workers.DAG) if workers.running(self, group)]
        if stalled:
            # Still waiting for the last refresh: say so, and pile no more reads on it.
            self._metastore_silent(*stalled)
            return
        self._load_dags()
        self._load_dag(refresh=True)

    def _metastore_silent(self, *groups: str) -> None:
        """The header says since when the metastore has not answered (`groups`' reads)."""
        now = self.clock()
        self.query_one(InfoBar).metastore_silent(
            min(self._read_started.get(group, now) for group in groups)
        )

    def action_refresh(self) -> None:
        """Read everything again; profiles and row counts too."""
        self.profiles.clear()
        self.row_counts.clear()
        self.clear_drift()
        self._force_stats = True
        self._load_dags()
        if self.dag_id is not None and self.structure is None:
            self.task_pane.show_reading(f"Reading DAG {self.dag_id}…")
        self._load_dag(refresh=True)
        self.notify("Refreshing…", timeout=1.5)

    def action_open_log(self) -> None:
        """The selected task's log (the latest try of the run on screen)."""
        if self.dag_id is None or self.task_id is None:
            self.notify("Select a task first, then press l for its log.")
            return
        from ddtui.tui.log_screen import LogScreen

        run_id = self.detail.run.run_id if self.detail else self.pinned_run_id
        self.push_screen(LogScreen(self.metastore, self.dag_id, self.task_id, run_id))

    async def action_quit(self) -> None:
        """Stop the workers first: a result arriving while the screen closes has no pane."""
        self.workers.cancel_all()
        self.exit()

    def on_unmount(self) -> None:
        self.sources.close()


__all__ = ["DdtuiApp"]
