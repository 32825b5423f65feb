"""Helpers for Pilot tests: settle the app, read what the panes show."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from ddtui.tui.app import DdtuiApp


async def settle(pilot: Pilot[None], rounds: int = 3) -> None:
    """Let workers finish and their messages be handled (a few rounds: work starts work).

    Failed and cancelled workers count as finished: the app shows their errors itself.
    """
    app = pilot.app
    for _ in range(rounds):
        running = [w for w in app.workers if not w.is_finished]
        await asyncio.gather(*(w.wait() for w in running), return_exceptions=True)
        await pilot.pause()


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 20) -> None:
    """Pause until `condition` holds, for at most `seconds`: what the app starts a refresh or
    two later can come after the workers finished, later still on a loaded machine."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition() and loop.time() < deadline:
        await pilot.pause(0.02)


async def press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def static_text(app: DdtuiApp, selector: str) -> str:
    widget = app.query_one(selector, Static)
    return str(widget.render())


def table_column(table: DataTable, column: str) -> list[str]:
    return [str(table.get_cell(row, column)) for row in table.rows]


def task_ids(app: DdtuiApp) -> list[str]:
    return [row.task.task_id for row in app.main.task_pane.rows]
