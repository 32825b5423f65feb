"""`ddtui describe` and `ddtui tasks` on the real test Airflow home, checked against pandas."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from ddtui.demo.home import AirflowHome

DDTUI = str(Path(sys.executable).with_name("ddtui"))


def ddtui(
    home: AirflowHome, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI", "NO_COLOR"))
    }
    base.update(home.env())
    base.update(env or {})
    return subprocess.run([DDTUI, *args], capture_output=True, text=True, env=base, check=False)


def successful_run(home: AirflowHome, dag_id: str) -> str:
    return next(r.run_id for r in home.runs if r.dag_id == dag_id and r.state == "success")


def read_table(home: AirflowHome, table: str) -> pd.DataFrame:
    return pd.read_sql_table(table, sa.create_engine(home.data_url))


def test_json_profile_equals_pandas_describe(airflow_home: AirflowHome) -> None:
    run_id = successful_run(airflow_home, "titanic")
    done = ddtui(airflow_home, "describe", "titanic", "clean", "--run", run_id, "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["schema_version"] == 1
    assert (doc["dag_id"], doc["task_id"], doc["run_id"]) == ("titanic", "clean", run_id)
    assert doc["output"]["source"] == "xcom"
    frame = read_table(airflow_home, doc["output"]["table"])
    profile = doc["profile"]
    assert profile["row_count"] == len(frame)
    assert profile["exact"] is True
    described = frame.describe(include="all")
    columns = {c["name"]: c for c in profile["columns"]}
    assert list(columns) == list(frame.columns)
    for name in frame.columns:
        col = columns[name]
        assert col["missing"] == int(frame[name].isna().sum()), name
        assert col["distinct"] == int(frame[name].nunique()), name
        assert col["count"] == int(frame[name].count()), name
        if col["kind"] == "number":
            for ours, theirs in [
                ("mean", "mean"),
                ("std", "std"),
                ("q25", "25%"),
                ("q50", "50%"),
                ("q75", "75%"),
            ]:
                assert math.isclose(col[ours], float(described.loc[theirs, name]), rel_tol=1e-9), (
                    name,
                    ours,
                )
        if col["kind"] == "text":
            assert col["top"] == described.loc["top", name]
            assert col["freq"] == described.loc["freq", name]


def test_text_output_has_the_numbers_and_no_escapes_when_piped(airflow_home: AirflowHome) -> None:
    run_id = successful_run(airflow_home, "titanic")
    done = ddtui(airflow_home, "describe", "titanic", "clean", "--run", run_id)
    assert done.returncode == 0, done.stderr
    frame = read_table(airflow_home, "titanic_clean")
    assert f"{len(frame)} rows" in done.stdout
    assert "\x1b[" not in done.stdout  # not a terminal: plain text
    assert f"{frame['age'].mean():.6g}" in done.stdout
    assert re.search(r"^age \(number, \d+ bins\)$", done.stdout, re.M)  # the chart's title


def test_markdown_with_columns_and_a_sample(airflow_home: AirflowHome) -> None:
    run_id = successful_run(airflow_home, "titanic")
    done = ddtui(
        airflow_home, "describe", "titanic", "clean", "--run", run_id,
        "--format", "markdown", "--sample", "100", "-c", "age", "-c", "sex",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "| count | " in done.stdout
    assert "sample of 100 rows" in done.stdout
    assert "fare" not in done.stdout.split("### describe")[1]


def test_outlet_output_is_found_and_profiled(airflow_home: AirflowHome) -> None:
    structure_tasks = ddtui(airflow_home, "tasks", "asset_outputs")
    assert structure_tasks.returncode == 0, structure_tasks.stderr
    first_task = structure_tasks.stdout.splitlines()[2].split()[0]
    done = ddtui(airflow_home, "describe", "asset_outputs", first_task, "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["output"]["source"] == "outlet"
    assert doc["profile"]["row_count"] == len(read_table(airflow_home, doc["output"]["table"]))


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["titanik", "clean"], 2, "Did you mean: titanic?"),
        (["titanic", "cleen"], 2, "Did you mean: clean?"),
        (["titanic", "clean", "--run", "nope"], 2, "unknown run 'nope'"),
        (["titanic", "clean", "-c", "agee"], 2, "Did you mean: age"),
        (["no_outputs", "say_hello"], 5, "no output table"),
        (["titanic", "clean", "--format", "xml"], 2, "--format"),
    ],
)
def test_errors_are_one_line_with_distinct_codes(
    airflow_home: AirflowHome, args: list[str], code: int, message: str
) -> None:
    done = ddtui(airflow_home, "describe", *args)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_table_is_a_data_source_error(airflow_home: AirflowHome, tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    done = ddtui(
        airflow_home, "describe", "titanic", "load", env={"DDTUI_DATA_URL": f"sqlite:///{empty}"}
    )
    assert done.returncode == 6
    assert "titanic_raw" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_tasks_lists_states_and_outputs_of_the_latest_run(airflow_home: AirflowHome) -> None:
    done = ddtui(airflow_home, "tasks", "titanic")
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
    assert "failed" in done.stdout.splitlines()[0]  # the latest titanic run failed
    assert "titanic_clean · xcom" in rows["clean"]
    assert "upstream_failed" in rows["score"]


def test_an_unusable_history_exits_9_in_one_line(airflow_home: AirflowHome, tmp_path: Path) -> None:
    history = tmp_path / "history"
    history.mkdir()  # a folder where the history file should be
    done = ddtui(
        airflow_home,
        "describe",
        "titanic",
        "clean",
        "--record",
        env={"DDTUI_HISTORY": str(history)},
    )
    assert done.returncode == 9, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"ddtui: profile history {history}: unable to open database file"
    ]
