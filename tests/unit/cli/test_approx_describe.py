"""`ddtui describe --approx` on a real Airflow home's output: estimated (and labelled) where
the database has approximate aggregates, exact (and said so) where it has none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_describe_cli import ddtui, read_table, successful_run

from ddtui.demo.home import AirflowHome


def _output_table(home: AirflowHome, run_id: str) -> str:
    done = ddtui(home, "describe", "titanic", "clean", "--run", run_id, "--format", "json")
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["output"]["table"])


def test_describe_approx_on_duckdb_estimates_and_labels(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    pytest.importorskip("duckdb_engine", reason="DuckDB needs ddtui[duckdb]")
    run_id = successful_run(airflow_home, "titanic")
    table = _output_table(airflow_home, run_id)
    frame = read_table(airflow_home, table)
    copy = tmp_path / "copy.duckdb"
    writer = sa.create_engine(f"duckdb:///{copy}", poolclass=sa.NullPool)
    frame.to_sql(table, writer, index=False)
    writer.dispose()
    args = ["describe", "titanic", "clean", "--run", run_id, "--data-url", f"duckdb:///{copy}"]

    done = ddtui(airflow_home, *args, "--approx", "--format", "json")
    assert done.returncode == 0, done.stderr
    profile = json.loads(done.stdout)["profile"]
    assert (profile["exact"], profile["method"]) == (False, "approx_quantile")
    columns = {c["name"]: c for c in profile["columns"]}
    for name in frame.select_dtypes("number").columns:
        col, values = columns[name], frame[name]
        # Counts and moments stay exact; quartiles within the range, distinct counts (a
        # HyperLogLog estimate: 311 for 356 ages here) within 25%.
        assert col["count"] == int(values.count()), name
        assert col["mean"] == pytest.approx(float(values.mean())), name
        assert float(values.min()) <= col["q50"] <= float(values.max()), name
        assert col["distinct"] == pytest.approx(int(values.nunique()), rel=0.25, abs=2), name

    text = ddtui(airflow_home, *args, "--approx")
    assert text.returncode == 0, text.stderr
    assert "approximate quantiles and distinct counts (approx_quantile)" in text.stdout

    # --record keeps the history exact: an estimated profile is not stored.
    history = {"DDTUI_HISTORY": str(tmp_path / "history.db")}
    recorded = ddtui(airflow_home, *args, "--approx", "--record", env=history)
    assert recorded.returncode == 0, recorded.stderr
    assert "not recorded: --record stores exact profiles only" in recorded.stderr


def test_describe_approx_on_sqlite_stays_exact_and_says_so(airflow_home: AirflowHome) -> None:
    run_id = successful_run(airflow_home, "titanic")
    table = _output_table(airflow_home, run_id)
    frame = read_table(airflow_home, table)
    done = ddtui(
        airflow_home, "describe", "titanic", "clean", "--run", run_id, "--approx", "--format",
        "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    profile = json.loads(done.stdout)["profile"]
    assert profile["exact"] is True and "method" not in profile
    assert "no approximate aggregates; the profile is exact" in done.stderr
    columns = {c["name"]: c for c in profile["columns"]}
    for name in frame.select_dtypes("number").columns:
        assert columns[name]["q50"] == pytest.approx(float(frame[name].median())), name
        assert columns[name]["distinct"] == int(frame[name].nunique()), name


def test_approx_before_the_command_reaches_describe_and_not_dags(
    airflow_home: AirflowHome,
) -> None:
    run_id = successful_run(airflow_home, "titanic")
    done = ddtui(airflow_home, "--approx", "describe", "titanic", "clean", "--run", run_id)
    assert done.returncode == 0, done.stderr
    assert "the profile is exact" in done.stderr
    refused = ddtui(airflow_home, "--approx", "dags")
    assert refused.returncode != 0 and "does not take --approx" in refused.stderr
    both = ddtui(airflow_home, "describe", "titanic", "clean", "--sample", "5", "--approx")
    assert both.returncode != 0 and "exclude each other" in both.stderr
