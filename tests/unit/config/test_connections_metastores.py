"""Connections that real Airflow added to PostgreSQL and MariaDB metastores decrypt with the
fernet key of the home's airflow.cfg, and `--data-conn` reads through them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from connections_support import SECRET

import ddtui as ddtui_package
from ddtui.config.connections import AirflowConnections
from ddtui.demo.airflow_cli import AirflowCli, find_airflow_executable
from ddtui.demo.home import AirflowHome

DDTUI = str(Path(sys.executable).with_name("ddtui"))
SOURCE_ROOT = str(Path(ddtui_package.__file__).resolve().parents[1])
CONN_ID = f"conns_wh_{os.getpid()}"


@pytest.mark.parametrize("home_fixture", ["pg_airflow_home", "mariadb_airflow_home"])
def test_a_server_metastores_connection_decrypts_and_reads(
    home_fixture: str, request: pytest.FixtureRequest
) -> None:
    home: AirflowHome = request.getfixturevalue(home_fixture)
    data_path = home.data_url.removeprefix("sqlite:///")
    conn = {"conn_type": "sqlite", "host": data_path, "password": SECRET, "extra": {"a": 1}}
    cli = AirflowCli(find_airflow_executable(), home.home, home.data_url, lambda line: None)
    cli.run("connections", "add", CONN_ID, "--conn-json", json.dumps(conn))
    try:
        engine = sa.create_engine(home.metastore_url, poolclass=sa.NullPool)
        found = AirflowConnections({"AIRFLOW_HOME": str(home.home)}, engine).get(CONN_ID)
        engine.dispose()
        assert (found.password, dict(found.extra), found.origin) == (SECRET, {"a": 1}, "metastore")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI"))}
        env.update(AIRFLOW_HOME=str(home.home), PYTHONPATH=SOURCE_ROOT)
        command = [DDTUI, "describe", "titanic", "features", "-f", "json", "--data-conn", CONN_ID]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        output = json.loads(done.stdout)["output"]
        assert output["read_through"] == f"Airflow connection `{CONN_ID}` (metastore)"
        assert SECRET not in done.stdout + done.stderr
    finally:
        cli.run("connections", "delete", CONN_ID, check=False)
