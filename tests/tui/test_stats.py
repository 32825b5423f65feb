"""The stats pane: describe, histograms (small multiples, large chart), head/tail, stages."""

from __future__ import annotations

import threading

from textual.widgets import TabbedContent

from ddtui.profile import profile_stages
from ddtui.tui import backend
from ddtui.tui.column_view import ColumnScreen
from ddtui.tui.main_screen import MainScreen
from ddtui.tui.stats.histograms import ColumnChart, HistogramGrid
from ddtui.tui.task_list import TaskTable
from tui.helpers import press, settle, static_text, table_column, wait_for


async def test_describe_lists_every_column_with_missing_and_distinct(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        profile = app.main.stats_pane.profile
        assert profile is not None and profile.exact
        table = app.query_one("#describe-table")
        assert table_column(table, "column") == [c.name for c in profile.columns]
        age = profile.column("age")
        assert age is not None and age.missing > 0
        assert f"{age.missing_pct:.1f}" in str(table.get_cell("age", "missing_pct"))
        assert "exact profile" in static_text(app, "#stats-title")
        assert "rows" in static_text(app, "#stats-title")


async def test_row_counts_fill_the_task_list(make_app) -> None:
    app = make_app(dag_id="titanic")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = app.main.task_pane.table.get_cell("load", "rows")
        assert str(rows).replace(" ", "") == "891"
        assert "titanic_raw" in str(app.main.task_pane.table.get_cell("load", "output"))
        assert "xcom" in str(app.main.task_pane.table.get_cell("load", "output"))


async def test_the_selected_table_comes_before_other_row_counts(make_app, monkeypatch) -> None:
    # Counting the other tasks' tables would compete with the profile the user asked for:
    # the counts start once its first stage is on screen, and then all of them arrive.
    handled: list[str] = []
    for name, label in (("on_rows_counted", "rows"), ("on_profile_loaded", "profile")):
        handler = getattr(MainScreen, name)

        def noted(screen, message, handler=handler, label=label):
            handled.append(label)
            return handler(screen, message)

        monkeypatch.setattr(MainScreen, name, noted)
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert handled[0] == "profile" and "rows" in handled
        rows = app.main.task_pane.table.get_cell("load", "rows")
        assert str(rows).replace(" ", "") == "891"


async def test_number_keys_switch_tabs(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tabs = app.query_one(TabbedContent)
        await press(pilot, "2")
        assert tabs.active == "histograms"
        await press(pilot, "3")
        assert tabs.active == "head-tail"
        head_tail = app.query_one("#head-tail-table")
        assert head_tail.row_count >= 10  # five first rows, a gap line, five last rows
        await press(pilot, "1")
        assert tabs.active == "describe"


async def test_histograms_scroll_and_enter_opens_the_column(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "tab")
        grid = app.query_one(HistogramGrid)
        assert app.focused is grid
        charts = list(grid.query(ColumnChart))
        assert len(charts) == len(app.main.stats_pane.profile.columns)
        await press(pilot, "right", "down")
        assert grid.cursor == 1 + grid.per_row
        await press(pilot, "enter")
        assert isinstance(app.screen, ColumnScreen)
        assert app.screen.column.name == app.main.stats_pane.profile.columns[grid.cursor].name
        await press(pilot, "escape")
        assert not isinstance(app.screen, ColumnScreen)


async def test_task_without_output_explains_why(make_app) -> None:
    app = make_app(dag_id="no_outputs")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.selection.task_id is not None
        message = str(app.query_one("#stats-message").render())
        assert "No output table found" in message
        assert app.main.stats_pane.profile is None


async def test_sample_shows_first_and_keys_work_while_exact_computes(make_app, monkeypatch) -> None:
    """The UI never blocks: a slow exact profile does not stop the cursor."""
    release = threading.Event()
    abandoned: list[str] = []

    def slow(
        engine, table, schema=None, *, progress=None, cancelled=None, partition=None, approx=False
    ):
        # A sample of 100 rows makes the real profiler yield a sample profile first.
        stages = profile_stages(
            engine, table, schema, sample_rows=100, progress=progress, cancelled=cancelled,
            partition=partition,
        )  # fmt: skip
        yield next(stages)  # schema
        yield next(stages)  # sample
        if progress is not None:
            for done in range(1, 50):
                progress(done, 100)  # many updates: they replace each other
        while not release.wait(0.01):
            if cancelled is not None and cancelled():
                abandoned.append(table)
                return
        yield from stages

    monkeypatch.setattr(backend, "profile_stages", slow)
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.main.stats_pane.profile is not None)
        assert app.main.stats_pane.profile is not None and not app.main.stats_pane.profile.exact
        assert "sample of" in static_text(app, "#stats-title")
        assert app.query_one("#stats-progress").display
        assert isinstance(app.focused, TaskTable)
        await pilot.press("j")  # handled while the profile worker is busy
        await pilot.pause()
        assert app.main.task_pane.selected_task_id == "features"
        release.set()
        await settle(pilot)
        assert "titanic_clean" in abandoned  # moving the cursor cancelled the stale profile
        assert app.main.stats_pane.profile is not None and app.main.stats_pane.profile.exact
        assert app.main.stats_pane.profile.table == "titanic_features"
        assert not app.query_one("#stats-progress").display


async def test_arrow_keys_reach_the_columns_right_of_the_pane(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "tab")
        table = app.query_one("#describe-table")
        assert app.focused is table
        assert table.max_scroll_x > 0  # Max, Top and Freq are off to the right at 80 columns
        for _ in range(10):
            await pilot.press("right")
        await pilot.pause()
        assert table.scroll_x > 0
