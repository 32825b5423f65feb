"""Deep links: `--dag`, `--task`, `--run` open the app on that selection."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ddtui.tui import workers
from ddtui.tui.metastore_reads import TREE_WAITS_S
from ddtui.tui.task_list import TaskTable
from tui.fakes import ControlledMetastore
from tui.helpers import settle, static_text, wait_for


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


async def test_the_deep_link_comes_before_the_dag_tree(make_app, metastore) -> None:
    """The DAG read and the DAG list read race: the tree waits for the deep link's DAG and
    its task's profile, which building a large tree would otherwise delay."""
    store = ControlledMetastore(metastore)
    store.hold = threading.Event()  # the DAG's read waits; the DAG list's does not
    app = make_app(dag_id="titanic", task_id="features", metastore=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main
        profiling_when_tree_filled: list[bool] = []
        show_dags = screen.dag_pane.show_dags

        def record(dags):
            profiling_when_tree_filled.append(screen.tables.shown is not None)
            show_dags(dags)

        screen.dag_pane.show_dags = record
        dags_read = [w for w in app.workers if w.group == "dags"]
        await asyncio.gather(*(w.wait() for w in dags_read))
        await pilot.pause()
        assert not screen.dag_pane.dags  # read, and held back
        store.hold.set()
        await settle(pilot)
        await wait_for(pilot, lambda: bool(profiling_when_tree_filled))  # two frames later
        assert profiling_when_tree_filled == [True]
        assert screen.dag_pane.selected_dag_id == "titanic"
        assert screen.stats_pane.profile is not None


@pytest.mark.expect_worker_error("server closed the connection")
async def test_a_deep_link_whose_dag_fails_still_shows_the_tree(make_app, metastore) -> None:
    store = ControlledMetastore(metastore)
    store.broken[("dag_structure", "titanic")] = "server closed the connection"
    app = make_app(dag_id="titanic", task_id="features", metastore=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "titanic" in {d.dag_id for d in app.main.dag_pane.dags}
        assert "server closed the connection" in static_text(app, "#task-message")


async def test_a_stalled_data_source_does_not_hide_the_dag_tree(
    make_app, metastore, monkeypatch
) -> None:
    """The tree waits for the deep link's profile only so long (`TREE_WAITS_S`)."""
    stalled = threading.Event()

    def profile_output(*args, **kwargs):
        def job(post, cancelled) -> None:
            while not cancelled() and not stalled.wait(0.05):
                pass  # a source that never answers

        return job

    monkeypatch.setattr(workers, "profile_output", profile_output)
    app = make_app(dag_id="titanic", task_id="features")
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.sleep(TREE_WAITS_S)
        await wait_for(pilot, lambda: app.main.dag_pane.selected_dag_id == "titanic")
        assert app.main.dag_pane.selected_dag_id == "titanic"
        assert app.main.running(workers.PROFILE)  # the tree did not wait for it
        stalled.set()
        await settle(pilot)
