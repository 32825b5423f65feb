"""The app on metastores that real Airflow built on PostgreSQL and on MariaDB: deep link to
a DAG, pick a task with the keyboard, stats equal pandas, step between runs.

The output tables are in the homes' SQLite data.db; the metastores are on the servers.
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from airflow_home_support import user_url
from profile_checks import assert_matches_pandas

from ddtui.config.settings import DataSettings
from ddtui.metastore import open_metastore
from ddtui.tui.task_list import TaskTable
from tui.helpers import press, settle, static_text, task_ids

SERVERS = [
    pytest.param("pg_airflow_home", marks=pytest.mark.postgres, id="postgresql"),
    pytest.param("mariadb_airflow_home", marks=pytest.mark.mysql, id="mariadb"),
]


@pytest.fixture(params=SERVERS)
def server_home(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def server_app(make_app, server_home):
    """`make_app` on the server home's metastore, opened by the URL a user would type."""
    stores = []

    def make(**kwargs):
        store = open_metastore(user_url(server_home.metastore_url))
        stores.append(store)
        data = DataSettings(server_home.data_url, "--data-url")
        return make_app(metastore=store, data=data, **kwargs)

    yield make
    for store in stores:
        store.close()


def read(home, table: str) -> pd.DataFrame:
    engine = sa.create_engine(home.data_url, poolclass=sa.NullPool)
    try:
        return pd.read_sql_table(table, engine)
    finally:
        engine.dispose()


def state_of(app, task_id: str) -> str | None:
    return next(r.state for r in app.main.task_pane.rows if r.task.task_id == task_id)


async def test_deep_link_pick_a_task_and_step_between_runs(server_app, server_home) -> None:
    older, newer = server_home.runs_of("titanic")
    app = server_app(dag_id="titanic")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.dag_pane.selected_dag_id == "titanic"
        assert isinstance(app.focused, TaskTable)
        assert app.main.dag.detail.run.run_id == newer.run_id
        steps = task_ids(app).index("clean") - task_ids(app).index(
            app.main.task_pane.selected_task_id
        )
        await press(pilot, *["down"] * steps)
        assert app.main.task_pane.selected_task_id == "clean"
        assert "titanic_clean · xcom" in static_text(app, "#stats-title")
        assert_matches_pandas(app.main.stats_pane.profile, read(server_home, "titanic_clean"))
        assert state_of(app, "train") == "failed"
        await press(pilot, "left_square_bracket")
        assert app.main.dag.detail.run.run_id == older.run_id
        assert state_of(app, "train") == "success"
        assert app.main.task_pane.selected_task_id == "clean"
        assert_matches_pandas(app.main.stats_pane.profile, read(server_home, "titanic_clean"))
        await press(pilot, "right_square_bracket")
        assert app.main.dag.detail.run.run_id == newer.run_id
        assert app.main.selection.pinned_run_id is None


async def test_stepping_runs_follows_the_rendered_table(server_app, server_home) -> None:
    app = server_app(dag_id="templated_output", task_id="readings")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "readings_20240702 · output_table" in static_text(app, "#stats-title")
        assert_matches_pandas(app.main.stats_pane.profile, read(server_home, "readings_20240702"))
        await press(pilot, "left_square_bracket")
        assert "readings_20240701 · output_table" in static_text(app, "#stats-title")
        assert_matches_pandas(app.main.stats_pane.profile, read(server_home, "readings_20240701"))
