"""Failures show in the pane they concern, the app stays usable, `r` recovers."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ddtui.config.settings import DataSettings
from ddtui.tui.header import InfoBar
from tui.fakes import ControlledMetastore
from tui.helpers import press, settle, static_text


def screen_text(app) -> str:
    return app.export_screenshot()


@pytest.mark.expect_worker_error("connection refused")
async def test_metastore_down_at_start_then_back(make_app, metastore) -> None:
    store = ControlledMetastore(metastore)
    store.fail = "connection refused"
    app = make_app(metastore=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        message = static_text(app, "#dag-message")
        assert "Could not read the DAG list" in message
        assert "connection refused" in message and "press r" in message
        store.fail = None
        await press(pilot, "r")
        assert app.main.dag_pane.dags
        assert not app.query_one("#dag-message").display


@pytest.mark.expect_worker_error("server closed the connection unexpectedly")
async def test_metastore_lost_during_refresh_keeps_what_is_shown(make_app, metastore) -> None:
    store = ControlledMetastore(metastore)
    app = make_app(dag_id="titanic", task_id="clean", metastore=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        store.fail = "server closed the connection unexpectedly"
        await press(pilot, "r")
        assert "metastore not answering since 12:00:00" in app.query_one(InfoBar).plain
        assert "server closed the connection" in static_text(app, "#task-message")
        assert app.main.task_pane.rows and app.main.dag_pane.dags  # still usable
        await press(pilot, "j")
        assert app.main.task_pane.selected_task_id == "features"
        store.fail = None
        await press(pilot, "r")
        assert "refreshed" in app.query_one(InfoBar).plain
        assert not app.query_one("#task-message").display


@pytest.mark.expect_worker_error("table 'titanic_clean' not found")
async def test_output_table_dropped_then_restored(make_app, airflow_home, tmp_path: Path) -> None:
    data_file = tmp_path / "data.db"
    shutil.copy(airflow_home.data_url.removeprefix("sqlite:///"), data_file)
    app = make_app(
        dag_id="titanic", task_id="clean", data=DataSettings(f"sqlite:///{data_file}", "--data-url")
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.stats_pane.profile is not None
        with sqlite3.connect(data_file) as db:
            db.execute("ALTER TABLE titanic_clean RENAME TO titanic_clean_moved")
        await press(pilot, "r")
        message = static_text(app, "#stats-message")
        assert "Could not read the output table" in message
        assert "press r" in message.lower()
        assert app.main.stats_pane.profile is None
        assert "Traceback" not in screen_text(app)
        with sqlite3.connect(data_file) as db:
            db.execute("ALTER TABLE titanic_clean_moved RENAME TO titanic_clean")
        await press(pilot, "r")
        assert app.main.stats_pane.profile is not None
        assert app.query_one("#stats-tabs").display


@pytest.mark.expect_worker_error("SQLite database not found")
async def test_data_source_unreachable_shows_in_the_stats_pane(make_app, tmp_path: Path) -> None:
    missing = DataSettings(f"sqlite:///{tmp_path}/gone/data.db", "--data-url")
    app = make_app(dag_id="titanic", task_id="clean", data=missing)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        message = static_text(app, "#stats-message")
        assert "Could not read the output table" in message
        assert "not found" in message
        assert str(app.main.task_pane.table.get_cell("clean", "rows")) == "?"
        await press(pilot, "j")  # the app stays usable
        assert app.main.task_pane.selected_task_id == "features"


async def test_no_data_source_configured_explains_how_to_set_one(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="clean", data=DataSettings(None, ""))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        message = static_text(app, "#stats-message")
        assert "--data-url" in message
        assert "titanic_clean" in static_text(app, "#stats-title")
