"""A home where real Airflow ran `warehouse_outputs`, whose task writes through its `warehouse`
connection to PostgreSQL; then `warehouse` is replaced by a login that may only read."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from airflow_home_support import POSTGRES_URL, fresh_postgres_database
from connections_support import SECRET, fernet_key_in, run_airflow
from sqlalchemy.engine import make_url

from ddtui.demo.home import AirflowHome, build_airflow_home

WRITER_SECRET = "wh-writer-pw"  # the writer's password: only Airflow's run uses it


@contextmanager
def warehouse_home(directory: Path, progress: Callable[[str], None]) -> Iterator[AirflowHome]:
    """The `warehouse` DAG set built with its table in a fresh PostgreSQL database; yields the
    home whose `warehouse` connection is then the SELECT-only role, with password SECRET."""
    pid = os.getpid()
    name = f"ddtui_wh_{pid}"
    writer, reader = f"ddtui_wh_writer_{pid}", f"ddtui_wh_reader_{pid}"
    server = sa.create_engine(POSTGRES_URL, poolclass=sa.NullPool)
    try:
        with server.begin() as db:
            for role, password in ((writer, WRITER_SECRET), (reader, SECRET)):
                db.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
                db.execute(sa.text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'"))
        with fresh_postgres_database(POSTGRES_URL, name) as admin_url:
            admin = sa.create_engine(admin_url, poolclass=sa.NullPool)
            with admin.begin() as db:
                db.execute(sa.text(f'GRANT USAGE, CREATE ON SCHEMA public TO "{writer}"'))
                db.execute(sa.text(f'GRANT USAGE ON SCHEMA public TO "{reader}"'))
            built = build_airflow_home(
                directory,
                dag_set="warehouse",
                data_url=admin_url,
                connections={"warehouse": _connection(name, writer, WRITER_SECRET)},
                progress=progress,
            )
            assert fernet_key_in(directory / "airflow.cfg"), "no fernet key in airflow.cfg"
            with admin.begin() as db:
                db.execute(sa.text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{reader}"'))
            conn = json.dumps(_connection(name, reader, SECRET))
            run_airflow(
                directory,
                [
                    ["connections", "delete", "warehouse"],
                    ["connections", "add", "warehouse", "--conn-json", conn],
                ],
            )
            try:
                yield built
            finally:
                admin.dispose()
    finally:
        with server.begin() as db:
            for role in (writer, reader):
                db.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        server.dispose()


def _connection(database: str, login: str, password: str) -> dict[str, object]:
    """Airflow's JSON form of a PostgreSQL connection to `database` on the test server."""
    return {
        "conn_type": "postgres",
        "host": "127.0.0.1",
        "port": make_url(POSTGRES_URL).port or 5432,
        "schema": database,
        "login": login,
        "password": password,
    }
