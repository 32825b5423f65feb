"""Fixtures for the TUI tests: the app on the real test Airflow home, a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from ddtui.demo import AirflowHome
from ddtui.metastore import Metastore, open_metastore
from ddtui.settings import DataSettings
from ddtui.tui.app import DdtuiApp
from tui import worker_guard

FIXED_NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture(scope="session")
def metastore(airflow_home: AirflowHome) -> Metastore:
    return open_metastore(airflow_home.metastore_url)


@pytest.fixture
def data_settings(airflow_home: AirflowHome) -> DataSettings:
    return DataSettings(airflow_home.data_url, "--data-url")


@pytest.fixture
def make_app(metastore: Metastore, data_settings: DataSettings) -> Callable[..., DdtuiApp]:
    """A factory: `make_app(dag_id=..., metastore=..., data=...)`, no auto refresh."""

    def make(**kwargs: Any) -> DdtuiApp:
        kwargs.setdefault("refresh_seconds", 0)
        kwargs.setdefault("clock", fixed_clock)
        store = kwargs.pop("metastore", metastore)
        data = kwargs.pop("data", data_settings)
        return DdtuiApp(store, data, **kwargs)

    return make


@pytest.fixture(autouse=True)
def profile_history(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """The app records exact profiles: into a fresh history per test, never the user's cache
    (and snapshots then never depend on what earlier runs recorded)."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite"
    monkeypatch.setenv("DDTUI_HISTORY", str(path))
    return path


@pytest.fixture(autouse=True)
def guard_workers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every TUI test fails when a worker ended in error or the app swallowed an exception,
    unless it is marked `expect_worker_error("...")` (see tui/worker_guard.py)."""
    markers = request.node.iter_markers(worker_guard.MARKER)
    expected = [text for marker in markers for text in marker.args]
    request.node.stash[worker_guard.GUARD_KEY] = worker_guard.install(monkeypatch, expected)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    """Check the guard after the test body: its failures fail the test itself."""
    result = yield
    guard = item.stash.get(worker_guard.GUARD_KEY, None)
    if guard is not None:
        guard.check()
    return result
