"""Metastores whose XComs and assets point elsewhere, and a TCP port that notices visitors."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
from pathlib import Path

from ddtui.demo.home import AirflowHome


class Listener:
    """A TCP port on 127.0.0.1 that accepts nothing itself but counts who connected.

    The kernel completes each handshake into the listen backlog, so after the code under test
    has returned, every connection it made (or began) is there to be counted: no waiting.
    """

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self._socket.setblocking(False)
        self.port: int = self._socket.getsockname()[1]
        self._seen = 0

    def connections(self) -> int:
        while True:
            try:
                visitor, _ = self._socket.accept()
            except BlockingIOError:
                return self._seen
            visitor.close()
            self._seen += 1

    def close(self) -> None:
        self._socket.close()


def copy_metastore(home: AirflowHome, directory: Path) -> Path:
    """A copy of the test home's SQLite metastore, free to be changed."""
    copy = directory / "airflow.db"
    shutil.copy(home.metastore_url.removeprefix("sqlite:///"), copy)
    return copy


def set_return_value(metastore: Path, dag_id: str, task_id: str, value: object) -> None:
    """Every run's XCom return value of the task becomes `value` (stored as Airflow 3 does)."""
    with sqlite3.connect(metastore) as db:
        changed = db.execute(
            "UPDATE xcom SET value = ? WHERE dag_id = ? AND task_id = ? AND key = 'return_value'",
            (json.dumps(value), dag_id, task_id),
        ).rowcount
    assert changed, f"{dag_id}.{task_id} has no XCom return value to change"


def set_outlet(metastore: Path, dag_id: str, table: str, uri: str) -> None:
    """The serialized DAG's outlet asset(s) ending in `/table` now name `uri` instead."""
    with sqlite3.connect(metastore) as db:
        (data,) = db.execute(
            "SELECT data FROM serialized_dag WHERE dag_id = ?", (dag_id,)
        ).fetchone()
        document = json.loads(data)
        changed = 0
        for task in document["dag"]["tasks"]:
            for outlet in task["__var"].get("outlets") or []:
                var = outlet.get("__var", {})
                if str(var.get("uri", "")).endswith(f"/{table}"):
                    var["uri"] = var["name"] = uri
                    changed += 1
        assert changed, f"no outlet of {dag_id} ends in /{table}"
        db.execute(
            "UPDATE serialized_dag SET data = ? WHERE dag_id = ?", (json.dumps(document), dag_id)
        )
