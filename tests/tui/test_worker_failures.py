"""Every worker's failure reaches the pane it concerns as one line (and the guard in
conftest.py fails any test whose workers fail unannounced)."""

from __future__ import annotations

import pytest

from tui.fakes import ControlledMetastore
from tui.helpers import press, settle, static_text

DAMAGED = "a damaged row in task_instance"


@pytest.mark.expect_worker_error(DAMAGED)
async def test_health_failure_is_one_line_in_the_task_pane(
    make_app, metastore, airflow_home
) -> None:
    older, _newer = airflow_home.runs_of("titanic")
    store = ControlledMetastore(metastore)
    # The newest run reads fine (the task list fills); health also reads the older one.
    store.broken[("run_detail", "titanic", older.run_id)] = DAMAGED
    app = make_app(dag_id="titanic", task_id="clean", metastore=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=5)
        message = static_text(app, "#task-message")
        assert message.startswith("Task health not measured:")
        assert DAMAGED in message and len(message.splitlines()) == 1
        assert app.main.task_pane.rows and app.main.stats_pane.profile is not None  # still usable


@pytest.mark.expect_worker_error(DAMAGED)
async def test_history_badges_failure_is_one_line_in_the_dag_pane(make_app, metastore) -> None:
    recorder = make_app(dag_id="drift", task_id="sample")  # health records both runs
    async with recorder.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=5)
    store = ControlledMetastore(metastore)
    store.broken[("dag_structure", "drift")] = DAMAGED  # badges read the DAGs with history
    app = make_app(dag_id="titanic", metastore=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=5)
        message = static_text(app, "#dag-message")
        assert message.startswith("Badges from the profile history not read:")
        assert DAMAGED in message and len(message.splitlines()) == 1
        assert app.main.dag_pane.dags  # the tree is still there
        assert "drift" not in app.main.dag_pane.badges
        del store.broken[("dag_structure", "drift")]
        await press(pilot, "r")
        await settle(pilot, rounds=5)
        assert not app.query_one("#dag-message").display
        assert "drift" in app.main.dag_pane.badges  # its roll-up badge, from the history
