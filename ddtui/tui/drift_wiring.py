"""Runs and drift in the app: record exact profiles, fill the Drift tab, show task health.

A mixin of `DdtuiApp` (like `PaneNavigation`), kept apart so the app module stays about
selection and data. Work runs in `drift_workers` jobs; the handlers here own the state.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import TabbedContent

from ddtui.terminal_text import safe_text
from ddtui.tui import drift_workers, workers
from ddtui.tui.drift_workers import DriftSources, drift_key
from ddtui.tui.format import data_text
from ddtui.tui.messages import DriftCompared, HealthMeasured, HistoryNoted
from ddtui.tui.stats.drift import NO_BASELINE_HINT

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App

    from ddtui.datasource import DataSources
    from ddtui.drift.health import TaskHealth
    from ddtui.drift.history import ProfileHistory
    from ddtui.drift.report import DriftReport
    from ddtui.metastore import DagStructure, MetastoreReader, RunDetail, RunSummary
    from ddtui.outputs import OutputRef
    from ddtui.profile.models import TableProfile
    from ddtui.settings import DataSettings
    from ddtui.tui.dag_tree import DagPane
    from ddtui.tui.stats import StatsPane
    from ddtui.tui.task_list import TaskPane

    _AppBase = App[None]
else:
    _AppBase = object

DRIFT_CACHE_SIZE = 32
PREVIOUS = "previous"  # ddtui.drift.PREVIOUS, without importing the drift package at start-up


class LazyHistory:
    """The profile history, made on first use in a worker (ddtui.drift loads numpy)."""

    def __init__(self) -> None:
        self._history: ProfileHistory | None = None

    def get(self) -> ProfileHistory:
        if self._history is None:
            from ddtui.drift.history import ProfileHistory

            self._history = ProfileHistory()
        return self._history


class DriftWiring(_AppBase):
    """Drift state and handlers of `DdtuiApp` (which provides what is declared here)."""

    if TYPE_CHECKING:
        metastore: MetastoreReader
        data: DataSettings
        sources: DataSources
        dag_id: str | None
        task_id: str | None
        runs: list[RunSummary]
        detail: RunDetail | None
        structure: DagStructure | None
        outputs: dict[str, OutputRef]

        @property
        def dag_pane(self) -> DagPane: ...
        @property
        def task_pane(self) -> TaskPane: ...
        @property
        def stats_pane(self) -> StatsPane: ...
        def _after_sample(self, work: Callable[[], object]) -> None: ...

    def init_drift(self) -> None:
        self._history = LazyHistory()
        self.baseline_choice = PREVIOUS  # or a run id the user picked with `b`
        self.drift_shown: tuple[str, ...] | None = None
        self.drift_reports: OrderedDict[tuple[str, ...], DriftReport | str] = OrderedDict()
        self.task_health: dict[str, dict[str, TaskHealth]] = {}
        self._health_started: set[tuple[str, str]] = set()
        self._health_running: tuple[str, str] | None = None
        self._health_deferred = False
        self.history_note = ""
        self._history_read = False

    @property
    def drift_sources(self) -> DriftSources:
        return DriftSources(self.metastore, self.sources, self.data, self._history.get)

    # Recording -------------------------------------------------------------------------

    def record_exact_profile(self, profile: TableProfile) -> None:
        """Store the exact profile of the selected task's output in the history (a worker)."""
        if self.structure is None or self.detail is None or self.task_id is None:
            return
        task = self.structure.task(self.task_id)
        if task is None:
            return
        job = drift_workers.record_exact(
            self.drift_sources, self.structure.dag_id, task, self.detail, profile
        )
        workers.start(self, drift_workers.RECORD, job, f"record {self.task_id}")

    # The Drift tab ---------------------------------------------------------------------

    def show_drift(self, *, force: bool = False) -> None:
        """Fill the Drift tab for the selected task and run, when the tab is the active one."""
        pane = self.stats_pane
        if pane.active_tab != "drift":
            return
        view = pane.drift_view
        ref = self.outputs.get(self.task_id or "")
        if self.dag_id is None or self.detail is None or ref is None or not ref.readable:
            self.drift_shown = None
            view.show_message("No output table to compare in this run.")
            return
        key = drift_key(
            self.dag_id, self.task_id or "", self.detail.run.run_id, self.baseline_choice
        )
        if key == self.drift_shown and not force:
            return
        self.drift_shown = key
        cached = None if force else self.drift_reports.get(key)
        if cached is not None:
            self.workers.cancel_group(self, drift_workers.DRIFT)
            self._show_compared(cached)
            return
        baseline = "the previous successful run" if key[3] == PREVIOUS else f"run {key[3]}"
        view.show_message(data_text(f"Comparing run {key[2]} with {baseline}…", "dim"))
        workers.start(
            self, drift_workers.DRIFT, drift_workers.compare_runs(self.drift_sources, key),
            f"compare {key[1]} {key[2]}",
        )  # fmt: skip

    def _show_compared(self, result: DriftReport | str) -> None:
        view = self.stats_pane.drift_view
        if isinstance(result, str):
            view.show_message(
                Text.assemble(
                    ("Nothing to compare with yet. ", "bold"),
                    data_text(result),
                    "\n\n",
                    (NO_BASELINE_HINT, "dim"),
                )
            )
        else:
            view.show_report(result, self.baseline_choice)

    # A handler by name: `@on` is not collected from a mixin that is not a MessagePump.
    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content.id == "stats-tabs":
            self.show_drift()

    def on_drift_compared(self, message: DriftCompared) -> None:
        result: DriftReport | str = (
            message.report if message.report is not None else (message.unavailable)
        )
        self.drift_reports[message.key] = result
        self.drift_reports.move_to_end(message.key)
        while len(self.drift_reports) > DRIFT_CACHE_SIZE:
            self.drift_reports.popitem(last=False)
        if message.key == self.drift_shown:
            self._show_compared(result)

    def action_pick_baseline(self) -> None:
        """Choose the run to compare with (the run shown itself: back to the previous one)."""
        from ddtui.tui.run_picker import RunPicker

        if not self.runs or self.detail is None:
            self.notify("This DAG has no runs.", severity="warning")
            return
        current = self.detail.run.run_id

        def picked(run_id: str | None) -> None:
            if run_id is None:
                return
            self.baseline_choice = PREVIOUS if run_id == current else run_id
            self.stats_pane.show_tab("drift")
            self.show_drift()

        self.push_screen(RunPicker(self.runs, current), picked)

    def drift_worker_failed(self, group: str, reason: str) -> None:
        """A drift worker failed: one line in the pane its work was for."""
        reason = safe_text(reason)
        if group == drift_workers.DRIFT:
            self.stats_pane.drift_view.show_message(Text(f"Could not compare the runs: {reason}"))
            self.drift_shown = None  # the next selection tries again
        elif group == drift_workers.HEALTH:
            self._health_started.discard(self._health_running or ("", ""))  # r tries again
            self.task_pane.show_message(Text(f"Task health not measured: {reason}", style="red"))
        elif group == drift_workers.HISTORY:
            self._history_read = False  # the next DAG list read (r) tries again
            self.dag_pane.show_message(
                Text(f"Badges from the profile history not read: {reason}", style="red")
            )
        elif group == drift_workers.RECORD:
            self.note_history(f"profile not recorded: {reason}")

    # Task health -------------------------------------------------------------------------

    def measure_health(self, *, force: bool = False) -> None:
        """Sparklines and badges for the selected DAG's tasks (once per newest run)."""
        if self.structure is None or not self.runs:
            return
        dag_id = self.structure.dag_id
        known = self.task_health.get(dag_id, {})
        for task_id in self.outputs:
            self.task_pane.set_health(task_id, known.get(task_id))
        started = (dag_id, self.runs[0].run_id)
        if started in self._health_started and not force:
            return
        if self._health_running is not None and any(
            w.group == drift_workers.HEALTH and not w.is_finished for w in self.workers
        ):
            self._health_started.discard(self._health_running)  # cancelled below: redo later
        self._health_started.add(started)
        self._health_running = started
        task_ids = [t for t, ref in self.outputs.items() if ref.found]
        job = drift_workers.measure_health(self.drift_sources, self.structure, self.runs, task_ids)
        workers.start(self, drift_workers.HEALTH, job, f"health of {dag_id}")

    def measure_health_when_idle(self) -> None:
        """Badges once the selected task's profile is in: the table the user asked for
        comes first, and health profiles other tables that would slow it down."""
        profiling = any(w.group == workers.PROFILE and not w.is_finished for w in self.workers)
        self._health_deferred = profiling
        if not profiling:
            self.measure_health()

    def deferred_health_due(self) -> None:
        """The profile ended (shown, failed, or none was needed): measure deferred health."""
        if self._health_deferred:
            self._health_deferred = False
            self.measure_health()

    def badges_from_history(self, dag_ids: list[str]) -> None:
        """Once per session: roll-up badges of DAGs with history entries (nothing profiled)."""
        if self._history_read:
            return
        self._history_read = True
        job = drift_workers.badges_from_history(self.drift_sources, dag_ids)
        label = "badges from the profile history"
        self._after_sample(lambda: workers.start(self, drift_workers.HISTORY, job, label))

    def on_health_measured(self, message: HealthMeasured) -> None:
        from ddtui.drift.health import dag_badge

        tasks = self.task_health.setdefault(message.dag_id, {})
        if message.from_history and message.task_id in tasks:
            return  # the history's view never replaces what this session measured
        tasks[message.task_id] = message.health
        if message.dag_id == self.dag_id:
            self.task_pane.set_health(message.task_id, message.health)
        self.dag_pane.set_badge(message.dag_id, dag_badge(tasks.values()))

    def on_history_noted(self, message: HistoryNoted) -> None:
        self.note_history(message.note)

    def note_history(self, note: str) -> None:
        """The profile history is optional: its problems are a note, once each."""
        if note != self.history_note:
            self.history_note = note
            self.notify(
                safe_text(note),
                title="Profile history",
                severity="warning",
                timeout=6,
                markup=False,  # the note may quote table names from data
            )

    def clear_drift(self) -> None:
        """Forget comparisons and health (refresh reads everything again)."""
        self.drift_reports.clear()
        self._health_started.clear()
        self.drift_shown = None
