"""What the main screen's wiring objects use of it, as Protocols.

`ProfileWiring`, `DriftWiring`, `MetastoreReads`, `PaneNavigation`, the column view and the
command palette are handed the main screen and reach its state, panes and workers through
`WiredScreen`; they never import `main_screen` (which imports them), so the tui modules form
no import circle, not even for the type checker. `MainScreen` satisfies it structurally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer
    from textual.widget import Widget

    from ddtui.profile.models import TableProfile
    from ddtui.tui.dag_tree import DagPane
    from ddtui.tui.header import InfoBar
    from ddtui.tui.keys import Selection
    from ddtui.tui.messages import DagsLoaded
    from ddtui.tui.scheduling import SelectedTableFirst
    from ddtui.tui.state import LoadedDag, Session
    from ddtui.tui.stats import StatsPane
    from ddtui.tui.task_list import TaskPane
    from ddtui.tui.workers import Job


class DriftActions(Protocol):
    """What the other wiring objects ask of the drift wiring."""

    def record_exact_profile(self, profile: TableProfile) -> None: ...

    def pick_baseline(self) -> None: ...


class WiredScreen(Protocol):
    """The main screen as its wiring objects see it: the selection and what was read for it,
    the panes, the background work, and the Textual screen calls they make."""

    session: Session
    selection: Selection
    dag: LoadedDag
    order: SelectedTableFirst
    info_bar: InfoBar
    dag_pane: DagPane
    task_pane: TaskPane
    stats_pane: StatsPane

    @property
    def drift(self) -> DriftActions: ...

    # Textual's Screen.
    @property
    def app(self) -> App[Any]: ...

    @property
    def focused(self) -> Widget | None: ...

    @property
    def maximized(self) -> Widget | None: ...

    def maximize(self, widget: Widget, container: bool = True) -> bool: ...

    def minimize(self) -> None: ...

    def set_timer(self, delay: float, callback: Callable[[], Any]) -> Timer: ...

    def call_after_refresh(
        self, callback: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> bool: ...

    # The main screen's own.
    def start(self, group: str, job: Job, description: str = "") -> None: ...

    def running(self, group: str) -> bool: ...

    def cancel(self, group: str) -> None: ...

    def select_dag(self, dag_id: str) -> None: ...

    def show_dags(self, message: DagsLoaded) -> None: ...

    def select_task(self, task_id: str) -> None: ...

    def select_run(self, run_id: str | None) -> None: ...

    def action_refresh(self) -> None: ...


class AppWithMainScreen(Protocol):
    """The app as the command palette sees it: where its main screen is."""

    @property
    def main(self) -> WiredScreen: ...
