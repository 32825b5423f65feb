"""Runs and drift on the main screen: record exact profiles, fill the Drift tab, show task
health. The screen holds one `DriftWiring`; work runs in `drift_workers` jobs.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from rich.text import Text

from ddtui.terminal_text import safe_text
from ddtui.tui import drift_workers
from ddtui.tui.drift_workers import DriftSources
from ddtui.tui.format import data_text
from ddtui.tui.keys import PREVIOUS, DriftKey
from ddtui.tui.stats.drift import NO_BASELINE_HINT

if TYPE_CHECKING:
    from ddtui.drift.health import TaskHealth
    from ddtui.drift.history import ProfileHistory
    from ddtui.drift.report import DriftReport
    from ddtui.profile.models import TableProfile
    from ddtui.tui.messages import DriftCompared, HealthMeasured
    from ddtui.tui.wiring import WiredScreen

DRIFT_CACHE_SIZE = 32


class LazyHistory:
    """The profile history, made on first use in a worker (ddtui.drift loads numpy)."""

    def __init__(self) -> None:
        self._history: ProfileHistory | None = None

    def get(self) -> ProfileHistory:
        if self._history is None:
            from ddtui.drift.history import ProfileHistory

            self._history = ProfileHistory()
        return self._history


class DriftWiring:
    """The Drift tab's comparisons, task health and the history notes of one screen."""

    def __init__(self, screen: WiredScreen) -> None:
        self.screen = screen
        self._history = LazyHistory()
        self.baseline_choice = PREVIOUS  # or a run id the user picked with `b`
        self.shown: DriftKey | None = None
        self.reports: OrderedDict[DriftKey, DriftReport | str] = OrderedDict()
        self.task_health: dict[str, dict[str, TaskHealth]] = {}
        self._health_started: set[tuple[str, str]] = set()
        self._health_running: tuple[str, str] | None = None
        self.history_note = ""
        self._history_read = False

    @property
    def sources(self) -> DriftSources:
        session = self.screen.session
        return DriftSources(session.metastore, session.sources, session.data, self._history.get)

    def forget(self) -> None:
        """Forget comparisons and health (refresh reads everything again)."""
        self.reports.clear()
        self._health_started.clear()
        self.shown = None

    # Recording -------------------------------------------------------------------------

    def record_exact_profile(self, profile: TableProfile) -> None:
        """Store the exact profile of the selected task's output in the history (a worker)."""
        dag, task_id = self.screen.dag, self.screen.selection.task_id
        if dag.structure is None or dag.detail is None or task_id is None:
            return
        task = dag.structure.task(task_id)
        if task is None:
            return
        job = drift_workers.record_exact(
            self.sources, dag.structure.dag_id, task, dag.detail, profile
        )
        self.screen.start(drift_workers.RECORD, job, f"record {task_id}")

    # The Drift tab ---------------------------------------------------------------------

    def show_drift(self, *, force: bool = False) -> None:
        """Fill the Drift tab for the selected task and run, when the tab is the active one."""
        screen = self.screen
        pane = screen.stats_pane
        if pane.active_tab != "drift":
            return
        view = pane.drift_view
        selection, run_id = screen.selection, screen.dag.run_id
        ref = screen.dag.outputs.get(selection.task_id or "")
        if selection.dag_id is None or run_id is None or ref is None or not ref.readable:
            self.shown = None
            view.show_message("No output table to compare in this run.")
            return
        key = DriftKey(selection.dag_id, selection.task_id or "", run_id, self.baseline_choice)
        if key == self.shown and not force:
            return
        self.shown = key
        cached = None if force else self.reports.get(key)
        if cached is not None:
            screen.cancel(drift_workers.DRIFT)
            self._show_compared(cached)
            return
        baseline = (
            "the previous successful run" if key.baseline == PREVIOUS else f"run {key.baseline}"
        )
        view.show_message(data_text(f"Comparing run {key.run_id} with {baseline}…", "dim"))
        job = drift_workers.compare_runs(self.sources, key)
        screen.start(drift_workers.DRIFT, job, f"compare {key.task_id} {key.run_id}")

    def _show_compared(self, result: DriftReport | str) -> None:
        view = self.screen.stats_pane.drift_view
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

    def compared(self, message: DriftCompared) -> None:
        result: DriftReport | str = (
            message.report if message.report is not None else message.unavailable
        )
        self.reports[message.key] = result
        self.reports.move_to_end(message.key)
        while len(self.reports) > DRIFT_CACHE_SIZE:
            self.reports.popitem(last=False)
        if message.key == self.shown:
            self._show_compared(result)

    def pick_baseline(self) -> None:
        """Choose the run to compare with (the run shown itself: back to the previous one)."""
        from ddtui.tui.run_picker import RunPicker

        screen = self.screen
        current = screen.dag.run_id
        if not screen.dag.runs or current is None:
            screen.app.notify("This DAG has no runs.", severity="warning")
            return

        def picked(run_id: str | None) -> None:
            if run_id is None:
                return
            self.baseline_choice = PREVIOUS if run_id == current else run_id
            screen.stats_pane.show_tab("drift")
            self.show_drift()

        screen.app.push_screen(RunPicker(screen.dag.runs, current), picked)

    def worker_failed(self, group: str, reason: str) -> None:
        """A drift worker failed: one line in the pane its work was for."""
        screen = self.screen
        reason = safe_text(reason)
        if group == drift_workers.DRIFT:
            screen.stats_pane.drift_view.show_message(Text(f"Could not compare the runs: {reason}"))
            self.shown = None  # the next selection tries again
        elif group == drift_workers.HEALTH:
            self._health_started.discard(self._health_running or ("", ""))  # r tries again
            screen.task_pane.show_message(Text(f"Task health not measured: {reason}", style="red"))
        elif group == drift_workers.HISTORY:
            self._history_read = False  # the next DAG list read (r) tries again
            screen.dag_pane.show_message(
                Text(f"Badges from the profile history not read: {reason}", style="red")
            )
        elif group == drift_workers.RECORD:
            self.note_history(f"profile not recorded: {reason}")

    # Task health -------------------------------------------------------------------------

    def measure_health(self, *, force: bool = False) -> None:
        """Sparklines and badges for the selected DAG's tasks (once per newest run)."""
        screen = self.screen
        structure, runs, outputs = screen.dag.structure, screen.dag.runs, screen.dag.outputs
        if structure is None or not runs:
            return
        dag_id = structure.dag_id
        known = self.task_health.get(dag_id, {})
        for task_id in outputs:
            screen.task_pane.set_health(task_id, known.get(task_id))
        started = (dag_id, runs[0].run_id)
        if started in self._health_started and not force:
            return
        if self._health_running is not None and screen.running(drift_workers.HEALTH):
            self._health_started.discard(self._health_running)  # cancelled below: redo later
        self._health_started.add(started)
        self._health_running = started
        task_ids = [t for t, ref in outputs.items() if ref.found]
        job = drift_workers.measure_health(self.sources, structure, runs, task_ids)
        screen.start(drift_workers.HEALTH, job, f"health of {dag_id}")

    def badges_from_history(self, dag_ids: list[str]) -> None:
        """Once per session: roll-up badges of DAGs with history entries (nothing profiled)."""
        if self._history_read:
            return
        self._history_read = True
        job = drift_workers.badges_from_history(self.sources, dag_ids)
        label = "badges from the profile history"
        screen = self.screen
        screen.order.after_first_stage(lambda: screen.start(drift_workers.HISTORY, job, label))

    def health_measured(self, message: HealthMeasured) -> None:
        from ddtui.drift.health import dag_badge

        tasks = self.task_health.setdefault(message.dag_id, {})
        if message.from_history and message.task_id in tasks:
            return  # the history's view never replaces what this session measured
        tasks[message.task_id] = message.health
        if message.dag_id == self.screen.selection.dag_id:
            self.screen.task_pane.set_health(message.task_id, message.health)
        self.screen.dag_pane.set_badge(message.dag_id, dag_badge(tasks.values()))

    def note_history(self, note: str) -> None:
        """The profile history is optional: its problems are a note, once each."""
        if note != self.history_note:
            self.history_note = note
            self.screen.app.notify(
                safe_text(note),
                title="Profile history",
                severity="warning",
                timeout=6,
                markup=False,  # the note may quote table names from data
            )
