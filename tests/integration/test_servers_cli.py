"""`ddtui dags`, `tasks` and `describe` on metastores that real Airflow built on PostgreSQL
and on MariaDB, checked against the metastore's own runs and against pandas.

The output tables are in the homes' SQLite data.db; the metastores are on the servers.
"""

from __future__ import annotations

import json

import pytest
from airflow_home_support import user_url
from profile_checks import assert_json_matches_pandas

from ddtui.demo.home import AirflowHome
from tests.unit.cli.test_describe_cli import ddtui, read_table

SERVERS = [
    pytest.param("pg_airflow_home", marks=pytest.mark.postgres, id="postgresql"),
    pytest.param("mariadb_airflow_home", marks=pytest.mark.mysql, id="mariadb"),
]


@pytest.fixture(params=SERVERS)
def server_home(request: pytest.FixtureRequest) -> AirflowHome:
    return request.getfixturevalue(request.param)


def on_server(home: AirflowHome, *args: str):
    """Run ddtui with the metastore given as a user types it (the data URL from the home)."""
    return ddtui(home, *args, "--metastore", user_url(home.metastore_url))


def test_dags_lists_every_dag_with_its_latest_run(server_home: AirflowHome) -> None:
    done = on_server(server_home, "dags")
    assert done.returncode == 0, done.stderr
    scheme = user_url(server_home.metastore_url).split("://")[0]
    assert done.stdout.startswith(f"{scheme}://")
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
    assert set(lines) == set(server_home.dag_ids)
    assert "failed" in lines["titanic"] and "2024-01-02" in lines["titanic"]


def test_tasks_of_each_run(server_home: AirflowHome) -> None:
    older, newer = server_home.runs_of("titanic")
    for run, train_state in ((newer, "failed"), (older, "success")):
        done = on_server(server_home, "tasks", "titanic", "--run", run.run_id)
        assert done.returncode == 0, done.stderr
        rows = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
        assert train_state in rows["train"]
        assert "titanic_clean · xcom" in rows["clean"]


def test_describe_equals_pandas_in_each_run(server_home: AirflowHome) -> None:
    for run in server_home.runs_of("titanic"):
        done = on_server(
            server_home, "describe", "titanic", "clean", "--run", run.run_id, "-f", "json"
        )
        assert done.returncode == 0, done.stderr
        doc = json.loads(done.stdout)
        assert (doc["run_id"], doc["output"]["source"]) == (run.run_id, "xcom")
        assert_json_matches_pandas(doc["profile"], read_table(server_home, "titanic_clean"))


def test_describe_finds_the_rendered_table_of_each_run(server_home: AirflowHome) -> None:
    for run in server_home.runs_of("templated_output"):
        table = "readings_" + run.logical_date[:10].replace("-", "")
        done = on_server(
            server_home,
            "describe",
            "templated_output",
            "readings",
            "--run",
            run.run_id,
            "-f",
            "json",
        )
        assert done.returncode == 0, done.stderr
        doc = json.loads(done.stdout)
        assert (doc["output"]["source"], doc["output"]["table"]) == ("output_table", table)
        assert_json_matches_pandas(doc["profile"], read_table(server_home, table))


@pytest.mark.mysql
@pytest.mark.parametrize("driver", ["mysql+mysqldb", "mysql+pymysql"])
def test_mariadb_metastore_reads_the_same_through_either_driver(
    mariadb_airflow_home: AirflowHome, driver: str
) -> None:
    # `mysql://` takes mysqlclient when it is installed (the tests above); PyMySQL is the
    # pure-Python fallback users without a C build get.
    url = user_url(mariadb_airflow_home.metastore_url).replace("mysql://", f"{driver}://", 1)
    run = mariadb_airflow_home.runs_of("templated_output")[0]
    done = ddtui(
        mariadb_airflow_home, "describe", "templated_output", "readings", "--run", run.run_id,
        "-f", "json", "--metastore", url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["output"]["table"] == "readings_20240701"
    assert_json_matches_pandas(
        doc["profile"], read_table(mariadb_airflow_home, "readings_20240701")
    )
