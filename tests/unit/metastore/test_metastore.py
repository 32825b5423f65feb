"""ddtui's metastore reader against real Airflow 3 metastores, compared with Airflow itself."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ddtui.demo.home import AirflowHome, find_airflow_executable
from ddtui.errors import MetastoreError, NotFoundError
from ddtui.metastore import Metastore, open_metastore
from tests.paths import TESTS

ORACLE = TESTS / "airflow_oracle.py"
_oracles: dict[str, dict[str, Any]] = {}


def airflow_env(home: AirflowHome) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(home.env())
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = home.metastore_url
    env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    return env


def oracle(home: AirflowHome) -> dict[str, Any]:
    """What Airflow's own models and deserializer read from the same metastore (cached)."""
    if home.metastore_url not in _oracles:
        done = subprocess.run(
            [sys.executable, str(ORACLE)],
            env=airflow_env(home),
            capture_output=True,
            text=True,
            check=True,
        )
        _oracles[home.metastore_url] = json.loads(done.stdout)["dags"]
    return _oracles[home.metastore_url]


def airflow_cli_json(home: AirflowHome, *args: str) -> Any:
    done = subprocess.run(
        [find_airflow_executable(), *args, "-o", "json"],
        env=airflow_env(home),
        capture_output=True,
        text=True,
        check=True,
    )
    # Airflow logs warnings to stdout too; the JSON document is the line that parses.
    documents = [line for line in done.stdout.splitlines() if line.startswith(("[{", "[]"))]
    return json.loads(documents[-1])


@pytest.fixture(params=["sqlite", "postgres"])
def home(request: pytest.FixtureRequest) -> AirflowHome:
    name = "airflow_home" if request.param == "sqlite" else "pg_airflow_home"
    return request.getfixturevalue(name)


@pytest.fixture
def store(home: AirflowHome) -> Metastore:
    metastore = open_metastore(home.metastore_url)
    yield metastore
    metastore.close()


def test_schema_is_detected_as_airflow_3(store: Metastore, home: AirflowHome) -> None:
    assert store.info.airflow_major == 3
    major_minor = ".".join(home.airflow_version.split(".")[:2])
    assert store.info.airflow_version.startswith(major_minor)


def test_dag_list_matches_airflow(store: Metastore, home: AirflowHome) -> None:
    expected = oracle(home)
    dags = {d.dag_id: d for d in store.list_dags()}
    assert sorted(dags) == sorted(expected)
    for dag_id, want in expected.items():
        got = dags[dag_id]
        assert sorted(got.tags) == want["tags"], dag_id
        assert (got.is_paused, got.is_stale) == (want["is_paused"], want["is_stale"]), dag_id
        assert got.owners == want["owners"]
        assert got.fileloc == want["fileloc"]
        if want["runs"]:
            assert got.latest_run is not None
            assert got.latest_run.run_id == want["runs"][0]["run_id"]
            assert got.latest_run.state == want["runs"][0]["state"]
        else:
            assert got.latest_run is None


def test_dag_list_agrees_with_airflow_dags_list_cli(airflow_home: AirflowHome) -> None:
    reported = airflow_cli_json(airflow_home, "dags", "list")
    store = open_metastore(airflow_home.metastore_url)
    ours = {d.dag_id: d for d in store.list_dags()}
    assert {r["dag_id"] for r in reported} == set(ours)
    for row in reported:
        assert str(ours[row["dag_id"]].is_paused) == str(row["is_paused"])


def test_dag_list_takes_a_fixed_number_of_queries(store: Metastore) -> None:
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    store.list_dags()
    assert len(statements) == 3  # dags, tags, latest runs: not one per DAG


def test_structure_matches_airflows_deserialized_dag(store: Metastore, home: AirflowHome) -> None:
    for dag_id, want in oracle(home).items():
        structure = store.dag_structure(dag_id)
        tasks = {t.task_id: t for t in structure.tasks}
        assert set(tasks) == set(want["tasks"]), dag_id
        for task_id, w in want["tasks"].items():
            t = tasks[task_id]
            assert t.operator == w["operator"], task_id
            assert sorted(t.downstream_task_ids) == w["downstream"], task_id
            assert t.ui_color == w["ui_color"], task_id
            assert t.output_table_attr == w["output_table"], task_id
            assert sorted(o.uri for o in t.outlets) == w["outlets"], task_id
            assert (t.group_path[-1] if t.group_path else None) == w["group"], task_id
            assert t.is_mapped == w["is_mapped"], task_id
        order = [t.task_id for t in structure.tasks]
        for upstream, downstream in structure.edges:
            assert order.index(upstream) < order.index(downstream), (upstream, downstream)


def test_nested_task_groups_are_kept(store: Metastore) -> None:
    structure = store.dag_structure("groups_mapped")
    paths = {t.group_path for t in structure.tasks}
    assert any(len(p) == 2 for p in paths), paths  # a group inside a group


def test_runs_task_instances_and_xcoms_match_airflow(store: Metastore, home: AirflowHome) -> None:
    for dag_id, want in oracle(home).items():
        runs = store.runs(dag_id)
        assert [(r.run_id, r.state) for r in runs] == [
            (w["run_id"], w["state"]) for w in want["runs"]
        ]
        for run, w in zip(runs, want["runs"], strict=True):
            detail = store.run_detail(dag_id, run.run_id)
            assert detail.run.logical_date is not None
            assert detail.run.logical_date.isoformat() == w["logical_date"]
            got_tis = sorted(
                [ti.task_id, ti.map_index, str(ti.state), ti.try_number]
                for ti in detail.task_instances
            )
            assert got_tis == w["task_instances"]
            got_xcoms = sorted([x.task_id, x.map_index, x.value] for x in detail.return_values)
            assert got_xcoms == w["return_values"]


def test_failed_run_states_agree_with_states_for_dag_run(airflow_home: AirflowHome) -> None:
    failed = next(r for r in airflow_home.runs if r.state == "failed")
    reported = airflow_cli_json(
        airflow_home, "tasks", "states-for-dag-run", failed.dag_id, failed.run_id
    )
    store = open_metastore(airflow_home.metastore_url)
    detail = store.run_detail(failed.dag_id, failed.run_id)
    assert detail.run.state == "failed"
    ours = {(ti.task_id, ti.map_index): ti.state for ti in detail.task_instances}
    theirs = {(row["task_id"], int(row.get("map_index") or -1)): row["state"] for row in reported}
    assert ours == theirs
    assert "failed" in ours.values()


def test_runs_are_paged_newest_first(airflow_home: AirflowHome) -> None:
    store = open_metastore(airflow_home.metastore_url)
    all_runs = store.runs("titanic")
    assert len(all_runs) >= 2
    assert store.runs("titanic", limit=1, offset=1) == all_runs[1:2]
    assert all_runs[0].run_after >= all_runs[1].run_after


def test_unknown_dag_and_run_suggest_close_matches(airflow_home: AirflowHome) -> None:
    store = open_metastore(airflow_home.metastore_url)
    with pytest.raises(NotFoundError, match="titanic"):
        store.dag_structure("titanik")
    with pytest.raises(NotFoundError) as info:
        store.run_detail("titanic", "manual__nope")
    assert info.value.exit_code == 2


def test_writes_through_ddtuis_engine_are_refused(store: Metastore) -> None:
    with pytest.raises(sa.exc.DBAPIError), store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE dag SET is_paused = NOT is_paused"))
    with pytest.raises(sa.exc.DBAPIError), store.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE ddtui_must_not_exist (x INTEGER)"))


# Other Airflow metastores: compressed, versioned, and ones we must refuse -----------------


@pytest.fixture(scope="module")
def compressed_home(airflow_home: AirflowHome, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real metastore where Airflow wrote a 2nd, compressed version of `drift`."""
    home = tmp_path_factory.mktemp("compressed")
    shutil.copytree(airflow_home.home / "dags", home / "dags")
    shutil.copy(airflow_home.home / "airflow.db", home / "airflow.db")
    env = airflow_env(airflow_home)
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
        AIRFLOW__CORE__DAGS_FOLDER=str(home / "dags"),
        AIRFLOW__CORE__COMPRESS_SERIALIZED_DAGS="True",
    )
    # `drift` has runs, so a changed file makes Airflow 3 keep version 1 and add version 2.
    drift = home / "dags" / "drift.py"
    drift.write_text(drift.read_text().replace('tags=["', 'tags=["v2", "', 1))
    airflow = find_airflow_executable()
    subprocess.run([airflow, "dags", "reserialize"], env=env, check=True, capture_output=True)
    return home


def test_compressed_and_versioned_serialized_dags(
    compressed_home: Path, airflow_home: AirflowHome
) -> None:
    db = compressed_home / "airflow.db"
    with sqlite3.connect(db) as conn:
        versions = conn.execute(
            "SELECT data_compressed IS NOT NULL FROM serialized_dag WHERE dag_id = 'drift' "
            "ORDER BY created_at"
        ).fetchall()
    assert versions == [(0,), (1,)]  # version 1 plain JSON, version 2 zlib-compressed
    store = open_metastore(f"sqlite:///{db}")
    reference = open_metastore(airflow_home.metastore_url)
    latest = store.dag_structure("drift")
    assert latest.version_number == 2
    assert [t.task_id for t in latest.tasks] == [
        t.task_id for t in reference.dag_structure("drift").tasks
    ]
    assert "v2" in next(d for d in store.list_dags() if d.dag_id == "drift").tags


def test_database_that_is_not_a_metastore_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "plain.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(MetastoreError, match="not an Airflow metastore"):
        open_metastore(f"sqlite:///{db}")


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["--metastore", "postgresql://ds:s3cret@127.0.0.1:1/airflow"], 4, "ds:***@127.0.0.1:1"),
        (["--metastore", "not a url"], 3, "not a database URL"),
        (["--metastore", "sqlite:////nonexistent/airflow.db"], 4, "not found"),
    ],
)
def test_cli_failures_are_one_line_with_exit_codes(
    args: list[str], code: int, expected: str
) -> None:
    ddtui = Path(sys.executable).with_name("ddtui")
    done = subprocess.run([str(ddtui), "dags", *args], capture_output=True, text=True, check=False)
    assert done.returncode == code
    assert expected in done.stderr
    assert "s3cret" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_missing_airflow_cfg_says_what_was_tried(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["AIRFLOW_HOME"] = str(tmp_path)
    ddtui = Path(sys.executable).with_name("ddtui")
    done = subprocess.run(
        [str(ddtui), "dags"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 4
    assert f"{tmp_path}/airflow.cfg (missing)" in done.stderr
    assert "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" in done.stderr


def test_ddtui_dags_lists_every_dag_with_its_latest_state(airflow_home: AirflowHome) -> None:
    ddtui = Path(sys.executable).with_name("ddtui")
    done = subprocess.run(
        [str(ddtui), "dags", "--metastore", airflow_home.metastore_url],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
    assert set(lines) == set(airflow_home.dag_ids)
    assert "failed" in lines["titanic"]  # the newest titanic run failed
    assert "no runs" in lines["no_outputs"]
