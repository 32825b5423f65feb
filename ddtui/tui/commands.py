"""Command palette (ctrl+p): go to a DAG or to a task of the selected DAG."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from ddtui.tui.app import DdtuiApp


class DagCommands(Provider):
    """`go to DAG <id>` for every DAG, `go to task <id>` for the selected DAG's tasks."""

    def _choices(self) -> list[tuple[str, str, object]]:
        app = cast("DdtuiApp", self.app)
        choices: list[tuple[str, str, object]] = []
        for dag in app.dag_pane.dags:
            choices.append(
                (f"go to DAG {dag.dag_id}", "Select this DAG", partial(_go_dag, app, dag.dag_id))
            )
        if app.structure is not None:
            for task in app.structure.tasks:
                help_text = f"Select this task of {app.structure.dag_id}"
                choices.append(
                    (f"go to task {task.task_id}", help_text, partial(_go_task, app, task.task_id))
                )
        return choices

    async def discover(self) -> Hits:
        for title, help_text, callback in self._choices():
            yield DiscoveryHit(title, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._choices():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)  # type: ignore[arg-type]


def _go_dag(app: DdtuiApp, dag_id: str) -> None:
    app.dag_pane.select_dag(dag_id)
    app.select_dag(dag_id)
    app.task_pane.table.focus()


def _go_task(app: DdtuiApp, task_id: str) -> None:
    app.select_task(task_id)
    app.task_pane.table.focus()
