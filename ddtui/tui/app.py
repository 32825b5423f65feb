"""The ddtui Textual app: styles, theme, global keys, and the main screen it installs.

The main screen (`main_screen.py`) owns the panes, the selection and the background work;
panes only show what they are given and post what the user did; workers (`workers.py`,
`drift_workers.py`) read through the use cases and post what they found.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.screen import Screen

from ddtui.config.settings import DataSettings
from ddtui.metastore import DagSummary, MetastoreReader
from ddtui.outputs.data_sources import DataSources
from ddtui.tui.commands import DagCommands
from ddtui.tui.keys import Selection
from ddtui.tui.main_screen import MainScreen
from ddtui.tui.navigation import sixteen_colour_terminal
from ddtui.tui.prefetch import read_dag_list
from ddtui.tui.state import Session


@functools.cache
def freeze_imported_objects() -> None:
    """Once per process: move what start-up has loaded so far (modules, classes, functions:
    they live as long as the process) out of the garbage collector's sight, so the full
    collections that building the screen triggers walk only the objects it creates."""
    gc.freeze()


class DdtuiApp(App[None]):
    """Airflow DAGs, their tasks and runs, and what each task's output table holds."""

    CSS_PATH = "app.tcss"
    TITLE = "ddtui"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        *App.COMMANDS,
        DagCommands,
    }
    # Textual annotates this one as an instance variable, so no ClassVar here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    # Keys of every screen; the main screen's own come first in the footer (MainScreen).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
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
        approx: bool = False,
        first_dags: Future[list[DagSummary]] | None = None,
    ) -> None:
        """`first_dags`: the DAG list's read, when `ddtui` started it before importing the app
        (`prefetch`); else it starts here."""
        freeze_imported_objects()
        super().__init__()
        if sixteen_colour_terminal(os.environ):
            # The terminal's own palette reads better than truecolor squeezed into 16 colours.
            # Set before the first frame: a theme set once mounted parses all the CSS again.
            self.theme = "ansi-dark"
        self.session = Session(
            metastore,
            data,
            sources or DataSources(),
            clock or (lambda: datetime.now(UTC).astimezone()),
            refresh_seconds,
            approx,
        )
        # The DAG list is read while Textual sets up the screen: the first frame with the
        # tree filled waits for it.
        self.main = MainScreen(
            self.session,
            Selection(dag_id, task_id, run_id),
            first_dags=first_dags or read_dag_list(metastore),
            open_log=open_log,
        )

    def get_default_screen(self) -> Screen[None]:
        return self.main

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from self.main.system_commands()

    def action_help(self) -> None:
        from ddtui.tui.help import HelpScreen

        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        """Stop the workers first: a result arriving while the screen closes has no pane."""
        self.workers.cancel_all()
        self.exit()

    def on_unmount(self) -> None:
        self.session.sources.close()


__all__ = ["DdtuiApp"]
