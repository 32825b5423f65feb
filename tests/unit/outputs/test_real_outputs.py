"""Every way ddtui finds an output, on tables that real `airflow dags test` runs wrote.

A templated `output_table` (no XCom: only the value Airflow rendered for the run names the
table) in the SQLite test home, and outlet assets on a PostgreSQL database written by the
`asset_outputs` DAG. Profiles equal pandas reading the same tables.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa
from airflow_home_support import data_url_option
from profile_checks import assert_json_matches_pandas
from sqlalchemy.engine import make_url

from ddtui.demo.home import AirflowHome
from tests.unit.cli.test_describe_cli import ddtui, read_table


@pytest.mark.parametrize(("date", "rows"), [("20240701", 2_000), ("20240702", 1_500)])
def test_templated_output_table_is_the_one_rendered_for_each_run(
    airflow_home: AirflowHome, date: str, rows: int
) -> None:
    run = next(
        r
        for r in airflow_home.runs_of("templated_output")
        if date in r.logical_date.replace("-", "")
    )
    done = ddtui(
        airflow_home, "describe", "templated_output", "readings", "--run", run.run_id, "-f", "json"
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["output"]["source"] == "output_table"
    assert doc["output"]["table"] == f"readings_{date}"
    assert "rendered for this run" in doc["output"]["reason"]
    frame = read_table(airflow_home, f"readings_{date}")
    assert len(frame) == rows
    assert_json_matches_pandas(doc["profile"], frame)


def test_tasks_lists_the_rendered_table(airflow_home: AirflowHome) -> None:
    done = ddtui(airflow_home, "tasks", "templated_output")
    assert done.returncode == 0, done.stderr
    assert "readings_20240702 · output_table" in done.stdout


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("task_id", "table"),
    [("extract_orders", "orders"), ("daily_revenue", "daily_revenue")],
)
def test_outlet_on_postgres_is_found_and_profiled(
    pg_asset_home: AirflowHome, task_id: str, table: str
) -> None:
    # The asset URI carries no user: ddtui reads it only as the configured source it names,
    # with that source's URL and credentials (--data-url here).
    configured = data_url_option(pg_asset_home)
    done = ddtui(
        pg_asset_home, "describe", "asset_outputs", task_id, "--data-url", configured,
        "-f", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    server = make_url(configured)
    asset = f"postgres://{server.host}:{server.port or 5432}/{server.database}/public/{table}"
    assert doc["output"]["source"] == "outlet"
    assert (doc["output"]["schema"], doc["output"]["table"]) == ("public", table)
    assert asset in doc["output"]["reason"]
    engine = sa.create_engine(pg_asset_home.data_url, poolclass=sa.NullPool)
    frame = pd.read_sql_table(table, engine, schema="public")
    assert_json_matches_pandas(doc["profile"], frame)
