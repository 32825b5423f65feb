"""Deep links: `--dag`, `--task`, `--run` open the app on that selection."""

from __future__ import annotations

from ddtui.tui.task_list import TaskTable
from tui.helpers import settle, static_text


async def test_dag_selects_it_and_focuses_the_task_list(make_app) -> None:
    app = make_app(dag_id="groups_mapped")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.dag_pane.selected_dag_id == "groups_mapped"
        assert isinstance(app.focused, TaskTable)
        assert app.main.task_pane.rows


async def test_task_selects_it_and_opens_its_stats(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="features")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.task_pane.selected_task_id == "features"
        assert app.main.stats_pane.profile is not None
        assert "titanic_features" in static_text(app, "#stats-title")


async def test_run_selects_that_run(make_app, airflow_home) -> None:
    older = airflow_home.runs_of("titanic")[0]
    app = make_app(dag_id="titanic", task_id="train", run_id=older.run_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.dag.detail is not None and app.main.dag.detail.run.run_id == older.run_id
        assert app.main.selection.pinned_run_id == older.run_id
        row = next(r for r in app.main.task_pane.rows if r.task.task_id == "train")
        assert row.state == "success"  # it failed only in the newer run
        assert "latest" not in static_text(app, "#run-line")
