"""Moving between panes and screens on the main screen: tab order, the tree stepping aside
on narrow screens, the run picker and the graph. The screen holds one `PaneNavigation`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from textual.app import SystemCommand

if TYPE_CHECKING:
    from textual.widget import Widget

    from ddtui.tui.wiring import WiredScreen


def sixteen_colour_terminal(env: Mapping[str, str]) -> bool:
    """A terminal that only has its own 16 colours (Linux console, plain xterm, tmux/screen)."""
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return False
    term = env.get("TERM", "")
    if term in ("", "dumb"):  # not a terminal we draw for: leave Textual's defaults
        return False
    return "256" not in term and "direct" not in term


class PaneNavigation:
    """Pane focus and the screens the main screen opens over itself."""

    def __init__(self, screen: WiredScreen) -> None:
        self.screen = screen

    # Panes and focus ----------------------------------------------------------------

    def _pane_targets(self) -> list[Callable[[], None]]:
        return [self._focus_tree, self._focus_tasks, self.screen.stats_pane.focus_content]

    def _focus_tasks(self) -> None:
        self.screen.task_pane.table.focus()

    def _current_pane(self) -> int:
        screen = self.screen
        focused = screen.focused
        for index, pane in enumerate((screen.dag_pane, screen.task_pane, screen.stats_pane)):
            if focused is not None and (focused is pane or pane in focused.ancestors):
                return index
        return 0

    def step_pane(self, step: int) -> None:
        """Focus the next (1) or previous (-1) pane."""
        targets = self._pane_targets()
        targets[(self._current_pane() + step) % len(targets)]()

    def filter_dags(self) -> None:
        self._expand_tree()
        self.screen.call_after_refresh(self.screen.dag_pane.action_start_filter)

    def _focus_tree(self) -> None:
        self._expand_tree()
        self.screen.call_after_refresh(self.screen.dag_pane.dag_tree.focus)

    def _expand_tree(self) -> None:
        self.screen.dag_pane.remove_class("-collapsed")

    def focus_changed(self, focused: Widget | None) -> None:
        """On narrow terminals the tree makes room once a DAG is chosen."""
        if focused is None:
            return
        dag_pane = self.screen.dag_pane
        in_tree = focused is dag_pane or dag_pane in focused.ancestors
        dag_pane.set_class(not in_tree, "-collapsed")

    def zoom(self) -> None:
        """The focused pane over the whole screen, or back."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        elif screen.focused is not None:
            screen.maximize(screen.focused)

    # Runs, graph, log -----------------------------------------------------------------

    def step_run(self, step: int) -> None:
        """The older (1) or newer (-1) run of the selected DAG."""
        screen = self.screen
        if not screen.dag.runs:
            screen.app.notify("This DAG has no runs.", severity="warning")
            return
        ids = [r.run_id for r in screen.dag.runs]
        current = screen.dag.run_id or ids[0]
        index = ids.index(current) if current in ids else 0
        target = index + step
        if not 0 <= target < len(ids):
            which = "oldest listed" if step > 0 else "newest"
            screen.app.notify(f"This is the {which} run; p lists runs.", timeout=2)
            return
        screen.select_run(ids[target])

    def pick_run(self) -> None:
        from ddtui.tui.run_picker import RunPicker

        screen = self.screen
        if not screen.dag.runs:
            screen.app.notify("This DAG has no runs.", severity="warning")
            return

        def picked(run_id: str | None) -> None:
            if run_id is not None:
                screen.select_run(run_id)

        screen.app.push_screen(RunPicker(screen.dag.runs, screen.dag.run_id), picked)

    def graph(self) -> None:
        from ddtui.tui.graph import GraphScreen

        screen = self.screen
        if screen.dag.structure is None:
            screen.app.notify("Select a DAG first.", severity="warning")
            return

        def picked(task_id: str | None) -> None:
            if task_id is not None:
                screen.select_task(task_id)
                screen.task_pane.table.focus()

        graph = GraphScreen(screen.dag.structure, screen.dag.detail, screen.selection.task_id)
        screen.app.push_screen(graph, picked)

    def open_log(self) -> None:
        """The selected task's log (the latest try of the run on screen)."""
        screen = self.screen
        dag_id, task_id = screen.selection.dag_id, screen.selection.task_id
        if dag_id is None or task_id is None:
            screen.app.notify("Select a task first, then press l for its log.")
            return
        from ddtui.tui.log_screen import LogScreen

        run_id = screen.dag.run_id or screen.selection.pinned_run_id
        screen.app.push_screen(LogScreen(screen.session.metastore, dag_id, task_id, run_id))

    def system_commands(self) -> Iterable[SystemCommand]:
        """The main screen's entries in the command palette."""
        screen = self.screen
        yield SystemCommand(
            "Refresh", "Read DAGs, runs and the open profile again", screen.action_refresh
        )
        yield SystemCommand("Switch run", "Pick another run of this DAG", self.pick_run)
        yield SystemCommand("DAG graph", "Show the DAG as a graph", self.graph)
        yield SystemCommand(
            "Drift baseline", "Compare with another run (Drift tab)", screen.drift.pick_baseline
        )
