"""The log screen on logs a real scheduler wrote: `l`, `--log`, tries, errors, search, follow."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from task_logs_support import TaskLogsHome
from textual.widgets import Static

from ddtui.config.settings import DataSettings
from ddtui.logs.parse import parse_line
from ddtui.metastore import open_metastore
from ddtui.terminal_text import safe_text
from ddtui.tui import log_screen, log_workers
from ddtui.tui.app import DdtuiApp
from ddtui.tui.log_screen import LogScreen
from tui.helpers import press, settle


@pytest.fixture
def logs_env(task_logs_home: TaskLogsHome, monkeypatch: pytest.MonkeyPatch) -> TaskLogsHome:
    """The log settings the screen reads (AIRFLOW_HOME's airflow.cfg) point at that home."""
    import os

    for name in list(os.environ):
        if name.startswith("AIRFLOW__"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AIRFLOW_HOME", str(task_logs_home.home))
    return task_logs_home


def make_logs_app(home: TaskLogsHome, metastore_url: str | None = None, **kwargs: Any) -> DdtuiApp:
    store = open_metastore(metastore_url or home.metastore_url)
    kwargs.setdefault("dag_id", "task_logs")
    return DdtuiApp(store, DataSettings(None, ""), refresh_seconds=0, **kwargs)


def shown(app: DdtuiApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, LogScreen)
    return [row.text.plain for row in screen.view.rows]


def static_text(app: DdtuiApp, selector: str) -> str:
    """What a Static of the log screen shows."""
    return str(app.screen.query_one(selector, Static).render())


def last_record(log_folder: Path) -> str:
    """The message of the chatty task's last log line, as the screen shows it.

    Airflow interleaves the task's prints and its own records as they arrive, so which
    line comes last differs from one real run to the next.
    """
    path = next(log_folder.rglob("task_id=chatty/attempt=1.log"))
    last = path.read_text(encoding="utf-8").rstrip("\n").rsplit("\n", 1)[-1]
    return safe_text(parse_line(last).message)


def highlighted(app: DdtuiApp) -> str:
    view = app.screen.view  # type: ignore[attr-defined]
    assert view.highlighted is not None
    return view.rows[view.highlighted].text.plain


async def test_log_deep_link_opens_the_end_of_the_latest_try(logs_env: TaskLogsHome) -> None:
    app = make_logs_app(logs_env, task_id="explode", open_log=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
        assert "task_logs.explode try 1/1 (failed)" in static_text(app, "#log-title")
        lines = shown(app)
        assert lines[-1].endswith("INFO     ::endgroup::")
        assert app.screen.view.at_bottom
        assert static_text(app, "#log-status").startswith("all of ")
        failed = next(i for i, line in enumerate(lines) if "Task failed with exception" in line)
        assert lines[failed + 1] == "Traceback (most recent call last):"
        assert lines[failed - 1].endswith("WARNING  the scores file looks empty")


async def test_l_opens_the_selected_task_log_and_esc_goes_back(logs_env: TaskLogsHome) -> None:
    app = make_logs_app(logs_env, task_id="chatty")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "l")
        assert isinstance(app.screen, LogScreen)
        lines = shown(app)
        assert any("INFO     ␛]0;pwned␇ a title escape" in line for line in lines)
        assert not any("\x1b" in line or "\x07" in line for line in lines)
        await press(pilot, "escape")
        assert not isinstance(app.screen, LogScreen)
        assert app.main.task_pane.selected_task_id == "chatty"


async def test_e_jumps_to_the_first_error(logs_env: TaskLogsHome) -> None:
    app = make_logs_app(logs_env, task_id="explode", open_log=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        assert highlighted(app).endswith("ERROR    Task failed with exception")


async def test_brackets_switch_between_tries(logs_env: TaskLogsHome) -> None:
    app = make_logs_app(logs_env, task_id="flaky", open_log=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "try 2/2 (success)" in static_text(app, "#log-title")
        assert not any("warehouse did not answer" in line for line in shown(app))
        await press(pilot, "left_square_bracket")
        assert "try 1/2 (failed)" in static_text(app, "#log-title")
        assert "RuntimeError: the warehouse did not answer; retrying" in shown(app)
        await press(pilot, "left_square_bracket")
        assert "no older try" in static_text(app, "#log-status")
        await press(pilot, "right_square_bracket")
        assert "try 2/2 (success)" in static_text(app, "#log-title")


async def test_search_next_and_previous(logs_env: TaskLogsHome) -> None:
    app = make_logs_app(logs_env, task_id="chatty", open_log=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "g", "slash", *"line 10", "enter")
        assert "progress line 10: " in highlighted(app)
        await press(pilot, "n")
        assert "progress line 100: " in highlighted(app)
        await press(pilot, "N")
        assert "progress line 10: " in highlighted(app)
        await press(pilot, "slash", *"no such words", "enter")
        assert "not found below" in static_text(app, "#log-status")


async def test_a_long_log_is_read_a_window_at_a_time(
    logs_env: TaskLogsHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_workers, "WINDOW_BYTES", 32 * 1024)
    app = make_logs_app(logs_env, task_id="chatty", open_log=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LogScreen)
        first_window = len(screen.view.rows)
        assert 100 < first_window < 600 and screen.window[0] > 0
        assert "(g start, G end)" in static_text(app, "#log-status")  # says it is a part
        top_line = shown(app)[0]
        screen.view.scroll_home(animate=False)  # reaching the top reads the window before
        await settle(pilot)
        assert len(screen.view.rows) > first_window
        assert shown(app)[screen.view.first_visible] == top_line  # the view did not jump
        await press(pilot, "g")
        assert screen.window[0] == 0 and shown(app)[0].endswith("::group::Pre Execute")
        await press(pilot, "G")
        assert last_record(logs_env.log_folder) in shown(app)[-1] and screen.view.at_bottom


async def test_a_200_mb_log_opens_on_its_end_with_bounded_memory(
    logs_env: TaskLogsHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "logs"
    shutil.copytree(logs_env.log_folder, folder)
    path = next(folder.rglob("task_id=chatty/attempt=1.log"))
    block = path.read_bytes()
    with path.open("ab") as handle:
        while handle.tell() < 200 * 1024 * 1024:
            handle.write(block)
    monkeypatch.setenv("AIRFLOW__LOGGING__BASE_LOG_FOLDER", str(folder))
    app = make_logs_app(logs_env, task_id="chatty")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tracemalloc.start()
        try:
            await press(pilot, "l")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert last_record(folder) in shown(app)[-1]
        assert len(shown(app)) < 20_000
        assert peak < 40 * 1024 * 1024  # a window of the file, not the file


@pytest.mark.expect_worker_error("no such file")
async def test_missing_log_and_remote_logging_say_so(
    logs_env: TaskLogsHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW__LOGGING__BASE_LOG_FOLDER", str(tmp_path))
    app = make_logs_app(logs_env, task_id="explode", open_log=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = static_text(app, "#log-status")
        assert "cannot read" in status and "no such file" in status
        assert "airflow dags test" in status  # where to look next
        assert "LogUnavailableError" not in status  # a sentence for users, not a class name
        # The whole reason is on screen at 80 columns, not its first 80 characters.
        shown_rows = app.screen.query_one("#log-status", Static).size.height
        assert shown_rows * 78 >= len(status)
        monkeypatch.setenv("AIRFLOW__LOGGING__REMOTE_LOGGING", "True")
        monkeypatch.setenv("AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER", "gs://ml-logs/af")
        await press(pilot, "escape", "l")
        status = static_text(app, "#log-status")
        assert "remote logging is on" in status and "gs://ml-logs/af" in status


async def test_follow_shows_what_a_running_try_appends(
    logs_env: TaskLogsHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy of the home's metastore where chatty still runs, and a copy of its log.
    database = tmp_path / "airflow.db"
    shutil.copy(logs_env.home / "airflow.db", database)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE task_instance SET state = 'running' WHERE task_id = 'chatty'")
    folder = tmp_path / "logs"
    shutil.copytree(logs_env.log_folder, folder)
    monkeypatch.setenv("AIRFLOW__LOGGING__BASE_LOG_FOLDER", str(folder))
    path = next(folder.rglob("task_id=chatty/attempt=1.log"))
    app = make_logs_app(logs_env, f"sqlite:///{database}", task_id="chatty", open_log=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LogScreen)
        await press(pilot, "f")
        assert "following" in static_text(app, "#log-status")
        record = {"timestamp": "2026-12-04T14:00:00.000000Z", "level": "error",
                  "event": "the last batch failed", "logger": "task.stdout"}  # fmt: skip
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        screen.poll_follow()
        await settle(pilot)
        assert shown(app)[-1] == "2026-12-04 14:00:00.000 ERROR    the last batch failed"
        assert screen.view.at_bottom
        with sqlite3.connect(database) as connection:
            connection.execute("UPDATE task_instance SET state = 'success'")
        for _ in range(log_screen.STATE_EVERY_POLLS):
            screen.poll_follow()
            await settle(pilot)
        assert "the try ended (success)" in static_text(app, "#log-status")
        assert screen.follower is None
