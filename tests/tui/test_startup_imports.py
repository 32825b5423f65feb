"""The first frame pays only for Textual: pandas, numpy and plotext load with the first profile."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from ddtui.demo.home import AirflowHome
from ddtui.tui import workers
from ddtui.tui.app import DdtuiApp
from ddtui.tui.drift_wiring import DriftWiring
from ddtui.tui.main_screen import MainScreen
from tui.helpers import wait_for


def test_importing_the_app_loads_no_pandas_numpy_or_plotext() -> None:
    code = "import ddtui.tui.app, json, sys; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    for heavy in ("pandas", "numpy", "plotext", "airflow"):
        assert heavy not in loaded, f"ddtui.tui.app imports {heavy} at start-up"


# What start-up on a SQLite metastore must not load: the other databases' dialects and
# drivers (SQLAlchemy's PostgreSQL dialect alone takes ~35 ms), the generation of metastore
# it does not hold, and the data libraries the first profile loads.
NOT_FOR_A_SQLITE_START = (
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.mysql",
    "duckdb",
    "duckdb_engine",
    "psycopg",
    "pymysql",
    "ddtui.backends.postgresql",
    "ddtui.backends.mysql",
    "ddtui.backends.duckdb",
    "ddtui.backends.warehouses",
    "ddtui.metastore.generations.airflow2",
    "pandas",
    "pyarrow",
    "plotext",
    "typer.testing",
)

# What waits until the first DAG is read, after the first frame: output resolution and the
# use cases that read a DAG's tasks, drift and profiles (with numpy), charts and tables.
NOT_BEFORE_THE_FIRST_FRAME = (
    "ddtui.usecases",
    "ddtui.outputs.resolve",
    "ddtui.outputs.table_slice",
    "ddtui.drift",
    "ddtui.profile",
    "ddtui.render.profile",
    "ddtui.render.tables",
    "ddtui.render.plot",
    "numpy",
)

FIRST_FRAME = """
import asyncio, json, sys
from ddtui.cli.options import configured_data, open_configured_metastore
from ddtui.tui.app import DdtuiApp
from ddtui.tui.main_screen import MainScreen

store = open_configured_metastore({metastore_url!r})
data = configured_data(store, {data_url!r}, None, None)
at_first_frame = []
show_dags = MainScreen.show_dags


def marked_show_dags(screen, message):
    show_dags(screen, message)
    # The tree is filled; what the screen starts after this refresh has not run yet.
    at_first_frame[:] = at_first_frame or sorted(sys.modules)


MainScreen.show_dags = marked_show_dags

async def first_frame() -> int:
    app = DdtuiApp(store, data, refresh_seconds=0)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(1000):  # the tree can come after the workers, on a loaded machine
            if at_first_frame:
                break
            await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        await pilot.pause()
        return app.main.dag_pane.dag_tree.last_line + 1

print(json.dumps({{
    "tree_lines": asyncio.run(first_frame()),
    "modules": sorted(sys.modules),
    "at_first_frame": at_first_frame,
}}))
"""


def test_the_first_frame_on_a_sqlite_metastore_loads_no_other_database(
    airflow_home: AirflowHome,
) -> None:
    """`ddtui` on a SQLite metastore, in a fresh process until the DAG tree is on screen and
    the first DAG read: nothing of the databases and libraries it does not use is loaded, and
    what only the first DAG needs was not loaded when the tree was first drawn."""
    code = FIRST_FRAME.format(
        metastore_url=airflow_home.metastore_url, data_url=airflow_home.data_url
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    shown = json.loads(out.stdout.splitlines()[-1])
    assert shown["tree_lines"] > 1, "the DAG tree was not filled"
    loaded = set(shown["modules"])
    assert "ddtui.metastore.generations.airflow3" in loaded  # the test home is Airflow 3's
    assert [module for module in NOT_FOR_A_SQLITE_START if module in loaded] == []
    at_first_frame = set(shown["at_first_frame"])
    assert "ddtui.tui.task_list" in at_first_frame  # the snapshot was taken
    early = sorted(
        module
        for module in at_first_frame
        for package in NOT_BEFORE_THE_FIRST_FRAME
        if module == package or module.startswith(f"{package}.")
    )
    assert early == [], "loaded before the first frame"


async def test_the_threads_that_import_numpy_wait_for_the_first_frames_callbacks(
    make_app: Callable[..., DdtuiApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The profiler's preload and the history's badges (both import numpy, ~0.15 s holding
    the GIL) start after the callbacks of the frame that shows the DAG tree, not among them:
    they delayed those callbacks (and the bench's first-frame mark) by ~30 ms."""
    order: list[str] = []
    monkeypatch.setattr(workers, "preload_profiler", lambda: order.append("profiler"))
    monkeypatch.setattr(
        DriftWiring, "badges_from_history", lambda _, dag_ids: order.append("history")
    )
    show_dags = MainScreen.show_dags

    def marked_show_dags(screen: MainScreen, message: Any) -> None:
        show_dags(screen, message)
        screen.call_after_refresh(order.append, "frame")  # what runs once the tree is drawn

    monkeypatch.setattr(MainScreen, "show_dags", marked_show_dags)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(order) >= 3)
    assert order[0] == "frame"
    assert sorted(order[1:]) == ["history", "profiler"]
