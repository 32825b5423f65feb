"""Partitioned outputs on a home where real Airflow ran `partitioned_events` for three days.

`load_events` names its partition in XCom (`{"table": "events", "partition": {"ds": ...}}`),
`score_events` through the templated `output_table` + `output_partition` attributes that
Airflow rendered for each run. Both append to one table; ddtui profiles each run's slice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from profile_checks import assert_json_matches_pandas

from ddtui.demo.home import AirflowHome
from ddtui.drift import ProfileHistory

DDTUI = str(Path(sys.executable).with_name("ddtui"))
DAYS = ("2024-09-01", "2024-09-02", "2024-09-03")


@pytest.fixture
def home(partitions_home: AirflowHome) -> AirflowHome:
    return partitions_home


def ddtui(
    home: AirflowHome, *args: str, history: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI"))}
    env.update(home.env())
    env["COLUMNS"] = "100"
    if history is not None:
        env["DDTUI_HISTORY"] = str(history)
    return subprocess.run([DDTUI, *args], capture_output=True, text=True, env=env, check=False)


def describe_json(
    home: AirflowHome, history: Path, task: str, run_id: str, *more: str
) -> dict[str, Any]:
    done = ddtui(home, "describe", "partitioned_events", task, "--run", run_id, "--format", "json",
                 *more, history=history)  # fmt: skip
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


@pytest.fixture
def history(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite"


def read_partition(home: AirflowHome, table: str, day: str) -> pd.DataFrame:
    engine = sa.create_engine(home.data_url)
    try:
        frame = pd.read_sql_table(table, engine)
    finally:
        engine.dispose()
    return frame[frame["ds"] == pd.Timestamp(day)].reset_index(drop=True)


def run_ids(home: AirflowHome) -> list[str]:
    return [run.run_id for run in home.runs_of("partitioned_events")]


@pytest.mark.parametrize("index", [0, 2])
def test_xcom_partition_is_profiled_alone(home: AirflowHome, history: Path, index: int) -> None:
    day = DAYS[index]
    found = describe_json(home, history, "load_events", run_ids(home)[index])
    assert found["output"]["table"] == "events"
    assert found["output"]["partition"] == {"ds": day}
    assert found["output"]["source"] == "xcom"
    assert found["profile"]["table"] == f"events [ds={day}]"
    expected = read_partition(home, "events", day)
    assert len(expected) == 3000  # one day of three: the whole table has 9000
    assert_json_matches_pandas(found["profile"], expected)
    assert [row["event_id"] for row in found["profile"]["head"]] == expected["event_id"].head(
        len(found["profile"]["head"])
    ).tolist()


def test_templated_partition_attribute_is_rendered_per_run(
    home: AirflowHome, history: Path
) -> None:
    for run_id, day in zip(run_ids(home), DAYS, strict=True):
        found = describe_json(home, history, "score_events", run_id)
        assert found["output"]["source"] == "output_table"
        assert found["output"]["partition"] == {"ds": day}
        assert "output_partition ds=" + day in found["output"]["reason"]
        expected = read_partition(home, "event_scores", day)
        assert found["profile"]["row_count"] == len(expected) == 3000
        assert_json_matches_pandas(found["profile"], expected)


def test_tasks_list_each_runs_partition(home: AirflowHome) -> None:
    done = ddtui(home, "tasks", "partitioned_events", "--run", run_ids(home)[1])
    assert done.returncode == 0, done.stderr
    assert "events [ds=2024-09-02] · xcom" in done.stdout
    assert "event_scores [ds=2024-09-02] · output_table" in done.stdout


def test_compare_previous_is_the_previous_runs_partition(home: AirflowHome, history: Path) -> None:
    first, second, shifted = run_ids(home)
    calm = describe_json(home, history, "load_events", second, "--compare", "previous")["drift"]
    assert calm["baseline"]["table"] == "events [ds=2024-09-01]"
    assert calm["current"]["table"] == "events [ds=2024-09-02]"
    assert (calm["baseline"]["source"], calm["current"]["source"]) == ("live", "live")
    assert calm["baseline"]["run_id"] == first
    assert calm["verdict"] == "ok"
    drifted = describe_json(home, history, "load_events", shifted, "--compare", "previous")
    drifted = drifted["drift"]
    assert drifted["baseline"]["table"] == "events [ds=2024-09-02]"
    columns = {c["name"]: c for c in drifted["columns"]}
    assert columns["amount"]["verdict"] == "drift"
    assert columns["country"]["verdict"] == "ok"
    # The partition key differs between partitions by design: shown, never judged.
    assert columns["ds"]["verdict"] == "ok"
    assert "the partition key: PSI not judged" in columns["ds"]["reasons"]
    assert drifted["verdict"] == "drift"


def test_history_keeps_each_partition_apart(home: AirflowHome, history: Path) -> None:
    for run_id in run_ids(home):
        done = ddtui(home, "describe", "partitioned_events", "load_events", "--run", run_id,
                     "--record", "--format", "json", history=history)  # fmt: skip
        assert done.returncode == 0, done.stderr
    entries = ProfileHistory(history).for_task(
        home.metastore_url, "partitioned_events", "load_events"
    )
    tables = {entry.key.run_id: entry.key.table for entry in entries}
    assert tables == {
        run_id: f"events [ds={day}]" for run_id, day in zip(run_ids(home), DAYS, strict=True)
    }
    assert all(entry.profile.row_count == 3000 for entry in entries)
