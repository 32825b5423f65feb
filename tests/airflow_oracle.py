"""Dump what Airflow itself reads from a metastore, as JSON, for tests to compare against.

Run with the Airflow environment's Python and AIRFLOW_HOME set: `python airflow_oracle.py`.
It uses Airflow's own models and deserializer, independently of ddtui's SQL.
"""

from __future__ import annotations

import json
import sys

from airflow.models.dag import DagModel
from airflow.models.dagrun import DagRun
from airflow.models.serialized_dag import SerializedDagModel
from airflow.models.taskinstance import TaskInstance
from airflow.models.xcom import XComModel
from airflow.utils.session import create_session


def iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def dump() -> dict:
    out: dict = {"dags": {}}
    with create_session() as session:
        for model in session.query(DagModel).order_by(DagModel.dag_id):
            dag = SerializedDagModel.get(model.dag_id, session=session).dag
            runs = (
                session.query(DagRun)
                .filter(DagRun.dag_id == model.dag_id)
                .order_by(DagRun.run_after.desc())
                .all()
            )
            out["dags"][model.dag_id] = {
                "tags": sorted(t.name for t in model.tags),
                "is_paused": bool(model.is_paused),
                "is_stale": bool(model.is_stale),
                "owners": model.owners,
                "fileloc": model.fileloc,
                "tasks": {
                    t.task_id: {
                        "operator": t.operator_name,
                        "downstream": sorted(t.downstream_task_ids),
                        "upstream": sorted(t.upstream_task_ids),
                        "ui_color": t.ui_color,
                        "output_table": getattr(t, "output_table", None),
                        "outlets": sorted(getattr(o, "uri", str(o)) for o in (t.outlets or [])),
                        "group": t.task_group.group_id if t.task_group else None,
                        "is_mapped": type(t).__name__.endswith("MappedOperator"),
                    }
                    for t in dag.tasks
                },
                "runs": [
                    {
                        "run_id": r.run_id,
                        "state": str(r.state),
                        "logical_date": iso(r.logical_date),
                        "task_instances": sorted(
                            [ti.task_id, ti.map_index, str(ti.state), ti.try_number]
                            for ti in session.query(TaskInstance).filter(
                                TaskInstance.dag_id == r.dag_id, TaskInstance.run_id == r.run_id
                            )
                        ),
                        "return_values": sorted(
                            [x.task_id, x.map_index, XComModel.deserialize_value(x)]
                            for x in session.query(XComModel).filter(
                                XComModel.dag_id == r.dag_id,
                                XComModel.run_id == r.run_id,
                                XComModel.key == "return_value",
                            )
                        ),
                    }
                    for r in runs
                ],
            }
    return out


if __name__ == "__main__":
    json.dump(dump(), sys.stdout, default=str)
