"""Hostile DAG ids, task ids, tags, runs, tables, columns and cells in the TUI: what Textual
writes to the terminal holds no control sequence from data, and markup in data stays literal
(issue 11)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hostile_support import (
    CATEGORY_COLUMN,
    DAG_ID,
    FOLDER,
    MARKUP,
    NUMBER_COLUMN,
    OSC_CLIPBOARD,
    RUN_ID,
    TABLE,
    TAG,
    TASK_ID,
    TEXT_COLUMN,
    HostileHome,
    terminal_problems,
)
from textual.command import CommandPalette
from textual.widgets import DataTable, Static, Tree

from ddtui.config.settings import DataSettings
from ddtui.errors import DataSourceError, one_line
from ddtui.metastore import Metastore, open_metastore
from ddtui.terminal_text import is_terminal_safe, safe_text
from ddtui.tui.app import DdtuiApp
from ddtui.tui.column_view import ColumnScreen
from ddtui.tui.errors import error_message
from ddtui.tui.graph import GraphScreen
from ddtui.tui.run_picker import RunPicker
from ddtui.tui.stats.drift import DriftChartScreen
from ddtui.tui.stats.histograms import HistogramGrid
from tui.helpers import press, settle

# What Textual itself writes: SGR colours and absolute cursor moves (row;column H).
TEXTUALS_OWN = re.compile(r"\x1b\[(?:[0-9;]*m|\d+;\d+H)")


@pytest.fixture(scope="module")
def hostile_store(hostile_home: HostileHome) -> Iterator[Metastore]:
    store = open_metastore(hostile_home.metastore_url)
    yield store
    store.close()


@pytest.fixture
def hostile_app(make_app, hostile_home: HostileHome, hostile_store: Metastore):
    def make(**kwargs) -> DdtuiApp:
        data = DataSettings(hostile_home.home.data_url, "--data-url")
        return make_app(metastore=hostile_store, data=data, **kwargs)

    return make


def written(app: DdtuiApp) -> str:
    """The bytes a real terminal gets for the whole screen now: the headless driver writes
    nothing, so ask the screen's compositor for the full update Textual's driver would write."""
    return app.screen._compositor.render_full_update().render_segments(app.console)


def shown(app: DdtuiApp) -> str:
    """The screen as text (Textual's own sequences taken out, a newline per cursor move)."""
    return re.sub(r"\x1b\[\d+;\d+H", "\n", re.sub(r"\x1b\[[0-9;]*m", "", written(app)))


def widget_texts(app: DdtuiApp) -> Iterator[str]:
    """Every label and cell of the screen's tables, trees and static texts, off-screen too."""
    for table in app.screen.query(DataTable):
        yield from (str(column.label) for column in table.columns.values())
        for row in range(table.row_count):
            yield from (str(cell) for cell in table.get_row_at(row))
    for tree in app.screen.query(Tree):
        nodes = [tree.root]
        while nodes:
            node = nodes.pop()
            yield str(node.label)
            nodes.extend(node.children)
    for static in app.screen.query(Static):
        yield str(static.render())


def assert_terminal_safe(app: DdtuiApp) -> str:
    """No control character from data on screen or in any widget; returns the screen text."""
    output = written(app)
    assert terminal_problems(TEXTUALS_OWN.sub("", output), color=False) == []
    assert "\x1b]" not in output and "\x07" not in output
    # Newlines between lines are ddtui's own layout; one inside a name would show as ⏎.
    texts = [text.replace("\n", "") for text in widget_texts(app)]
    unsafe = [text[:60] for text in texts if not is_terminal_safe(text)]
    assert unsafe == []
    return shown(app)


async def test_every_stats_tab_shows_hostile_text_as_glyphs(hostile_app) -> None:
    app = hostile_app(dag_id=DAG_ID, task_id=TASK_ID)
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        assert app.main.stats_pane.profile is not None and app.main.stats_pane.profile.exact
        expected = {
            "describe": [safe_text(TEXT_COLUMN), safe_text(CATEGORY_COLUMN)],
            "histograms": [safe_text(NUMBER_COLUMN)],
            "head-tail": [safe_text(TEXT_COLUMN), "y" * 30 + "…"],
            "drift": ["DRIFT", f"health: constant — {safe_text(CATEGORY_COLUMN)}"],
        }
        for tab, texts in expected.items():
            app.main.stats_pane.show_tab(tab)
            await settle(pilot, rounds=5)
            screen = assert_terminal_safe(app)
            for text in [safe_text(TASK_ID), safe_text(TAG), safe_text(TABLE)[:40], *texts]:
                assert text in screen, (tab, text)
            assert MARKUP in screen  # markup from data is shown as written, never applied


async def test_graph_runs_palette_and_large_charts_are_safe(hostile_app) -> None:
    app = hostile_app(dag_id=DAG_ID, task_id=TASK_ID)
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await press(pilot, "g")
        assert isinstance(app.screen, GraphScreen)
        assert safe_text(TASK_ID)[-10:] in assert_terminal_safe(app)
        assert all(is_terminal_safe(name) for name in app.screen.canvas.names.values())
        await press(pilot, "escape", "p")
        assert isinstance(app.screen, RunPicker)
        assert safe_text(RUN_ID) in assert_terminal_safe(app)
        await press(pilot, "escape", "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await settle(pilot)  # every DAG and task listed before anything is typed
        assert f"go to DAG {safe_text(DAG_ID)}"[:40] in assert_terminal_safe(app)
        await pilot.press(*"go to task clean")
        await settle(pilot)
        assert f"go to task {safe_text(TASK_ID)}" in assert_terminal_safe(app)
        await press(pilot, "escape")
        await press(pilot, "2")
        app.main.stats_pane.focus_content()
        await pilot.pause()
        assert isinstance(app.focused, HistogramGrid)
        await press(pilot, "enter")
        assert isinstance(app.screen, ColumnScreen)
        assert safe_text(TEXT_COLUMN) in assert_terminal_safe(app)
        await press(pilot, "escape", "4")
        await settle(pilot, rounds=5)
        app.main.stats_pane.focus_content()
        await pilot.pause()
        await press(pilot, "enter")
        assert isinstance(app.screen, DriftChartScreen)
        assert_terminal_safe(app)


async def test_folders_and_the_filter_show_hostile_names_safely(hostile_app) -> None:
    app = hostile_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        assert safe_text(DAG_ID)[:20] in assert_terminal_safe(app)
        app.main.dag_pane.action_toggle_grouping()
        await settle(pilot)
        assert safe_text(FOLDER) in assert_terminal_safe(app)
        await press(pilot, "slash", *"evilpwned")
        await settle(pilot)
        screen = assert_terminal_safe(app)
        assert app.main.dag_pane.selected_dag_id == DAG_ID
        assert "asset_outputs" not in screen


def test_error_panes_show_messages_from_data_as_glyphs() -> None:
    error = DataSourceError(f"cannot read {TABLE}: no such table: {TABLE}")
    reason = one_line(error)
    assert is_terminal_safe(reason) and f"no such table: {safe_text(TABLE)}" in reason
    for kind in ("profile", "dag", "unreadable"):
        text = error_message(kind, f"{reason} {OSC_CLIPBOARD}", DAG_ID, error)
        lines = text.plain.split("\n")  # title, reason, hint: the pane's own lines
        assert all(is_terminal_safe(line) for line in lines)
        assert MARKUP in lines[1]


async def test_older_run_line_and_history_note_are_safe(hostile_app) -> None:
    app = hostile_app(dag_id=DAG_ID, task_id=TASK_ID)
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "left_square_bracket")  # the older run, whose id is hostile
        await settle(pilot)
        assert app.main.dag.detail is not None and app.main.dag.detail.run.run_id == RUN_ID
        assert safe_text(RUN_ID) in assert_terminal_safe(app)
        app.main.drift.note_history(f"profile not recorded: {TABLE} is locked")
        await settle(pilot)
        assert "profile not recorded:" in assert_terminal_safe(app)
        toast = str(app.screen.query_one("Toast").render())
        assert f"profile not recorded: {safe_text(TABLE)}" in toast  # markup shown as written
