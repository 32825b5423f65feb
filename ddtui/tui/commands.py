"""Command palette (ctrl+p): go to a DAG or to a task of the selected DAG."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from ddtui.terminal_text import safe_text
from ddtui.tui.dag_tree import fuzzy_match
from ddtui.tui.format import ID_WIDTH

if TYPE_CHECKING:
    from ddtui.tui.wiring import AppWithMainScreen, WiredScreen


class DagCommands(Provider):
    """`go to DAG <id>` for every DAG, `go to task <id>` for the selected DAG's tasks.

    Ids come from the metastore: titles are terminal-safe and handed to the palette as Text
    and Content, since it would read a str as markup."""

    def _choices(self) -> list[tuple[str, str, object]]:
        screen = cast("AppWithMainScreen", self.app).main
        choices: list[tuple[str, str, object]] = []
        for dag in screen.dag_pane.dags:
            title = f"go to DAG {safe_text(dag.dag_id, ID_WIDTH)}"
            choices.append((title, "Select this DAG", partial(_go_dag, screen, dag.dag_id)))
        structure = screen.dag.structure
        if structure is not None:
            help_text = f"Select this task of {safe_text(structure.dag_id, ID_WIDTH)}"
            for task in structure.tasks:
                title = f"go to task {safe_text(task.task_id, ID_WIDTH)}"
                choices.append((title, help_text, partial(_go_task, screen, task.task_id)))
        return choices

    async def discover(self) -> Hits:
        for title, help_text, callback in self._choices():
            yield DiscoveryHit(Text(title), callback, text=title, help=Content(help_text))  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        for title, help_text, callback in self._choices():
            # Not the palette's matcher: its highlight reads the title as markup.
            score, shown = fuzzy_match(query, title)
            if score > 0:
                yield Hit(score, shown, callback, text=title, help=Content(help_text))  # type: ignore[arg-type]


def _go_dag(screen: WiredScreen, dag_id: str) -> None:
    screen.dag_pane.select_dag(dag_id)
    screen.select_dag(dag_id)
    screen.task_pane.table.focus()


def _go_task(screen: WiredScreen, task_id: str) -> None:
    screen.select_task(task_id)
    screen.task_pane.table.focus()
