"""A task instance's tries and its run's log filename template (read-only queries)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ddtui.metastore import schema as s
from ddtui.metastore.models import TaskTries, TaskTry


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def read_task_tries(
    conn: Connection,
    history_table: sa.Table | None,
    key: tuple[str, str, str, int],
) -> TaskTries:
    """Earlier tries from `history_table` (task_instance_history: None before Airflow 2.10),
    the current one from task_instance; `key` is (dag_id, run_id, task_id, map_index)."""
    ti, th = s.task_instance, history_table
    dag_id, run_id, task_id, map_index = key
    history: Sequence[Any] = []
    if th is not None:
        history = conn.execute(
            sa.select(th.c.try_number, th.c.state, th.c.start_date, th.c.end_date)
            .where(*_same_instance(th, key))
            .order_by(th.c.try_number)
        ).all()
    current = conn.execute(
        sa.select(ti.c.try_number, ti.c.state, ti.c.start_date, ti.c.end_date).where(
            *_same_instance(ti, key)
        )
    ).first()
    tries = {row.try_number: row for row in history if row.try_number}
    if current is not None and current.try_number:
        tries[current.try_number] = current  # the task instance row is the newest word
    return TaskTries(
        dag_id=dag_id,
        run_id=run_id,
        task_id=task_id,
        map_index=map_index,
        tries=tuple(
            TaskTry(number, row.state, _utc(row.start_date), _utc(row.end_date))
            for number, row in sorted(tries.items())
        ),
        log_filename_template=_log_template(conn, dag_id, run_id),
    )


def _same_instance(table: sa.Table, key: tuple[str, str, str, int]) -> list[sa.ColumnElement[bool]]:
    dag_id, run_id, task_id, map_index = key
    return [
        table.c.dag_id == dag_id,
        table.c.run_id == run_id,
        table.c.task_id == task_id,
        table.c.map_index == map_index,
    ]


def _log_template(conn: Connection, dag_id: str, run_id: str) -> str | None:
    """The template Airflow names this run's log files with (as DagRun.get_log_template)."""
    r, lt = s.dag_run_log_template, s.log_template
    template_id = conn.execute(
        sa.select(r.c.log_template_id).where(r.c.dag_id == dag_id, r.c.run_id == run_id)
    ).scalar()
    if template_id is None:  # a run from before log_template existed: Airflow takes the first
        query = sa.select(lt.c.filename).order_by(lt.c.id).limit(1)
    else:
        query = sa.select(lt.c.filename).where(lt.c.id == template_id)
    return conn.execute(query).scalar()
