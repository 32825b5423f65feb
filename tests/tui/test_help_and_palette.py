"""Help lists every binding; the command palette offers go to DAG / task, run, refresh."""

from __future__ import annotations

import re

from textual.command import CommandPalette

from ddtui.tui.app import DdtuiApp
from ddtui.tui.commands import DagCommands
from ddtui.tui.help import SECTIONS, HelpScreen
from ddtui.tui.main_screen import MainScreen
from ddtui.tui.navigation import sixteen_colour_terminal
from tui.helpers import press, settle


def help_rows_for(key: str) -> list[str]:
    """Help's rows that list `key` as a whole key ("tab / shift+tab" lists tab and shift+tab)."""
    rows = [(keys, what) for _title, section in SECTIONS for keys, what in section]
    return [
        f"{keys} {what}".lower() for keys, what in rows if key in keys.replace(" / ", "  ").split()
    ]


def test_help_names_every_main_screen_and_app_binding() -> None:
    # A whole key (not the l in "click"), in a row that says what the binding does (not
    # the l of "h j k l" in the charts).
    for binding in [*MainScreen.BINDINGS, *DdtuiApp.BINDINGS]:
        display = binding.key_display or binding.key.split(",")[0]
        display = {"question_mark": "?"}.get(display, display)
        words = [w.rstrip("s") for w in re.findall(r"[a-z]{3,}", binding.description.lower())]
        rows = help_rows_for(display)
        assert any(all(w in row for w in words) for row in rows), (
            f"{binding.key} ({binding.description}) missing from help: {rows}"
        )


async def test_question_mark_opens_help_and_escape_closes_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_goes_to_a_dag_and_to_a_task(make_app) -> None:
    app = make_app(dag_id="titanic")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"go to DAG groups")
        await settle(pilot)
        await press(pilot, "enter")
        assert app.main.selection.dag_id == "groups_mapped"
        assert app.main.dag_pane.selected_dag_id == "groups_mapped"
        await press(pilot, "ctrl+p", *"task check_nulls", "enter")
        assert app.main.selection.task_id == "prepare.validate.check_nulls"


async def test_palette_offers_switch_run_and_refresh(make_app) -> None:
    app = make_app(dag_id="titanic")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Refresh", "Switch run"} <= set(titles)
        provider = DagCommands(app.screen)
        hits = [hit async for hit in provider.discover()]
        assert any("go to DAG titanic" in str(hit.display) for hit in hits)
        assert any("go to task score" in str(hit.display) for hit in hits)


def test_sixteen_colour_terminals_get_the_ansi_theme() -> None:
    assert sixteen_colour_terminal({"TERM": "linux"})
    assert sixteen_colour_terminal({"TERM": "screen"})
    assert not sixteen_colour_terminal({"TERM": "xterm-256color"})
    assert not sixteen_colour_terminal({"TERM": "xterm", "COLORTERM": "truecolor"})
    assert not sixteen_colour_terminal({"TERM": "dumb"})


async def test_ansi_theme_on_a_linux_console(make_app, monkeypatch) -> None:
    monkeypatch.setenv("TERM", "linux")
    monkeypatch.delenv("COLORTERM", raising=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "ansi-dark"
