"""Airflow homes whose connections real Airflow added to the metastore, encrypted with the
fernet key that only their airflow.cfg holds."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ddtui.demo.airflow_cli import AirflowCli, find_airflow_executable, set_config_options
from ddtui.demo.home import AirflowHome

SECRET = "s3cret-conns-pw"  # the connections' password: it must never be printed


@dataclass(frozen=True)
class ConnectionsHome:
    """A copy of the test home (metastore, airflow.cfg, data) with connections added."""

    home: Path
    metastore: Path
    data_db: Path
    fernet_key: str

    @property
    def metastore_url(self) -> str:
        return f"sqlite:///{self.metastore}"

    def add_connections(self, commands: Sequence[Sequence[str]]) -> None:
        """Run `airflow connections add ...` commands with real Airflow, all in one process."""
        run_airflow(self.home, commands)


def run_airflow(home: Path, commands: Sequence[Sequence[str]]) -> None:
    """Run `airflow` commands (connections add/delete ...) on `home`, all in one process."""
    cli = AirflowCli(find_airflow_executable(), home, "", lambda line: None)
    failed = [result.failure() for result in cli.run_many(commands) if not result.ok]
    assert not failed, failed


def copy_home(source: AirflowHome, home: Path) -> ConnectionsHome:
    """The test home's metastore, data and airflow.cfg in `home`, the cfg pointing at the copy.

    No AIRFLOW__* variable is set anywhere: Airflow and ddtui find everything in airflow.cfg.
    """
    home.mkdir(parents=True)
    metastore = home / "airflow.db"
    original = source.metastore_url.removeprefix("sqlite:///")
    with sqlite3.connect(original) as src, sqlite3.connect(metastore) as dst:
        src.backup(dst)
    data_db = home / "data.db"
    shutil.copy(source.data_url.removeprefix("sqlite:///"), data_db)
    shutil.copytree(source.home / "dags", home / "dags")
    config = home / "airflow.cfg"
    shutil.copy(source.home / "airflow.cfg", config)
    set_config_options(
        config,
        {
            ("database", "sql_alchemy_conn"): f"sqlite:///{metastore}",
            ("core", "dags_folder"): str(home / "dags"),
            ("logging", "base_log_folder"): str(home / "logs"),
        },
    )
    key = fernet_key_in(config)
    assert key, "Airflow wrote no fernet key into the test home's airflow.cfg"
    return ConnectionsHome(home, metastore, data_db, key)


def fernet_key_in(config: Path) -> str:
    """The `[core] fernet_key` line's value in an airflow.cfg."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(config)
    return parser.get("core", "fernet_key", fallback="").strip()


def set_task_field(metastore: Path, dag_id: str, task_id: str, name: str, value: str) -> None:
    """Make `name` a template field of the serialized task, with `value` (as Airflow writes
    an operator whose template_fields include it)."""
    with sqlite3.connect(metastore) as db:
        (data,) = db.execute(
            "SELECT data FROM serialized_dag WHERE dag_id = ?", (dag_id,)
        ).fetchone()
        document = json.loads(data)
        tasks = [t["__var"] for t in document["dag"]["tasks"] if t["__var"]["task_id"] == task_id]
        assert tasks, f"{dag_id} has no task {task_id}"
        var = tasks[0]
        var["template_fields"] = [*(var.get("template_fields") or []), name]
        var[name] = value
        db.execute(
            "UPDATE serialized_dag SET data = ? WHERE dag_id = ?", (json.dumps(document), dag_id)
        )


def build_connections_home(airflow_home: AirflowHome, directory: Path) -> ConnectionsHome:
    """A copy of the test home where real Airflow added `warehouse` (SQLite, the home's data)
    and `pg_reader` (PostgreSQL) and whose `titanic.clean` names `conn_id="warehouse"`."""
    home = copy_home(airflow_home, directory)
    # --conn-json: with no provider installed for a type, --conn-type would store "generic".
    warehouse = {"conn_type": "sqlite", "host": str(home.data_db), "password": SECRET}
    reader = {
        "conn_type": "postgres",
        "host": "127.0.0.1",
        "port": 5432,
        "schema": "somedb",
        "login": "reader",
        "password": SECRET,
        "extra": {"sslmode": "disable", "unrelated": "x"},
    }
    home.add_connections(
        [
            ["connections", "add", "warehouse", "--conn-json", json.dumps(warehouse)],
            ["connections", "add", "pg_reader", "--conn-json", json.dumps(reader)],
        ]
    )
    set_task_field(home.metastore, "titanic", "clean", "conn_id", "warehouse")
    return home
