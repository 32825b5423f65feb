"""`Metastore.task_states`: a task's states over many runs in one query, as Airflow wrote
them (the same answer as reading each run's details), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ddtui.demo.home import AirflowHome
from ddtui.metastore import Metastore, open_metastore


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Iterator[Metastore]:
    name = "airflow_home" if request.param == "sqlite" else "pg_airflow_home"
    home: AirflowHome = request.getfixturevalue(name)
    metastore = open_metastore(home.metastore_url)
    yield metastore
    metastore.close()


@pytest.mark.parametrize(
    ("dag_id", "task_id"),
    [("titanic", "train"), ("titanic", "score"), ("groups_mapped", "aggregate_shard")],
)
def test_states_over_runs_match_each_runs_details(store: Metastore, dag_id, task_id) -> None:
    run_ids = [r.run_id for r in store.runs(dag_id)]
    assert run_ids
    states = store.task_states(dag_id, task_id, [*run_ids, "no_such_run"])
    expected = {}
    for run_id in run_ids:
        found = store.run_detail(dag_id, run_id).task_instances
        mine = tuple(ti.state for ti in found if ti.task_id == task_id)
        if mine:
            expected[run_id] = mine
    assert states == expected
    assert any(states.values())  # the test home ran these tasks
    if task_id == "aggregate_shard":  # mapped: one state per map index
        assert max(len(found) for found in states.values()) > 1
    assert store.task_states(dag_id, task_id, []) == {}


def test_run_details_over_runs_match_each_runs_details(store: Metastore) -> None:
    """`run_details` (one query per table) reads what `run_detail` reads run by run."""
    read = 0
    for dag_id in store.dag_ids():
        run_ids = [r.run_id for r in store.runs(dag_id, limit=8)]
        details = store.run_details(dag_id, [*run_ids, "no_such_run"])
        assert details == {run_id: store.run_detail(dag_id, run_id) for run_id in run_ids}
        read += sum(len(d.task_instances) + len(d.return_values) for d in details.values())
    assert read  # the test home ran its DAGs: there were instances and XComs to compare
    assert store.run_details("titanic", []) == {}


def test_run_details_search_by_the_dags_indexes(airflow_home: AirflowHome) -> None:
    """SQLite plans without statistics: the XCom query once searched by the index on the
    key alone (every DAG's return values: 0.5 s on a 1,000-DAG metastore, not 1 ms)."""
    store = open_metastore(airflow_home.metastore_url)
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        run_ids = [r.run_id for r in store.runs("titanic", limit=8)]
        assert len(store.run_details("titanic", run_ids)) == len(run_ids) > 1
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
    try:
        with store.engine.connect() as conn:
            plans = [
                " ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", args))
                for sql, args in statements
                if "xcom" in sql or "task_instance" in sql
            ]
    finally:
        store.close()
    assert plans
    assert not [plan for plan in plans if "idx_xcom_key" in plan or "SCAN" in plan.split()[:1]]
