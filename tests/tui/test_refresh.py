"""Refreshing keeps the selection and the scroll position, and shows new states."""

from __future__ import annotations

from ddtui.tui.format import STATE_LOOKS
from tui.fakes import ControlledMetastore
from tui.helpers import press, settle


async def test_r_updates_states_in_place_keeping_cursor_and_scroll(make_app, metastore) -> None:
    store = ControlledMetastore(metastore)
    app = make_app(dag_id="groups_mapped", metastore=store)
    async with app.run_test(size=(80, 16)) as pilot:  # short: the task list scrolls
        await settle(pilot)
        table = app.main.task_pane.table
        last = app.main.task_pane.rows[-1].task.task_id
        app.main.select_task(last)
        await settle(pilot)
        first = app.main.task_pane.rows[0].task.task_id
        scroll_y, task_id = table.scroll_y, app.main.task_pane.selected_task_id
        assert scroll_y > 0, "the list should be taller than the pane"
        store.states = {first: "running"}
        await press(pilot, "r")
        assert STATE_LOOKS["running"].word in str(table.get_cell(first, "state"))
        assert app.main.task_pane.selected_task_id == task_id == last
        assert table.scroll_y == scroll_y
        assert app.main.dag_pane.selected_dag_id == "groups_mapped"


async def test_refresh_tick_reads_again_without_moving_anything(make_app, metastore) -> None:
    store = ControlledMetastore(metastore)
    app = make_app(dag_id="titanic", task_id="features", metastore=store, refresh_seconds=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        timers = [t for t in app.main._timers if t.name == "auto-refresh"]
        assert timers and timers[0]._interval == 10
        calls = store.calls
        profile = app.main.stats_pane.profile
        store.states = {"features": "up_for_retry"}
        app.main.refresh_tick()
        await settle(pilot)
        assert store.calls > calls
        assert "retry" in str(app.main.task_pane.table.get_cell("features", "state"))
        assert app.main.task_pane.selected_task_id == "features"
        assert app.main.stats_pane.profile is profile  # the table did not change: no re-profile


async def test_refresh_zero_disables_the_timer(make_app) -> None:
    app = make_app(refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not [t for t in app.main._timers if t.name == "auto-refresh"]


async def test_a_task_that_ran_again_is_profiled_again(make_app, metastore) -> None:
    store = ControlledMetastore(metastore)
    app = make_app(dag_id="titanic", task_id="clean", metastore=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = app.main.stats_pane.profile
        assert before is not None
        store.reruns = {"clean"}
        app.main.refresh_tick()
        await settle(pilot)
        assert app.main.stats_pane.profile is not None
        assert app.main.stats_pane.profile is not before
        assert "2" in str(app.main.task_pane.table.get_cell("clean", "try"))
