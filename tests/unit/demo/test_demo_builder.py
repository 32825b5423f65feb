"""The built Airflow homes match what Airflow itself reports, and the tables the DAGs wrote."""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import pytest
import sqlalchemy as sa

from ddtui.demo import airflow_cli
from ddtui.demo import home as demo
from ddtui.demo.home import (
    AirflowHome,
    find_airflow_executable,
    load_built_home,
    set_config_options,
)
from ddtui.errors import DdtuiError

# The XCom return_value of every task that pushes one, per run of the test DAG set:
# (dag_id, logical date) -> {(task_id, map_index): value}; DataDriver tasks return a table name.
EXPECTED_RETURN_VALUES = {
    ("titanic", "2024-01-01"): {
        ("load", -1): "titanic_raw",
        ("clean", -1): "titanic_clean",
        ("features", -1): "titanic_features",
        ("train", -1): "titanic_model",
        ("score", -1): "scores_20240101",
    },
    # The failed run: `train` raised, `score` never ran.
    ("titanic", "2024-01-02"): {
        ("load", -1): "titanic_raw",
        ("clean", -1): "titanic_clean",
        ("features", -1): "titanic_features",
    },
    ("asset_outputs", "2024-02-01"): {},  # outlets only, no return value
    ("groups_mapped", "2024-03-01"): {
        ("prepare.extract", -1): "gm_events",
        ("aggregate_shard", 0): "gm_shard_0",
        ("aggregate_shard", 1): "gm_shard_1",
        ("aggregate_shard", 2): "gm_shard_2",
        # A dict that names no table (its `dict` annotation also makes Airflow push
        # each key as its own XCom: multiple_outputs is inferred).
        ("report.summarize", -1): {
            "shards": 3,
            "tables": ["gm_shard_0", "gm_shard_1", "gm_shard_2"],
        },
    },
    ("drift", "2024-04-01"): {("sample", -1): "drift_20240401", ("publish", -1): "drift_latest"},
    ("drift", "2024-04-02"): {("sample", -1): "drift_20240402", ("publish", -1): "drift_latest"},
}

# table -> (rows, columns) in the data database after the whole build.
EXPECTED_TABLES = {
    "titanic_raw": (891, 12),
    "titanic_clean": (889, 12),
    "titanic_features": (889, 10),
    "titanic_model": (8, 5),
    "scores_20240101": (889, 6),
    "orders": (2_000, 5),
    "order_items": (5_000, 4),
    "daily_revenue": (31, 3),
    "gm_events": (3_000, 5),
    "gm_shard_0": (3, 3),
    "gm_shard_1": (3, 3),
    "gm_shard_2": (3, 3),
    "drift_20240401": (5_000, 8),
    "drift_20240402": (4_000, 7),
    "drift_latest": (4_000, 7),
    # templated_output pushes no XCom: only its rendered output_table names these.
    "readings_20240701": (2_000, 4),
    "readings_20240702": (1_500, 4),
}


def airflow_json(home: AirflowHome, *args: str) -> Any:
    """Run an `airflow ... -o json` command against `home` and parse its JSON output."""
    result = subprocess.run(
        [find_airflow_executable(), *args, "-o", "json"],
        env={**_base_env(), **home.env()},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # Airflow 3 logs warnings to stdout before the JSON document, which is one line.
    for line in reversed(result.stdout.splitlines()):
        if line.startswith(("[", "{")):
            return json.loads(line)
    raise AssertionError(f"no JSON in the output of airflow {' '.join(args)}:\n{result.stdout}")


def _base_env() -> dict[str, str]:
    """The test process's environment without any Airflow settings."""
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}


def metastore_rows(home: AirflowHome, sql: str, **params: Any) -> list[sa.Row[Any]]:
    """Rows of a query on the home's metastore."""
    engine = sa.create_engine(home.metastore_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params))
    finally:
        engine.dispose()


def xcom_tables(home: AirflowHome) -> dict[tuple[str, str], dict[tuple[str, int], Any]]:
    """(dag_id, logical date) -> {(task_id, map_index): decoded return_value} from the metastore."""
    dates = {run.run_id: run.logical_date[:10] for run in home.runs}
    found: dict[tuple[str, str], dict[tuple[str, int], Any]] = {
        key: {} for key in EXPECTED_RETURN_VALUES
    }
    # CAST: SQLite returns the JSON text, psycopg2 would decode a json column itself.
    rows = metastore_rows(
        home,
        "SELECT dag_id, run_id, task_id, map_index, CAST(value AS TEXT) AS value FROM xcom"
        " WHERE key = 'return_value'",
    )
    for row in rows:
        found[row.dag_id, dates[row.run_id]][row.task_id, row.map_index] = json.loads(row.value)
    return found


@pytest.fixture(scope="module")
def dags_listed(airflow_home: AirflowHome) -> dict[str, dict[str, Any]]:
    """`airflow dags list` of the SQLite test home, by dag_id."""
    return {dag["dag_id"]: dag for dag in airflow_json(airflow_home, "dags", "list")}


def test_airflow_lists_the_built_dags_and_pause_states(
    airflow_home: AirflowHome, dags_listed: dict[str, dict[str, Any]]
) -> None:
    assert set(dags_listed) == set(airflow_home.dag_ids)
    # Airflow 3.3 prints is_paused as the strings "True"/"False".
    unpaused = {d for d, dag in dags_listed.items() if str(dag["is_paused"]).lower() == "false"}
    assert unpaused == set(airflow_home.unpaused_dag_ids) == {"titanic"}
    assert dags_listed["titanic"]["fileloc"] == str(airflow_home.home / "dags" / "titanic.py")


def test_airflow_lists_the_built_runs(airflow_home: AirflowHome) -> None:
    listed = airflow_json(airflow_home, "dags", "list-runs", "titanic")
    by_id = {run["run_id"]: run for run in listed}
    built = airflow_home.runs_of("titanic")
    assert set(by_id) == {run.run_id for run in built}
    for run in built:
        assert by_id[run.run_id]["state"] == run.state
        assert by_id[run.run_id]["logical_date"].startswith(run.logical_date[:10])
    assert [run.state for run in built] == ["success", "failed"]


def test_failed_run_task_states(airflow_home: AirflowHome) -> None:
    failed = next(run for run in airflow_home.runs_of("titanic") if run.state == "failed")
    assert failed.conf == {"fail": True}
    states = airflow_json(airflow_home, "tasks", "states-for-dag-run", "titanic", failed.run_id)
    by_task = {row["task_id"]: row["state"] for row in states}
    assert by_task == {
        "load": "success",
        "clean": "success",
        "features": "success",
        "train": "failed",
        "score": "upstream_failed",
    }


def test_every_run_is_in_the_metastore_with_its_state_and_conf(airflow_home: AirflowHome) -> None:
    rows = metastore_rows(airflow_home, "SELECT dag_id, run_id, state FROM dag_run")
    assert {(r.dag_id, r.run_id, r.state) for r in rows} == {
        (run.dag_id, run.run_id, run.state) for run in airflow_home.runs
    }
    assert not airflow_home.runs_of("no_outputs")


def test_xcom_return_values_name_the_tables(airflow_home: AirflowHome) -> None:
    assert xcom_tables(airflow_home) == EXPECTED_RETURN_VALUES


def test_tables_exist_with_expected_shape(airflow_home: AirflowHome) -> None:
    engine = sa.create_engine(airflow_home.data_url, poolclass=sa.NullPool)
    try:
        assert set(sa.inspect(engine).get_table_names()) == set(EXPECTED_TABLES)
        for table, shape in EXPECTED_TABLES.items():
            assert pd.read_sql_table(table, engine).shape == shape, table
        titanic = pd.read_sql_table("titanic_raw", engine)
        drift_base = pd.read_sql_table("drift_20240401", engine)
        drift_shifted = pd.read_sql_table("drift_latest", engine)
    finally:
        engine.dispose()
    # Numbers, categories, booleans, datetimes and missing values are all there.
    assert titanic["age"].isna().sum() > 100
    assert titanic["embarked"].isna().sum() == 2
    assert titanic["survived"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(titanic["boarded_at"])
    # The shifted drift run: +25 on the mean, `channel` dropped, ~20 % NAs in `score`.
    assert drift_shifted["amount"].mean() - drift_base["amount"].mean() == pytest.approx(25, abs=1)
    assert "channel" in drift_base.columns and "channel" not in drift_shifted.columns
    assert drift_shifted["score"].isna().mean() == pytest.approx(0.2, abs=0.03)
    assert drift_base["score"].isna().sum() == 0


def test_assets_keep_the_original_uri_in_name_and_a_normalised_uri(
    airflow_home: AirflowHome,
) -> None:
    data_db = Path(airflow_home.data_url.removeprefix("sqlite:///"))
    rows = metastore_rows(
        airflow_home,
        "SELECT a.name, a.uri, r.task_id FROM asset a"
        " JOIN task_outlet_asset_reference r ON r.asset_id = a.id WHERE r.dag_id = 'asset_outputs'",
    )
    by_task = {row.task_id: (row.name, row.uri) for row in rows}

    # Airflow normalises URIs with urlunsplit(urlsplit(...)); before Python 3.12.4 that drops
    # the empty host of sqlite:////abs/path (sqlite://tmp/x/data.db/orders), later ones keep it.
    def normalised(table: str) -> str:
        return urlunsplit(urlsplit(f"sqlite:///{data_db}/{table}"))

    assert by_task == {
        "extract_orders": (f"sqlite:///{data_db}/orders", normalised("orders")),
        "extract_order_items": (f"sqlite:///{data_db}/order_items", normalised("order_items")),
        "daily_revenue": ("daily_revenue", normalised("daily_revenue")),
    }


def test_serialized_dag_carries_output_table_templates(airflow_home: AirflowHome) -> None:
    (row,) = metastore_rows(
        airflow_home, "SELECT data FROM serialized_dag WHERE dag_id = 'titanic'"
    )
    tasks = {t["__var"]["task_id"]: t["__var"] for t in json.loads(row.data)["dag"]["tasks"]}
    assert tasks["score"]["output_table"] == "scores_{{ ds_nodash }}"
    assert "output_table" in tasks["score"]["template_fields"]
    assert tasks["load"]["task_type"] == "DataDriverOperator"


def test_config_file_alone_points_at_the_metastore(airflow_home: AirflowHome) -> None:
    config = configparser.ConfigParser(interpolation=None)
    config.read(airflow_home.home / "airflow.cfg")
    assert config["database"]["sql_alchemy_conn"] == airflow_home.metastore_url
    assert config["core"]["dags_folder"] == str(airflow_home.home / "dags")
    assert config["core"]["load_examples"] == "False"


def test_marker_round_trips_and_is_reused(airflow_home: AirflowHome) -> None:
    assert AirflowHome.from_json(airflow_home.to_json()) == airflow_home
    assert load_built_home(airflow_home.home, "test") == airflow_home
    assert load_built_home(airflow_home.home, "demo") is None


def test_marker_is_stale_when_the_inputs_change(
    airflow_home: AirflowHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "airflow_version", lambda executable=None: "0.0.0")
    assert load_built_home(airflow_home.home, "test") is None


def test_ensure_reuses_a_complete_home_without_running_airflow(
    airflow_home: AirflowHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_build(*args: object, **kwargs: object) -> AirflowHome:
        raise AssertionError("a complete, current home must not be rebuilt")

    monkeypatch.setattr(demo, "build_airflow_home", no_build)
    assert demo.ensure_airflow_home(airflow_home.home, dag_set="test") == airflow_home


def test_ensure_never_removes_a_directory_ddtui_did_not_build(tmp_path: Path) -> None:
    home = tmp_path / "someone-elses-airflow"
    home.mkdir()
    (home / "airflow.cfg").write_text("[core]\n")
    with pytest.raises(DdtuiError, match="not built by ddtui"):
        demo.ensure_airflow_home(home, dag_set="test")
    assert (home / "airflow.cfg").exists()


def test_build_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(DdtuiError, match="not empty"):
        demo.build_airflow_home(tmp_path, dag_set="test")
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_missing_airflow_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DdtuiError, match=r"ddtui\[demo\]"):
        find_airflow_executable()


def test_set_config_options_keeps_comments_and_adds_missing(tmp_path: Path) -> None:
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text("[core]\n# a comment\ndags_folder = /old\n\n[logging]\nlevel = INFO\n")
    set_config_options(
        cfg,
        {
            ("core", "dags_folder"): "/new",
            ("core", "load_examples"): "False",
            ("database", "sql_alchemy_conn"): "sqlite:////x.db",
        },
    )
    text = cfg.read_text()
    assert "# a comment" in text
    config = configparser.ConfigParser(interpolation=None)
    config.read_string(text)
    assert dict(config["core"]) == {"dags_folder": "/new", "load_examples": "False"}
    assert config["logging"]["level"] == "INFO"
    assert config["database"]["sql_alchemy_conn"] == "sqlite:////x.db"


def test_build_leaves_the_callers_environment_alone(airflow_home: AirflowHome) -> None:
    import os

    assert os.environ.get("AIRFLOW_HOME") != str(airflow_home.home)
    assert demo.DATA_URL_ENV not in os.environ


@pytest.mark.postgres
def test_postgres_metastore_matches_the_plan(pg_airflow_home: AirflowHome) -> None:
    assert pg_airflow_home.metastore_url.startswith("postgresql")
    rows = metastore_rows(pg_airflow_home, "SELECT dag_id, run_id, state FROM dag_run")
    assert {(r.dag_id, r.run_id, r.state) for r in rows} == {
        (run.dag_id, run.run_id, run.state) for run in pg_airflow_home.runs
    }
    assert xcom_tables(pg_airflow_home) == EXPECTED_RETURN_VALUES
    listed = airflow_json(pg_airflow_home, "dags", "list")
    assert {dag["dag_id"] for dag in listed} == set(pg_airflow_home.dag_ids)


def test_import_errors_fail_the_build_with_the_traceback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'airflow.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE import_error (filename TEXT, stacktrace TEXT)"))
        connection.execute(
            sa.text("INSERT INTO import_error VALUES ('titanic.py', 'NameError: x')")
        )
    engine.dispose()
    with pytest.raises(DdtuiError, match=r"titanic\.py:\nNameError: x"):
        demo._check_import_errors(url)


def test_airflow_python_reads_the_scripts_shebang(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "airflow"
    script.parent.mkdir()
    script.write_text(f"#!{sys.executable}\nimport airflow\n")
    assert airflow_cli.airflow_python(str(script)) == sys.executable
    script.write_text("#!/usr/bin/env python3\n")  # cannot tell: one process per command
    assert airflow_cli.airflow_python(str(script)) is None


def test_command_failure_shows_the_command_and_the_last_lines() -> None:
    result = airflow_cli.CommandResult(
        ("dags", "test", "titanic"), "DagRun failed", "\n".join(f"line {i}" for i in range(40))
    )
    message = result.failure(lines=3)
    assert message.splitlines() == [
        "`airflow dags test titanic` exited with DagRun failed:",
        "line 37",
        "line 38",
        "line 39",
    ]
    assert not result.ok


def test_builder_modules_do_not_import_airflow() -> None:
    code = (
        "import ddtui.demo.home, ddtui.demo.airflow_cli, ddtui.demo.airflow_runner, json, sys\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'airflow')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
