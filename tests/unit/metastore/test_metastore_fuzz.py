"""Random serialized DAGs, XCom values and task-instance cells in a real metastore, through
the reader, output resolution and the task list: ddtui's own errors (with their exit codes)
or a result, never any other exception."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fault_support import copy_metastore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddtui.config.settings import DataSettings
from ddtui.demo.home import AirflowHome
from ddtui.errors import DdtuiError
from ddtui.metastore import Metastore, open_metastore
from ddtui.outputs.resolve import resolve_output
from ddtui.render.listings import format_task_list

DAG_ID = "titanic"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
# Table-name-like text and URIs too, where output resolution does the most.
names = st.sampled_from(
    ["titanic_clean", "a.b", "postgres://h:1/db/s/t", "sqlite:////tmp/x.db/t", "mysql://[::1/d/t"]
) | st.text(max_size=40)


class Fixture:
    """One metastore copy for all examples: each rewrites the DAG's rows and XComs."""

    def __init__(self, db: Path, store: Metastore, document: dict[str, Any], run_id: str):
        self.db, self.store, self.document, self.run_id = db, store, document, run_id

    def write(self, data: Any, compressed: bytes | None, xcom: Any, cells: list[Any]) -> None:
        with sqlite3.connect(self.db) as conn:
            conn.execute(
                "UPDATE serialized_dag SET data = ?, data_compressed = ? WHERE dag_id = ?",
                (data, compressed, DAG_ID),
            )
            conn.execute(
                "UPDATE xcom SET value = ? WHERE dag_id = ? AND run_id = ?",
                (xcom, DAG_ID, self.run_id),
            )
            # Columns Airflow types, which SQLite keeps whatever is written into.
            conn.execute(
                "UPDATE task_instance SET try_number = ?, duration = ?, start_date = ?, "
                "end_date = ?, state = ? WHERE dag_id = ? AND run_id = ?",
                (*cells, DAG_ID, self.run_id),
            )
        conn.close()


@pytest.fixture(scope="module")
def fuzzed(
    airflow_home: AirflowHome, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fixture]:
    db = copy_metastore(airflow_home, tmp_path_factory.mktemp("fuzz") / "airflow.db")
    with sqlite3.connect(db) as conn:
        (text,) = conn.execute(
            "SELECT data FROM serialized_dag WHERE dag_id = ? ORDER BY created_at DESC", (DAG_ID,)
        ).fetchone()
        (run_id,) = conn.execute(
            "SELECT run_id FROM xcom WHERE dag_id = ? LIMIT 1", (DAG_ID,)
        ).fetchone()
    conn.close()
    store = open_metastore(f"sqlite:///{db}")
    yield Fixture(db, store, json.loads(text), run_id)
    store.close()


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_of(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths_of(item, (*prefix, index))


def replaced(document: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    """A copy of `document` with the value at `path` replaced (or removed)."""
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return copy


@st.composite
def serialized_rows(draw: st.DrawFn, document: dict[str, Any]) -> tuple[Any, bytes | None]:
    """(data, data_compressed) as Airflow would store them, damaged in one of several ways."""
    kind = draw(st.sampled_from(["mutated", "truncated", "any json", "text", "compressed"]))
    if kind == "mutated":
        paths = list(paths_of(document))
        path = draw(st.sampled_from(paths))
        doc = replaced(
            document, path, draw(json_values | names), draw(st.booleans()) and bool(path)
        )
        return json.dumps(doc), None
    text = json.dumps(document)
    if kind == "truncated":
        return text[: draw(st.integers(0, len(text) - 1))], None
    if kind == "any json":
        return json.dumps(draw(json_values)), None
    if kind == "text":
        return draw(st.text(max_size=50) | st.binary(max_size=50)), None
    payload = draw(st.binary(max_size=50) | st.just(text.encode()[: len(text) // 2]))
    return None, draw(st.sampled_from([payload, zlib.compress(payload)]))


@st.composite
def xcom_values(draw: st.DrawFn) -> Any:
    """What Airflow stores in xcom.value: JSON text, or (damaged) anything else."""
    return draw(
        st.builds(json.dumps, json_values | names)
        | st.text(max_size=40)
        | st.binary(max_size=20)
        | st.none()
    )


# What SQLite may hold in any column, whatever its declared type.
sqlite_cells = (
    st.none()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.binary(max_size=10)
    | st.sampled_from(["2024-01-01 00:00:00.000000", "2024-13-45 99:00:00", "success"])
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_serialized_dags_and_xcoms_fail_only_with_ddtui_errors(
    fuzzed: Fixture, data: st.DataObject
) -> None:
    row, compressed = data.draw(serialized_rows(fuzzed.document), label="serialized_dag")
    xcom = data.draw(xcom_values(), label="xcom.value")
    not_null = sqlite_cells.filter(lambda cell: cell is not None)  # try_number is NOT NULL
    cells = data.draw(st.tuples(not_null, *[sqlite_cells] * 4), label="task_instance")
    fuzzed.write(row, compressed, xcom, list(cells))
    settings_ = DataSettings("sqlite:////nonexistent/data.db", "--data-url")
    try:
        structure = fuzzed.store.dag_structure(DAG_ID)
        detail = fuzzed.store.run_detail(DAG_ID, fuzzed.run_id)
        for task in structure.tasks:
            ref = resolve_output(task, detail, settings_)
            assert isinstance(ref.reason, str)
        assert isinstance(format_task_list(structure, detail, settings_), str)
    except DdtuiError as exc:
        assert exc.exit_code in (2, 3, 4, 5, 6)
        assert "\n" not in str(exc)
