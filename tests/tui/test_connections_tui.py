"""The TUI finds a task's table through its Airflow connection and says so in the stats pane."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from connections_support import SECRET, ConnectionsHome

from ddtui.config.settings import resolve_data_settings
from ddtui.demo.home import AirflowHome
from ddtui.metastore import open_metastore
from tui.helpers import settle, static_text


async def test_the_stats_pane_reads_through_the_tasks_connection(
    make_app, conn_home: ConnectionsHome
) -> None:
    store = open_metastore(conn_home.metastore_url)
    # Only AIRFLOW_HOME: no data URL, no --data-conn; the fernet key is in airflow.cfg.
    data = resolve_data_settings(
        env={"AIRFLOW_HOME": str(conn_home.home)},
        metastore_url=conn_home.metastore_url,
        metastore_engine=store.engine,
    )
    app = make_app(dag_id="titanic", task_id="clean", metastore=store, data=data)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        title = static_text(app, "#stats-title")
        shown = title + app.export_screenshot()
    store.engine.dispose()
    assert "titanic_clean" in title and "889 rows" in title
    assert "read through Airflow connection `warehouse` (metastore)" in title
    assert SECRET not in shown


async def test_a_wrong_fernet_key_is_one_line_in_the_stats_pane_and_the_dag_still_opens(
    make_app, conn_home: ConnectionsHome
) -> None:
    store = open_metastore(conn_home.metastore_url)
    wrong = "Lh9S3CGLVRk3rfTvtZ1mAAxkGvd9THqhjVlOaTsYoHQ="  # valid, but not Airflow's key
    data = resolve_data_settings(
        env={"AIRFLOW_HOME": str(conn_home.home), "AIRFLOW__CORE__FERNET_KEY": wrong},
        metastore_url=conn_home.metastore_url,
        metastore_engine=store.engine,
    )
    app = make_app(dag_id="titanic", task_id="clean", metastore=store, data=data)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert app.main.task_pane.selected_task_id == "clean"
        message = static_text(app, "#stats-message")
        shown = message + app.export_screenshot()
    store.engine.dispose()
    assert "connection 'warehouse'" in message and "cannot decrypt its password" in message
    assert SECRET not in shown


@pytest.mark.postgres
async def test_a_deep_link_profiles_the_table_written_through_the_tasks_connection(
    make_app, pg_warehouse_home: AirflowHome
) -> None:
    home = pg_warehouse_home
    store = open_metastore(home.metastore_url)
    # Only AIRFLOW_HOME: the task's conn_id names `warehouse`, a login that may only read.
    data = resolve_data_settings(
        env={"AIRFLOW_HOME": str(home.home)},
        metastore_url=home.metastore_url,
        metastore_engine=store.engine,
    )
    app = make_app(dag_id="warehouse_outputs", task_id="load_shipments", metastore=store, data=data)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        title = static_text(app, "#stats-title")
        shown = title + app.export_screenshot()
    store.engine.dispose()
    engine = sa.create_engine(home.data_url, poolclass=sa.NullPool)
    expected = len(pd.read_sql_table("shipments", engine))
    engine.dispose()
    assert "shipments" in title and f"{expected} rows" in title
    assert "read through Airflow connection `warehouse` (metastore)" in title
    assert SECRET not in shown
