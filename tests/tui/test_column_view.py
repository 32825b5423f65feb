"""The column view on the real test home: opened with `enter`, closed with `escape` where it
was, the column's history as sparklines, and the hand-off keys `y` and `Y`."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from rich.console import Console
from textual.widgets import Static

from ddtui.drift.history import HistoryKey, ProfileHistory
from ddtui.outputs.resolve import OutputRef
from ddtui.render.column_view import statistics
from ddtui.tui.column_view import ColumnScreen
from ddtui.tui.stats.describe import DescribeTable
from ddtui.usecases.handoff import PASSWORD_ENV, deep_link, pandas_snippet
from tui.helpers import press, settle


def rendered(renderable: object) -> str:
    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def screen_text(app) -> str:
    """What the column view's texts and tables say (each rendered 200 cells wide)."""
    return "\n".join(rendered(w.content) for w in app.screen.query(Static) if w.display)


def on_screen(app) -> str:
    """The screen as a terminal would show it now (colours and cursor moves taken out)."""
    written = app.screen._compositor.render_full_update().render_segments(app.console)
    return re.sub(r"\x1b\[\d+;\d+H", "\n", re.sub(r"\x1b\[[0-9;]*m", "", written))


async def open_describe(pilot, app) -> DescribeTable:
    await settle(pilot)
    table = app.query_one(DescribeTable)
    app.main.stats_pane.focus_content()
    await pilot.pause()
    assert app.focused is table
    return table


async def test_enter_opens_the_column_and_escape_returns_where_it_was(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_describe(pilot, app)
        profile = app.main.stats_pane.profile
        names = [c.name for c in profile.columns]
        await press(pilot, "down", "down")
        assert table.cursor_row == 2
        await press(pilot, "enter")
        assert isinstance(app.screen, ColumnScreen)
        column = profile.columns[2]
        assert app.screen.column.name == column.name == names[2]
        shown = screen_text(app)
        assert re.search(rf"^ *count +{column.count:,}", shown, re.M)
        assert re.search(rf"^ *distinct +{column.distinct:,}", shown, re.M)
        assert "Top values" in shown
        await press(pilot, "escape")
        assert not isinstance(app.screen, ColumnScreen)
        assert app.focused is table and table.cursor_row == 2


async def test_numbers_show_quantiles_and_every_value(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_describe(pilot, app)
        names = [c.name for c in app.main.stats_pane.profile.columns]
        table.move_cursor(row=names.index("pclass"))
        await press(pilot, "enter")
        shown = screen_text(app)
        assert "Quantiles" in shown
        frame = pd.read_sql_table("titanic_clean", sa.create_engine(app.main.session.data.url))
        for value, count in frame["pclass"].value_counts().items():
            assert f"{count:,}" in shown, value
        assert "one bar per value" in str(app.screen.query_one(".large-chart").render())


async def test_history_sparklines(make_app, profile_history: Path) -> None:
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_describe(pilot, app)
        profile = app.main.stats_pane.profile
        history = ProfileHistory(profile_history)
        start = datetime(2024, 1, 1, tzinfo=UTC)
        for day, missing in enumerate([0, 40, 120]):
            age = replace(profile.column("age"), missing=missing)
            older = replace(
                profile, columns=[age if c.name == "age" else c for c in profile.columns]
            )
            key = HistoryKey(
                app.main.session.metastore.masked_url,
                "titanic",
                "clean",
                f"old_{day}",
                "titanic_clean",
            )
            history.record(key, older, run_after=start + timedelta(days=day))
        names = [c.name for c in profile.columns]
        app.query_one(DescribeTable).move_cursor(row=names.index("age"))
        await press(pilot, "enter")
        await settle(pilot)
        shown = rendered(app.screen.query_one("#column-history", Static).content)
        assert "History of 4 recorded runs" in shown and "missing %" in shown and "mean" in shown
        assert "▁" in shown and "█" in shown  # the missing share rose over the runs


async def test_y_copies_the_deep_link_and_shows_it(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_describe(pilot, app)
        run_id = app.main.dag.run_id
        await press(pilot, "enter", "y")
        link = deep_link("titanic", "clean", run_id)
        assert app.clipboard == link
        assert link in rendered(app.screen.query_one("#column-handoff", Static).content)
        await press(pilot, "Y")
        assert "pd.read_sql_table('titanic_clean'" in app.clipboard
        assert "titanic_clean" in rendered(app.screen.query_one("#column-handoff", Static).content)


def test_deep_link_quotes_for_the_shell() -> None:
    assert deep_link("d", "t", "manual__2024-01-01T00:00:00+00:00") == (
        "ddtui --dag d --task t --run manual__2024-01-01T00:00:00+00:00"
    )
    assert deep_link("my dag", "t;rm -rf ~") == "ddtui --dag 'my dag' --task 't;rm -rf ~'"


def test_snippet_reads_the_password_from_the_environment(
    postgres_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pd.DataFrame({"x": [1, 2, 3], "ds": ["a", "b", "a"]})
    frame.to_sql("charts_snippet", postgres_engine, index=False, if_exists="replace")
    url = postgres_engine.url.set(password="s3cret-not-shown")
    ref = OutputRef("charts_snippet", None, None, url.render_as_string(hide_password=False), "", "")
    snippet = pandas_snippet(ref)
    assert "s3cret" not in snippet and f"os.environ[{PASSWORD_ENV!r}]" in snippet
    monkeypatch.setenv(PASSWORD_ENV, "s3cret-not-shown")  # trust authentication ignores it
    scope: dict[str, object] = {}
    exec(snippet, scope)
    pd.testing.assert_frame_equal(scope["frame"], frame)  # type: ignore[arg-type]


async def test_every_statistic_can_be_scrolled_to_at_80x24(make_app) -> None:
    # At 80x24 the statistics list is taller than its room: it scrolls rather than cut.
    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_describe(pilot, app)
        names = [c.name for c in app.main.stats_pane.profile.columns]
        table.move_cursor(row=names.index("fare"))
        await press(pilot, "enter")
        stats = app.screen.query_one("#column-stats")
        assert stats.max_scroll_y > 0, "the statistics fit: this size no longer tests scrolling"
        last_label = statistics(app.screen.column)[-1][0]
        assert not re.search(rf"\b{re.escape(last_label)}\b", on_screen(app))
        stats.focus()
        await press(pilot, "end")
        assert stats.scroll_y == stats.max_scroll_y
        await pilot.pause()
        last_label = statistics(app.screen.column)[-1][0]
        assert re.search(rf"\b{re.escape(last_label)}\b", on_screen(app))
