"""Switching runs: `[` and `]` step, `p` opens the run picker."""

from __future__ import annotations

import threading

from ddtui.tui.run_picker import RunPicker
from tui.fakes import ControlledMetastore
from tui.helpers import press, settle, static_text


def state_of(app, task_id: str) -> str | None:
    return next(r.state for r in app.main.task_pane.rows if r.task.task_id == task_id)


async def test_brackets_step_to_older_and_newer_runs(make_app, airflow_home) -> None:
    first, second = airflow_home.runs_of("titanic")
    app = make_app(dag_id="titanic", task_id="train")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.dag.detail.run.run_id == second.run_id
        assert state_of(app, "train") == "failed"
        assert "latest" in static_text(app, "#run-line")
        await press(pilot, "left_square_bracket")
        assert app.main.dag.detail.run.run_id == first.run_id
        assert state_of(app, "train") == "success"
        assert app.main.task_pane.selected_task_id == "train"  # the task stays selected
        assert "run 2/2" in static_text(app, "#run-line")
        await press(pilot, "left_square_bracket")  # no older run: stays, says so
        assert app.main.dag.detail.run.run_id == first.run_id
        await press(pilot, "right_square_bracket")
        assert app.main.dag.detail.run.run_id == second.run_id
        assert (
            app.main.selection.pinned_run_id is None
        )  # back on the newest: follows new runs again


async def test_run_picker_lists_runs_and_enter_switches(make_app, airflow_home) -> None:
    first, _second = airflow_home.runs_of("titanic")
    app = make_app(dag_id="titanic")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert isinstance(app.screen, RunPicker)
        table = app.screen.query_one("#run-table")
        assert table.row_count == 2
        assert "failed" in str(table.get_row_at(0)[0])
        assert "2024-01-02" in str(table.get_row_at(0)[1])
        await press(pilot, "down", "enter")
        assert not isinstance(app.screen, RunPicker)
        assert app.main.dag.detail.run.run_id == first.run_id


async def test_run_picker_escape_keeps_the_run(make_app) -> None:
    app = make_app(dag_id="titanic")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = app.main.dag.detail.run.run_id
        await press(pilot, "p", "down", "escape")
        assert app.main.dag.detail.run.run_id == before


async def test_dag_without_runs_says_so(make_app) -> None:
    app = make_app(dag_id="no_outputs")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "No runs yet" in static_text(app, "#run-line")
        await press(pilot, "left_square_bracket", "p")
        assert not isinstance(app.screen, RunPicker)


async def test_switching_dags_keeps_the_task_pane_size_while_reading(make_app, metastore) -> None:
    store = ControlledMetastore(metastore)
    app = make_app(dag_id="titanic", metastore=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        height = app.main.task_pane.outer_size.height
        store.hold = threading.Event()
        app.main.select_dag("groups_mapped")
        await pilot.pause()
        assert "Reading DAG groups_mapped" in static_text(app, "#run-line")
        assert app.main.task_pane.table.row_count == 0  # titanic's tasks are gone
        assert app.main.task_pane.outer_size.height == height  # no jump while it reads
        store.hold.set()
        await settle(pilot)
        assert app.main.task_pane.table.row_count == len(app.main.task_pane.rows) > 0
        assert "Reading" not in static_text(app, "#run-line")


async def test_refresh_with_nothing_new_leaves_the_task_cells_alone(make_app) -> None:
    app = make_app(dag_id="titanic")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.task_pane.table
        cells = {key: table.get_row(key) for key in table.rows}
        app.main.refresh_tick()  # what the auto-refresh does every few seconds
        await settle(pilot)
        changed = [
            (key.value, index)
            for key in table.rows
            for index, (new, old) in enumerate(zip(table.get_row(key), cells[key], strict=True))
            if new is not old
        ]
        assert changed == []  # the same cell objects: nothing was replaced or redrawn
