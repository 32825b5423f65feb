"""Moving between panes and screens: tab order, the tree stepping aside on narrow
screens, zoom, tabs, and the run picker, graph and help screens.

A mixin of `DdtuiApp`, kept apart so the app module stays about selection and data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.app import App

    from ddtui.metastore import DagStructure, RunDetail, RunSummary
    from ddtui.tui.dag_tree import DagPane
    from ddtui.tui.stats import StatsPane
    from ddtui.tui.task_list import TaskPane


def sixteen_colour_terminal(env: Mapping[str, str]) -> bool:
    """A terminal that only has its own 16 colours (Linux console, plain xterm, tmux/screen)."""
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return False
    term = env.get("TERM", "")
    if term in ("", "dumb"):  # not a terminal we draw for: leave Textual's defaults
        return False
    return "256" not in term and "direct" not in term


if TYPE_CHECKING:
    _AppBase = App[None]
else:
    _AppBase = object


class PaneNavigation(_AppBase):
    """Pane focus and screen actions of `DdtuiApp` (which provides what is declared here)."""

    if TYPE_CHECKING:
        runs: list[RunSummary]
        detail: RunDetail | None
        structure: DagStructure | None
        task_id: str | None

        @property
        def dag_pane(self) -> DagPane: ...
        @property
        def task_pane(self) -> TaskPane: ...
        @property
        def stats_pane(self) -> StatsPane: ...
        def select_run(self, run_id: str | None) -> None: ...
        def action_refresh(self) -> None: ...
        def action_pick_baseline(self) -> None: ...
        def select_task(self, task_id: str) -> None: ...

        def call_after_refresh(self, callback: Callable[..., object], *args: object) -> bool: ...

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Pane actions only on the main screen (not under the graph, help or run picker)."""
        if action in ("quit", "help", "command_palette"):
            return True
        return len(self.screen_stack) == 1

    def action_filter(self) -> None:
        self._expand_tree()
        self.call_after_refresh(self.dag_pane.action_start_filter)

    def action_toggle_grouping(self) -> None:
        self.dag_pane.action_toggle_grouping()

    def action_show_tab(self, tab_id: str) -> None:
        self.stats_pane.show_tab(tab_id)

    def action_zoom(self) -> None:
        if self.screen.maximized is not None:
            self.screen.minimize()
        elif self.screen.focused is not None:
            self.screen.maximize(self.screen.focused)

    # Command palette ----------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Refresh", "Read DAGs, runs and the open profile again", self.action_refresh
        )
        yield SystemCommand("Switch run", "Pick another run of this DAG", self.action_pick_run)
        yield SystemCommand("DAG graph", "Show the DAG as a graph", self.action_graph)
        yield SystemCommand(
            "Drift baseline", "Compare with another run (Drift tab)", self.action_pick_baseline
        )

    # Runs, graph, help --------------------------------------------------------------

    def action_step_run(self, step: int) -> None:
        if not self.runs:
            self.notify("This DAG has no runs.", severity="warning")
            return
        ids = [r.run_id for r in self.runs]
        current = self.detail.run.run_id if self.detail else ids[0]
        index = ids.index(current) if current in ids else 0
        target = index + step
        if not 0 <= target < len(ids):
            which = "oldest listed" if step > 0 else "newest"
            self.notify(f"This is the {which} run; p lists runs.", timeout=2)
            return
        self.select_run(ids[target])

    def action_pick_run(self) -> None:
        from ddtui.tui.run_picker import RunPicker

        if not self.runs:
            self.notify("This DAG has no runs.", severity="warning")
            return
        current = self.detail.run.run_id if self.detail else None

        def picked(run_id: str | None) -> None:
            if run_id is not None:
                self.select_run(run_id)

        self.push_screen(RunPicker(self.runs, current), picked)

    def action_graph(self) -> None:
        from ddtui.tui.graph import GraphScreen

        if self.structure is None:
            self.notify("Select a DAG first.", severity="warning")
            return

        def picked(task_id: str | None) -> None:
            if task_id is not None:
                self.select_task(task_id)
                self.task_pane.table.focus()

        self.push_screen(GraphScreen(self.structure, self.detail, self.task_id), picked)

    def action_help(self) -> None:
        from ddtui.tui.help import HelpScreen

        self.push_screen(HelpScreen())

    # Panes and focus ----------------------------------------------------------------

    def _pane_targets(self) -> list[Callable[[], None]]:
        return [self._focus_tree, self._focus_tasks, self.stats_pane.focus_content]

    def _focus_tasks(self) -> None:
        self.task_pane.table.focus()

    def _current_pane(self) -> int:
        focused = self.screen.focused
        for index, pane in enumerate((self.dag_pane, self.task_pane, self.stats_pane)):
            if focused is not None and (focused is pane or pane in focused.ancestors):
                return index
        return 0

    def action_next_pane(self) -> None:
        targets = self._pane_targets()
        targets[(self._current_pane() + 1) % len(targets)]()

    def action_previous_pane(self) -> None:
        targets = self._pane_targets()
        targets[(self._current_pane() - 1) % len(targets)]()

    def _focus_tree(self) -> None:
        self._expand_tree()
        self.call_after_refresh(self.dag_pane.dag_tree.focus)

    def _expand_tree(self) -> None:
        self.dag_pane.remove_class("-collapsed")

    def on_resize(self) -> None:
        self.call_after_refresh(self.task_pane.fit_height)

    def _focus_changed(self, focused: Widget | None) -> None:
        """On narrow terminals the tree makes room once a DAG is chosen."""
        if focused is None:
            return
        in_tree = focused is self.dag_pane or self.dag_pane in focused.ancestors
        self.dag_pane.set_class(not in_tree, "-collapsed")
