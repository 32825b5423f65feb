"""The main screen: the three panes, the selection (DAG, run, task) and the work behind them.

The screen owns the state; the objects it holds do one job each: `MetastoreReads` reads the
DAG list and the selected DAG, `ProfileWiring` fills the stats pane and the row counts,
`DriftWiring` the Drift tab and task health, `PaneNavigation` moves between panes and
screens, and `SelectedTableFirst` orders the background work. They see the screen as
`wiring.WiredScreen`.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent
from textual.worker import Worker, WorkerState

from ddtui.errors import one_line
from ddtui.metastore import DagSummary
from ddtui.tui import drift_workers, workers
from ddtui.tui.dag_tree import DagPane
from ddtui.tui.drift_wiring import DriftWiring
from ddtui.tui.format import ID_WIDTH, data_text
from ddtui.tui.header import InfoBar
from ddtui.tui.keys import Selection
from ddtui.tui.messages import (
    ColumnChosen,
    DagLoaded,
    DagsLoaded,
    DriftCompared,
    HealthMeasured,
    HistoryNoted,
    ProfileFinished,
    ProfileLoaded,
    ProfileProgressed,
    RowsCounted,
    SchemaLoaded,
)
from ddtui.tui.metastore_reads import MetastoreReads
from ddtui.tui.navigation import PaneNavigation
from ddtui.tui.profile_wiring import ProfileWiring
from ddtui.tui.scheduling import SelectedTableFirst
from ddtui.tui.state import LoadedDag, Session
from ddtui.tui.stats import StatsPane
from ddtui.tui.stats.pane import TABS
from ddtui.tui.task_list import TaskPane

if TYPE_CHECKING:
    from ddtui.tui.wiring import WiredScreen


class MainScreen(Screen[None]):
    """DAG tree, task list and stats pane, wired together."""

    # The footer shows the bindings marked show=True, in this order, then the app's (help,
    # quit); help lists them all. Keys of this screen only: none acts under another screen.
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: the focused widget's own tab (focus the next widget) would win otherwise.
        Binding("tab", "next_pane", "Pane", priority=True),
        Binding("shift+tab", "previous_pane", "Previous pane", show=False, priority=True),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("r", "refresh", "Refresh"),
        Binding("p", "pick_run", "Runs"),
        Binding("g", "graph", "Graph"),
        Binding("left_square_bracket", "step_run(1)", "Older run", key_display="[", show=False),
        Binding("right_square_bracket", "step_run(-1)", "Newer run", key_display="]", show=False),
        Binding("b", "pick_baseline", "Drift baseline", show=False),
        Binding("o", "toggle_grouping", "Group by tag/folder", show=False),
        *[Binding(key, f"show_tab('{tab}')", title, show=False) for tab, title, key in TABS],
        Binding("z", "zoom", "Zoom pane", show=False),
        Binding("l", "open_log", "Task log", show=False),
    ]
    # No focus on compose: `on_mount` focuses the tree (or the deep link's task list). Textual's
    # auto focus would focus another widget first, and each change rebuilds the footer.
    AUTO_FOCUS = ""

    def __init__(
        self,
        session: Session,
        selection: Selection,
        *,
        first_dags: Future[list[DagSummary]] | None = None,
        open_log: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.selection = selection
        self.dag = LoadedDag()
        self._deep_link = selection.dag_id is not None
        self._open_log_first = open_log and self._deep_link and selection.task_id is not None
        self.order = SelectedTableFirst()
        self.reads = MetastoreReads(self, first_dags, tree_after_dag=self._deep_link)
        self.tables = ProfileWiring(self)
        self.drift = DriftWiring(self)
        self.navigation = PaneNavigation(self)
        # The panes are held, not queried: handlers reach them many times per selection.
        self.info_bar = InfoBar(session.metastore.info, id="info-bar")
        self.dag_pane = DagPane(id="dag-pane")
        self.task_pane = TaskPane(id="task-pane")
        self.stats_pane = StatsPane(id="stats-pane")

    def compose(self) -> ComposeResult:
        yield self.info_bar
        with Horizontal(id="main"):
            yield self.dag_pane
            with Vertical(id="right"):
                yield self.task_pane
                yield self.stats_pane
        yield Footer()

    def on_mount(self) -> None:
        self.dag_pane.border_title = "DAGs"
        self.task_pane.border_title = "Tasks"
        self.stats_pane.border_title = "Output table"
        self.watch(self, "focused", self.navigation.focus_changed)
        self.reads.load_dags()
        if self.selection.dag_id is not None:
            # Not "no runs yet" before the DAG is read (nor after a read that failed).
            self.task_pane.show_reading(f"Reading DAG {self.selection.dag_id}…", clear=True)
            self.reads.load_dag(refresh=False)
            # A deep link: its task's profile follows at once. Imported now (~0.1 s) rather
            # than in a thread, where it would share the interpreter with the screen being
            # set up and take four times as long, delaying the profile it is needed for.
            workers.load_profiler()
            self.task_pane.table.focus()
        else:
            self.task_pane.show_run(None, 0, 0, True)
            self.dag_pane.dag_tree.focus()
        if self.session.refresh_seconds > 0:
            self.set_interval(self.session.refresh_seconds, self.refresh_tick, name="auto-refresh")
        if self._open_log_first:  # `--log`: the deep link's task log, over the panes
            self.action_open_log()

    def start(self, group: str, job: workers.Job, description: str = "") -> None:
        """Run `job` in a worker of this screen (see `workers.start`)."""
        workers.start(self, group, job, description)

    def running(self, group: str) -> bool:
        return workers.running(self, group)

    def cancel(self, group: str) -> None:
        """Cancel this screen's workers of `group`."""
        self.workers.cancel_group(self, group)

    # Selection ----------------------------------------------------------------------

    def select_dag(self, dag_id: str) -> None:
        if dag_id == self.selection.dag_id:
            return
        self.selection = self.selection.with_dag(dag_id)
        self.dag = LoadedDag()
        for group in (workers.PROFILE, workers.ROWS, drift_workers.DRIFT):
            self.cancel(group)
        pane = self.task_pane
        pane.border_title = Text.assemble("Tasks of ", data_text(dag_id, limit=ID_WIDTH))
        pane.show_reading(f"Reading DAG {dag_id}…", clear=True)
        self.tables.forget_shown()
        self.stats_pane.show_message("Select a task to see its output table.")
        self.reads.load_dag(refresh=False)

    def select_task(self, task_id: str) -> None:
        """Put the task list's cursor on a task (its stats follow)."""
        if self.task_pane.select_task(task_id):
            self.selection = self.selection.with_task(task_id)
            self.show_stats()

    def select_run(self, run_id: str | None) -> None:
        """Show another run of the selected DAG (None: follow the newest)."""
        newest = self.dag.runs[0].run_id if self.dag.runs else None
        self.selection = self.selection.with_run(None if run_id == newest else run_id)
        self.task_pane.show_reading(f"Reading run {run_id or 'latest'}…")
        self.reads.load_dag(refresh=True)

    def show_stats(self) -> None:
        """Point the stats pane (its Drift tab too) at the selected task's output table."""
        self.tables.show_profile()
        self.drift.show_drift()

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
            self.selection = self.selection.with_task(event.task_id)
            self.show_stats()

    @on(TaskPane.TaskChosen)
    def _task_chosen(self, event: TaskPane.TaskChosen) -> None:
        self.selection = self.selection.with_task(event.task_id)
        self.show_stats()
        self.stats_pane.focus_content()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content.id == "stats-tabs":
            self.drift.show_drift()

    # What the workers found ---------------------------------------------------------

    def on_dags_loaded(self, message: DagsLoaded) -> None:
        self.reads.dags_read(message)

    def show_dags(self, message: DagsLoaded) -> None:
        pane = self.dag_pane
        pane.show_dags(message.dags)
        # Once the frame that shows the tree is out (one refresh later: the frame's own
        # callbacks run first), the history's worker, and the profiler imported for the
        # first DAG's first task. Both import numpy (~0.15 s holding the GIL, which the
        # frame's writing and its after-refresh callbacks would otherwise wait for).
        dag_ids = [d.dag_id for d in message.dags]
        self.call_after_refresh(self.call_after_refresh, self._after_the_tree_is_shown, dag_ids)
        self.info_bar.metastore_answered(message.loaded_at)
        dag_id = self.selection.dag_id
        if dag_id is not None and pane.selected_dag_id != dag_id:
            pane.select_dag(dag_id)
        elif dag_id is None and message.dags:
            pane.select_dag(pane.first_dag_id() or message.dags[0].dag_id)

    def _after_the_tree_is_shown(self, dag_ids: list[str]) -> None:
        self.drift.badges_from_history(dag_ids)
        workers.preload_profiler()  # a no-op once imported

    def on_dag_loaded(self, message: DagLoaded) -> None:
        if message.dag_id != self.selection.dag_id:
            return
        self.dag = LoadedDag(message.structure, message.runs, message.detail, message.outputs)
        pane = self.task_pane
        pane.border_title = Text.assemble("Tasks of ", data_text(message.dag_id, limit=ID_WIDTH))
        pane.show_message("")
        run = message.detail.run if message.detail else None
        ids = [r.run_id for r in message.runs]
        position = ids.index(run.run_id) + 1 if run and run.run_id in ids else 0
        pane.show_run(run, position, len(ids), self.selection.pinned_run_id is None)
        from ddtui.usecases.tasks import task_rows  # loaded by the worker that read the DAG

        rows = task_rows(message.structure, message.detail, message.outputs)
        pane.show_tasks(rows, self.selection.task_id)
        if self._deep_link and self.selection.task_id is not None:
            self._deep_link = False
            pane.select_task(self.selection.task_id)
        if message.loaded_at is not None and message.refresh:
            self.info_bar.metastore_answered(message.loaded_at)
        self.selection = self.selection.with_task(pane.selected_task_id)
        self.show_stats()
        self.tables.count_rows()  # after the profile started: its counts may wait for it
        # After the frame that shows the tasks: health reads many runs in a worker that
        # would compete with it (and with the next key press while the cursor moves on).
        self.call_after_refresh(self.order.after_profile, self.drift.measure_health)
        self.reads.dag_read()

    def on_rows_counted(self, message: RowsCounted) -> None:
        self.tables.rows_counted(message)

    def on_schema_loaded(self, message: SchemaLoaded) -> None:
        self.tables.schema_loaded(message)

    def on_profile_progressed(self, message: ProfileProgressed) -> None:
        self.tables.progressed(message)

    def on_profile_loaded(self, message: ProfileLoaded) -> None:
        self.tables.loaded(message)

    def on_profile_finished(self, message: ProfileFinished) -> None:
        self.tables.finished(message)

    def on_drift_compared(self, message: DriftCompared) -> None:
        self.drift.compared(message)

    def on_health_measured(self, message: HealthMeasured) -> None:
        self.drift.health_measured(message)

    def on_history_noted(self, message: HistoryNoted) -> None:
        self.drift.note_history(message.note)

    def on_column_chosen(self, message: ColumnChosen) -> None:
        from ddtui.tui.column_view import open_column_view

        open_column_view(self, message.name)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one error path: a failed worker's reason goes to the pane it concerns."""
        if event.worker.node is not self:
            return
        group = event.worker.group
        if (
            group == workers.PROFILE
            and event.state in (WorkerState.CANCELLED, WorkerState.SUCCESS)
            and not self.running(workers.PROFILE)
        ):
            self.order.profile_ended()  # ended without a stage for the selection (moved on)
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        self.log.error(f"worker {event.worker.name} failed: {error!r}")
        reason = one_line(error)
        if group in (workers.DAGS, workers.DAG):
            self.reads.worker_failed(group, reason, error)
        elif group in (workers.PROFILE, workers.ROWS):
            self.tables.worker_failed(group, reason, error)
        else:
            self.drift.worker_failed(group, reason)

    # Refreshing ---------------------------------------------------------------------

    def refresh_tick(self) -> None:
        """The auto-refresh: the DAG list and the selected DAG again."""
        self.reads.refresh_tick()

    def action_refresh(self) -> None:
        """Read everything again; profiles and row counts too."""
        self.tables.forget()
        self.drift.forget()
        self.reads.load_dags()
        if self.selection.dag_id is not None and self.dag.structure is None:
            self.task_pane.show_reading(f"Reading DAG {self.selection.dag_id}…")
        self.reads.load_dag(refresh=True)
        self.app.notify("Refreshing…", timeout=1.5)

    # Keys: moving between panes and screens (PaneNavigation) ------------------------

    def action_open_log(self) -> None:
        self.navigation.open_log()

    def action_next_pane(self) -> None:
        self.navigation.step_pane(1)

    def action_previous_pane(self) -> None:
        self.navigation.step_pane(-1)

    def action_filter(self) -> None:
        self.navigation.filter_dags()

    def action_toggle_grouping(self) -> None:
        self.dag_pane.action_toggle_grouping()

    def action_show_tab(self, tab_id: str) -> None:
        self.stats_pane.show_tab(tab_id)

    def action_zoom(self) -> None:
        self.navigation.zoom()

    def action_step_run(self, step: int) -> None:
        self.navigation.step_run(step)

    def action_pick_run(self) -> None:
        self.navigation.pick_run()

    def action_graph(self) -> None:
        self.navigation.graph()

    def action_pick_baseline(self) -> None:
        self.drift.pick_baseline()

    def on_resize(self) -> None:
        self.call_after_refresh(self.task_pane.fit_height)

    def system_commands(self) -> Iterable[SystemCommand]:
        """This screen's entries in the command palette."""
        return self.navigation.system_commands()


if TYPE_CHECKING:
    # mypy: the screen provides what its wiring objects use of it (they import only that).
    _WIRED: type[WiredScreen] = MainScreen
