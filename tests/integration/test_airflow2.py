"""Airflow 2 metastores, built by the newest Airflow 2 in its own virtualenv (compat_support).

What was measured on real 2.x metastores is what is checked here: execution_date,
is_active, schedule_interval, one serialized_dag row per DAG, dataset outlets, XCom
values as JSON bytes, and pickled XComs, which ddtui must never unpickle.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest
from compat_checks import CellResult, check_commands, check_deep_link, run_ddtui

from ddtui.config.settings import DataSettings
from ddtui.demo.home import AirflowHome
from ddtui.metastore import open_metastore
from ddtui.metastore.generations.airflow2 import PICKLED_XCOM
from ddtui.tui.app import DdtuiApp


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def test_the_commands_users_run_work_and_match_pandas(
    airflow2_home: AirflowHome, tmp_path: Path
) -> None:
    result = check_commands(airflow2_home, tmp_path / "history.sqlite")
    assert result.works, (result.exits, result.failures)


async def test_the_tui_deep_link_profiles_the_task(airflow2_home: AirflowHome) -> None:
    store = open_metastore(airflow2_home.metastore_url)
    data = DataSettings(airflow2_home.data_url, "--data-url")

    def make_app(**kwargs: object) -> DdtuiApp:
        return DdtuiApp(store, data, refresh_seconds=0, **kwargs)  # type: ignore[arg-type]

    result = CellResult()
    try:
        await check_deep_link(make_app, result)
    finally:
        store.close()
    assert result.works, result.failures


def test_the_schema_reads_as_airflow_reads_it(airflow2_home: AirflowHome) -> None:
    store = open_metastore(airflow2_home.metastore_url)
    try:
        assert store.info.airflow_major == 2
        # 2.11 adds no migration: its schema is that of 2.10.3, and the label says so.
        assert store.info.airflow_version == "2.10.3\u20132.11"
        dags = {d.dag_id: d for d in store.list_dags()}
        assert set(dags) == set(airflow2_home.dag_ids)
        assert not dags["titanic"].is_paused and dags["templated_output"].is_paused
        assert dags["titanic"].schedule == "None"  # schedule=None, as Airflow 3 shows it
        assert not dags["titanic"].is_stale
        runs = store.runs("templated_output")
        built = airflow2_home.runs_of("templated_output")
        assert [r.run_id for r in runs] == [r.run_id for r in reversed(built)]
        assert runs[0].logical_date is not None
        assert runs[0].logical_date.isoformat() == built[-1].logical_date
        groups = store.dag_structure("groups_mapped")
        assert groups.task("prepare.validate.check_rows").group_path == (
            "prepare",
            "prepare.validate",
        )
        assert groups.task("aggregate_shard").is_mapped
        outlets = store.dag_structure("asset_outputs").task("extract_orders").outlets
        assert [o.uri.rsplit("/", 1)[-1] for o in outlets] == ["orders"]
        tries = store.task_tries("titanic", built_run(airflow2_home, "titanic"), "load", -1)
        assert [t.try_number for t in tries.tries] == [1]
    finally:
        store.close()


def built_run(home: AirflowHome, dag_id: str) -> str:
    return home.runs_of(dag_id)[0].run_id


class _MakesADirectoryWhenUnpickled:
    """Unpickling this runs os.mkdir(path): proof that a value was (or was not) unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.path),))


@pytest.fixture
def pickled_home(airflow2_home: AirflowHome, tmp_path: Path) -> tuple[AirflowHome, Path]:
    """A copy of the Airflow 2 metastore whose titanic XComs are pickles, as Airflow 2
    writes them with enable_xcom_pickling (pickle.dumps of the value)."""
    db = tmp_path / "airflow.db"
    shutil.copy(sqlite_path(airflow2_home.metastore_url), db)
    canary = tmp_path / "unpickled"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE xcom SET value = ? WHERE dag_id = 'titanic' AND key = 'return_value'",
            (pickle.dumps(_MakesADirectoryWhenUnpickled(canary)),),
        )
    home = AirflowHome(
        home=airflow2_home.home,
        metastore_url=f"sqlite:///{db}",
        data_url=airflow2_home.data_url,
        dag_ids=airflow2_home.dag_ids,
        runs=airflow2_home.runs,
    )
    return home, canary


def test_a_pickled_xcom_is_never_unpickled_and_output_table_is_read(
    pickled_home: tuple[AirflowHome, Path],
) -> None:
    home, canary = pickled_home
    url = home.metastore_url
    tasks = run_ddtui(home, "tasks", "titanic", "--metastore", url)
    assert tasks.returncode == 0, tasks.stderr
    load = next(line for line in tasks.stdout.splitlines() if line.startswith("load"))
    assert "titanic_raw · output_table" in load  # DataDriverOperator's output_table
    described = run_ddtui(home, "describe", "titanic", "load", "--metastore", url)
    assert described.returncode == 0, described.stderr
    assert PICKLED_XCOM in described.stdout
    assert "891 rows" in described.stdout
    assert not canary.exists()


def test_a_pickled_xcom_with_no_other_output_says_why(
    airflow2_home: AirflowHome, tmp_path: Path
) -> None:
    db = tmp_path / "airflow.db"
    shutil.copy(sqlite_path(airflow2_home.metastore_url), db)
    canary = tmp_path / "unpickled"
    with sqlite3.connect(db) as conn:  # an @task: its XCom is its only output
        conn.execute(
            "UPDATE xcom SET value = ? WHERE dag_id = 'groups_mapped' AND task_id = "
            "'aggregate_shard' AND key = 'return_value'",
            (pickle.dumps(_MakesADirectoryWhenUnpickled(canary)),),
        )
    url = f"sqlite:///{db}"
    done = run_ddtui(
        airflow2_home, "describe", "groups_mapped", "aggregate_shard", "--metastore", url
    )
    assert done.returncode == 5, done.stderr
    assert PICKLED_XCOM in done.stderr
    assert not canary.exists()


def test_compressed_serialized_dags_read_as_airflow_2_writes_them(
    airflow2_home: AirflowHome, tmp_path: Path
) -> None:
    """With [core] compress_serialized_dags, Airflow 2 writes the JSON text `null` in `data`
    and the document zlib-compressed in `data_compressed`."""
    db = tmp_path / "airflow.db"
    shutil.copy(sqlite_path(airflow2_home.metastore_url), db)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT dag_id, data FROM serialized_dag").fetchall()
        for dag_id, data in rows:
            conn.execute(
                "UPDATE serialized_dag SET data = 'null', data_compressed = ? WHERE dag_id = ?",
                (zlib.compress(data.encode()), dag_id),
            )
    plain = open_metastore(airflow2_home.metastore_url)
    compressed = open_metastore(f"sqlite:///{db}")
    try:
        for dag_id in airflow2_home.dag_ids:
            assert compressed.dag_structure(dag_id) == plain.dag_structure(dag_id)
    finally:
        plain.close()
        compressed.close()
