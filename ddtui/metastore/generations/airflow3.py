"""Airflow 3.0-3.3 metastores: DAG versions, assets, `logical_date` and `run_after`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ddtui.metastore.generations.base import Generation, json_xcom, utc
from ddtui.metastore.models import DagSummary, RunSummary, XComValue
from ddtui.metastore.schema import LenientDateTime, LenientJSON

_metadata = sa.MetaData()

dag = sa.Table(
    "dag",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("dag_display_name", sa.String),
    sa.Column("is_paused", sa.Boolean),
    sa.Column("is_stale", sa.Boolean),
    sa.Column("owners", sa.String),
    sa.Column("timetable_summary", sa.String),
    sa.Column("timetable_description", sa.String),
    sa.Column("fileloc", sa.String),
    sa.Column("relative_fileloc", sa.String),
)

dag_run = sa.Table(
    "dag_run",
    _metadata,
    sa.Column("id", sa.Integer),
    sa.Column("dag_id", sa.String),
    sa.Column("run_id", sa.String),
    sa.Column("state", sa.String),
    sa.Column("run_type", sa.String),
    sa.Column("logical_date", LenientDateTime),
    sa.Column("run_after", LenientDateTime),
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
    sa.Column("value", LenientJSON),
)

# One row per DAG version; the newest is the one read.
serialized_dag = sa.Table(
    "serialized_dag",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("data", LenientJSON),
    sa.Column("data_compressed", sa.LargeBinary),
    sa.Column("created_at", LenientDateTime),
    sa.Column("last_updated", LenientDateTime),
    sa.Column("dag_version_id", sa.String),
)

dag_version = sa.Table(
    "dag_version",
    _metadata,
    sa.Column("id", sa.String),
    sa.Column("version_number", sa.Integer),
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


class Airflow3(Generation):
    """Airflow 3.0-3.3."""

    name = "Airflow 3"
    major = 3
    supported = "3.0-3.3"
    dag = dag
    dag_run = dag_run
    xcom = xcom
    serialized_dag = serialized_dag
    try_history = task_instance_history

    def tables_read(self) -> tuple[sa.Table, ...]:
        return (dag, dag_run, xcom, serialized_dag, dag_version, task_instance_history)

    def dag_summary(self, row: Any, tags: tuple[str, ...], latest: RunSummary | None) -> DagSummary:
        return DagSummary(
            dag_id=row.dag_id,
            display_name=str(row.dag_display_name or row.dag_id),
            tags=tags,
            is_paused=bool(row.is_paused),
            is_stale=bool(row.is_stale),
            owners=str(row.owners or ""),
            schedule=row.timetable_summary or row.timetable_description,
            fileloc=row.fileloc,
            relative_fileloc=row.relative_fileloc,
            latest_run=latest,
        )

    def run_order(self) -> tuple[sa.ColumnElement[Any], ...]:
        return (dag_run.c.run_after.desc(), dag_run.c.id.desc())

    def run_summary(self, row: Any) -> RunSummary:
        return RunSummary(
            dag_id=row.dag_id,
            run_id=row.run_id,
            state=row.state,
            run_type=row.run_type,
            logical_date=utc(row.logical_date),
            run_after=utc(row.run_after),
            start_date=utc(row.start_date),
            end_date=utc(row.end_date),
        )

    def serialized_query(self, dag_id: str) -> sa.Select[Any]:
        sd, dv = serialized_dag, dag_version
        return (
            sa.select(sd.c.data, sd.c.data_compressed, dv.c.version_number)
            .select_from(sd.outerjoin(dv, sd.c.dag_version_id == dv.c.id))
            .where(sd.c.dag_id == dag_id)
            .order_by(sd.c.created_at.desc(), sd.c.last_updated.desc())
            .limit(1)
        )

    def xcom_value(self, task_id: str, map_index: int, value: Any) -> XComValue:
        return json_xcom(task_id, map_index, value)
