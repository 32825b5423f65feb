"""Fixtures for the TUI tests: the app on the real test Airflow home, a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from ddtui.config.settings import DataSettings
from ddtui.demo.home import AirflowHome
from ddtui.metastore import Metastore, open_metastore
from ddtui.tui.app import DdtuiApp

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
