"""In the TUI, a foreign server named by an XCom is shown as the output, never connected to."""

from __future__ import annotations

from pathlib import Path

from sources_support import Listener, copy_metastore, set_return_value

from ddtui.config.settings import resolve_data_settings
from ddtui.demo.home import AirflowHome
from ddtui.metastore import open_metastore
from tui.helpers import press, settle, static_text


async def test_selecting_tasks_never_connects_to_a_foreign_server(
    make_app, airflow_home: AirflowHome, tmp_path: Path
) -> None:
    listener = Listener()
    try:
        metastore = copy_metastore(airflow_home, tmp_path)
        secret = "hunter2"
        reference = f"postgres://ddtui:{secret}@127.0.0.1:{listener.port}/proddb/public/secrets"
        set_return_value(metastore, "titanic", "clean", reference)
        store = open_metastore(f"sqlite:///{metastore}")
        data = resolve_data_settings(
            env={"DDTUI_DATA_URL": airflow_home.data_url, "PGPASSWORD": "env-password"},
            metastore_url=f"sqlite:///{metastore}",
        )
        app = make_app(dag_id="titanic", task_id="load", metastore=store, data=data)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await press(pilot, "j")  # load -> clean
            assert app.main.task_pane.selected_task_id == "clean"
            message = static_text(app, "#stats-message")
            shown = message + app.export_screenshot()
            await press(pilot, "j", "k", "r")  # move away, back, and refresh
            shown += static_text(app, "#stats-message") + app.export_screenshot()
        store.engine.dispose()
        assert listener.connections() == 0
        assert f"postgres://ddtui:***@127.0.0.1:{listener.port}/proddb" in message
        assert "is not a configured data source" in message
        assert secret not in shown
    finally:
        listener.close()
