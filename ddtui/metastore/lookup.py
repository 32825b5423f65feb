"""Find a DAG, task and run by id, with close matches when one is unknown (no Textual)."""

from __future__ import annotations

from dataclasses import dataclass

from ddtui.errors import NotFoundError
from ddtui.metastore.models import DagStructure, RunDetail, TaskNode
from ddtui.metastore.protocol import MetastoreReader


@dataclass(frozen=True)
class TaskTarget:
    """A validated deep link: the DAG, optionally a task, and the run (None if no runs)."""

    structure: DagStructure
    task: TaskNode | None
    run: RunDetail | None


def find_target(
    metastore: MetastoreReader, dag_id: str, task_id: str | None = None, run_id: str | None = None
) -> TaskTarget:
    """Raise NotFoundError (exit code 2) naming close matches for an unknown id."""
    dag_ids = metastore.dag_ids()
    if dag_id not in dag_ids:
        raise NotFoundError("DAG", dag_id, dag_ids)
    structure = metastore.dag_structure(dag_id)
    task = None
    if task_id is not None:
        task = structure.task(task_id)
        if task is None:
            known = [t.task_id for t in structure.tasks]
            raise NotFoundError("task", task_id, known, where=f"DAG {dag_id!r}")
    run_id = run_id or metastore.latest_run_id(dag_id)
    run = metastore.run_detail(dag_id, run_id) if run_id else None
    return TaskTarget(structure, task, run)
