"""The TUI finds a task's table through its Airflow connection and says so in the stats pane."""

from __future__ import annotations

from connections_support import SECRET, ConnectionsHome

from ddtui.metastore import open_metastore
from ddtui.settings import resolve_data_settings
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
        assert app.task_pane.selected_task_id == "clean"
        message = static_text(app, "#stats-message")
        shown = message + app.export_screenshot()
    store.engine.dispose()
    assert "connection 'warehouse'" in message and "cannot decrypt its password" in message
    assert SECRET not in shown
