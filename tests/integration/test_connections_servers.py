"""Through an Airflow connection whose login may only read, on the real PostgreSQL server:
a task's `conn_id` and a `postgres://` asset on that server both find their table, no flags."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from airflow_home_support import (
    MYSQL_URL,
    POSTGRES_URL,
    fresh_mysql_database,
    fresh_postgres_database,
    require_service,
)
from connections_support import SECRET, ConnectionsHome, copy_home, set_task_field
from sources_support import set_outlet
from sqlalchemy.engine import make_url

from ddtui.demo.home import AirflowHome
from tests.unit.config.test_connections import assert_equals_pandas, ddtui, profile

VIA = "Airflow connection `pg_wh` (metastore)"


@pytest.fixture(scope="module")
def pg_home(
    airflow_home: AirflowHome, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ConnectionsHome, str]]:
    """A home whose `pg_wh` connection reaches a fresh database as a login that may only read."""
    require_service("PostgreSQL", POSTGRES_URL)
    name, role = f"ddtui_conns_{os.getpid()}", f"ddtui_conns_reader_{os.getpid()}"
    with fresh_postgres_database(POSTGRES_URL, name) as admin_url:
        admin = sa.create_engine(admin_url, poolclass=sa.NullPool)
        data = sa.create_engine(airflow_home.data_url)
        for table in ("titanic_clean", "orders"):
            pd.read_sql_table(table, data).to_sql(table, admin, index=False)
        data.dispose()
        with admin.begin() as db:
            db.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
            db.execute(sa.text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{SECRET}'"))
            db.execute(sa.text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
        try:
            home = copy_home(airflow_home, tmp_path_factory.mktemp("pgconns") / "airflow")
            conn = {
                "conn_type": "postgres",
                "host": "127.0.0.1",
                "port": make_url(POSTGRES_URL).port or 5432,
                "schema": name,
                "login": role,
                "password": SECRET,
            }
            home.add_connections([["connections", "add", "pg_wh", "--conn-json", json.dumps(conn)]])
            set_task_field(home.metastore, "titanic", "clean", "conn_id", "pg_wh")
            asset = f"postgres://127.0.0.1:5432/{name}/public/orders"
            set_outlet(home.metastore, "asset_outputs", "orders", asset)
            yield home, admin_url
        finally:
            with admin.begin() as db:
                db.execute(sa.text(f'DROP OWNED BY "{role}"'))
            admin.dispose()
    with sa.create_engine(POSTGRES_URL, poolclass=sa.NullPool).begin() as db:
        db.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("dag_id", "task_id"), [("titanic", "clean"), ("asset_outputs", "extract_orders")]
)
def test_reads_through_the_connection_and_records_no_password(
    pg_home: tuple[ConnectionsHome, str], dag_id: str, task_id: str, tmp_path: Path
) -> None:
    home, admin_url = pg_home
    history = tmp_path / "history.sqlite"
    done = ddtui(
        home, "describe", dag_id, task_id, "-f", "json", "--record", DDTUI_HISTORY=str(history)
    )
    found = profile(done)
    assert found["output"]["read_through"] == VIA
    assert "pg_wh" in found["output"]["reason"]
    assert_equals_pandas(found, admin_url)
    assert history.exists()
    assert SECRET.encode() not in history.read_bytes()


@pytest.fixture(scope="module")
def mariadb_home(
    airflow_home: AirflowHome, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ConnectionsHome, str]]:
    """A home whose `my_wh` connection reaches a fresh MariaDB database as a login that may
    only read, with a password the server checks (so only the decrypted one gets in)."""
    require_service("MariaDB/MySQL", MYSQL_URL)
    name, user = f"ddtui_conns_{os.getpid()}", f"ddtui_conns_ro_{os.getpid()}"
    with fresh_mysql_database(MYSQL_URL, name) as admin_url:
        admin = sa.create_engine(admin_url, poolclass=sa.NullPool)
        data = sa.create_engine(airflow_home.data_url)
        pd.read_sql_table("orders", data).to_sql("orders", admin, index=False)
        data.dispose()
        with admin.begin() as db:
            db.execute(sa.text(f"DROP USER IF EXISTS '{user}'@'%'"))
            db.execute(sa.text(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{SECRET}'"))
            db.execute(sa.text(f"GRANT SELECT ON `{name}`.* TO '{user}'@'%'"))
        try:
            home = copy_home(airflow_home, tmp_path_factory.mktemp("myconns") / "airflow")
            conn = {
                "conn_type": "mysql",
                "host": "127.0.0.1",
                "port": make_url(MYSQL_URL).port or 3306,
                "schema": name,
                "login": user,
                "password": SECRET,
            }
            home.add_connections([["connections", "add", "my_wh", "--conn-json", json.dumps(conn)]])
            set_outlet(
                home.metastore, "asset_outputs", "orders", f"mysql://127.0.0.1:3306/{name}/orders"
            )
            yield home, admin_url
        finally:
            with admin.begin() as db:
                db.execute(sa.text(f"DROP USER IF EXISTS '{user}'@'%'"))
            admin.dispose()


@pytest.mark.mysql
def test_a_mysql_asset_reads_through_the_connection_whose_password_the_server_checks(
    mariadb_home: tuple[ConnectionsHome, str],
) -> None:
    home, admin_url = mariadb_home
    found = profile(ddtui(home, "describe", "asset_outputs", "extract_orders", "-f", "json"))
    assert found["output"]["read_through"] == "Airflow connection `my_wh` (metastore)"
    assert_equals_pandas(found, admin_url)
