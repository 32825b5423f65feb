"""Airflow 2.9-2.11 metastores, as measured on metastores real Airflow built.

What differs from Airflow 3: `dag_run.execution_date` (no `logical_date`, no `run_after`),
`dag.is_active` (not `is_stale`), `schedule_interval` (JSON text) instead of
`timetable_summary`, no `relative_fileloc`; one `serialized_dag` row per DAG (no DAG
versions); `xcom.value` holds bytes: JSON, or a pickle when `enable_xcom_pickling` is on,
which ddtui never unpickles; `task_instance_history` only from 2.10. The `dataset` tables
are not read: outlets come from the serialized DAG.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ddtui.metastore.generations.base import Generation, utc
from ddtui.metastore.models import DagSummary, RunSummary, XComValue
from ddtui.metastore.schema import LenientDateTime, LenientJSON

PICKLED_XCOM = "pickled XCom: not read (ddtui never unpickles)"
# Every pickle of protocol 2 and later starts with the PROTO opcode; JSON text never does.
PICKLE_PROTO = 0x80

_metadata = sa.MetaData()

dag = sa.Table(
    "dag",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("dag_display_name", sa.String),
    sa.Column("is_paused", sa.Boolean),
    sa.Column("is_active", sa.Boolean),
    sa.Column("owners", sa.String),
    sa.Column("schedule_interval", sa.Text),
    sa.Column("timetable_description", sa.String),
    sa.Column("fileloc", sa.String),
)

dag_run = sa.Table(
    "dag_run",
    _metadata,
    sa.Column("id", sa.Integer),
    sa.Column("dag_id", sa.String),
    sa.Column("run_id", sa.String),
    sa.Column("state", sa.String),
    sa.Column("run_type", sa.String),
    sa.Column("execution_date", LenientDateTime),
    sa.Column("start_date", LenientDateTime),
    sa.Column("end_date", LenientDateTime),
)

xcom = sa.Table(
    "xcom",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("run_id", sa.String),
    sa.Column("task_id", sa.String),
    sa.Column("map_index", sa.Integer),
    sa.Column("key", sa.String),
    sa.Column("value", sa.LargeBinary),
)

serialized_dag = sa.Table(
    "serialized_dag",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("data", LenientJSON),
    sa.Column("data_compressed", sa.LargeBinary),
)

task_instance_history = sa.Table(
    "task_instance_history",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("run_id", sa.String),
    sa.Column("task_id", sa.String),
    sa.Column("map_index", sa.Integer),
    sa.Column("try_number", sa.Integer),
    sa.Column("state", sa.String),
    sa.Column("start_date", LenientDateTime),
    sa.Column("end_date", LenientDateTime),
)


class Airflow2(Generation):
    """Airflow 2.9-2.11; `has_try_history` is False before 2.10."""

    name = "Airflow 2"
    major = 2
    supported = "2.9-2.11"
    dag = dag
    dag_run = dag_run
    xcom = xcom
    serialized_dag = serialized_dag

    def __init__(self, *, has_try_history: bool) -> None:
        self.try_history = task_instance_history if has_try_history else None

    def tables_read(self) -> tuple[sa.Table, ...]:
        history = (task_instance_history,) if self.try_history is not None else ()
        return (dag, dag_run, xcom, serialized_dag, *history)

    def dag_summary(self, row: Any, tags: tuple[str, ...], latest: RunSummary | None) -> DagSummary:
        return DagSummary(
            dag_id=row.dag_id,
            display_name=str(row.dag_display_name or row.dag_id),
            tags=tags,
            is_paused=bool(row.is_paused),
            # A DAG whose file is gone is made inactive by Airflow 2, stale by Airflow 3.
            is_stale=row.is_active is not None and not row.is_active,
            owners=str(row.owners or ""),
            schedule=_schedule(row.schedule_interval, row.timetable_description),
            fileloc=row.fileloc,
            relative_fileloc=None,
            latest_run=latest,
        )

    def run_order(self) -> tuple[sa.ColumnElement[Any], ...]:
        return (
            dag_run.c.execution_date.desc(),
            dag_run.c.start_date.desc(),
            dag_run.c.id.desc(),
        )

    def run_summary(self, row: Any) -> RunSummary:
        return RunSummary(
            dag_id=row.dag_id,
            run_id=row.run_id,
            state=row.state,
            run_type=row.run_type,
            logical_date=utc(row.execution_date),
            run_after=None,  # Airflow 2 has no run_after: the logical date orders runs
            start_date=utc(row.start_date),
            end_date=utc(row.end_date),
        )

    def serialized_query(self, dag_id: str) -> sa.Select[Any]:
        sd = serialized_dag
        version = sa.null().label("version_number")  # Airflow 2 keeps no DAG versions
        return sa.select(sd.c.data, sd.c.data_compressed, version).where(sd.c.dag_id == dag_id)

    def xcom_value(self, task_id: str, map_index: int, value: Any) -> XComValue:
        return decode_xcom_bytes(task_id, map_index, value)


def decode_xcom_bytes(task_id: str, map_index: int, value: Any) -> XComValue:
    """An Airflow 2 XCom value: JSON bytes, or a pickle (reported, never unpickled)."""
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes | bytearray):
        if value[:1] == bytes([PICKLE_PROTO]):
            return XComValue(task_id, map_index, None, note=PICKLED_XCOM)
        try:
            return XComValue(task_id, map_index, json.loads(value))
        except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError
            return XComValue(task_id, map_index, None)
    if value is None:
        return XComValue(task_id, map_index, None)
    return XComValue(task_id, map_index, None)


def _schedule(schedule_interval: Any, timetable_description: str | None) -> str | None:
    """The schedule as Airflow 3's timetable_summary writes it: "None", "@daily", a cron."""
    try:
        interval = json.loads(schedule_interval) if schedule_interval is not None else None
    except (ValueError, TypeError, RecursionError):
        interval = schedule_interval
    if isinstance(interval, str) and interval:
        return interval
    if interval is None and schedule_interval is not None:
        return "None"  # schedule=None: the JSON text "null"
    return timetable_description
