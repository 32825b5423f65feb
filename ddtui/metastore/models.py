"""Plain data read from an Airflow metastore: no SQLAlchemy, no Textual, no Airflow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class MetastoreInfo:
    """What we are connected to."""

    url: str  # password masked
    dialect: str
    alembic_revision: str
    airflow_version: str  # the releases the schema's revision means, e.g. "2.10.3-2.11"
    airflow_major: int
    # A SQLite file read as an immutable snapshot: what is written after it opened is not seen.
    snapshot: bool = False
    # The schema's revision is unknown to ddtui and was read as the nearest one it knows.
    schema_notice: str = ""

    @property
    def note(self) -> str:
        """What users must know about this connection, shown next to its URL; or ""."""
        notes = [self.schema_notice, "snapshot: cannot see new writes" if self.snapshot else ""]
        return "; ".join(note for note in notes if note)


@dataclass(frozen=True)
class RunSummary:
    """One DAG run."""

    dag_id: str
    run_id: str
    state: str | None
    run_type: str | None
    logical_date: datetime | None
    run_after: datetime | None
    start_date: datetime | None
    end_date: datetime | None

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, when both are known."""
        if self.start_date is None or self.end_date is None:
            return None
        return (self.end_date - self.start_date).total_seconds()


@dataclass(frozen=True)
class DagSummary:
    """One row of the DAG list."""

    dag_id: str
    display_name: str
    tags: tuple[str, ...]
    is_paused: bool
    is_stale: bool
    owners: str
    schedule: str | None
    fileloc: str | None
    relative_fileloc: str | None
    latest_run: RunSummary | None


@dataclass(frozen=True)
class Outlet:
    """An asset (Airflow 3) or dataset (Airflow 2) a task declares as its output."""

    uri: str
    name: str


@dataclass(frozen=True)
class TaskNode:
    """One task of a serialized DAG."""

    task_id: str
    operator: str
    ui_color: str | None
    downstream_task_ids: tuple[str, ...]
    group_path: tuple[str, ...]  # enclosing task-group ids, outermost first
    template_fields: dict[str, Any]  # serialized template field values, e.g. output_table
    outlets: tuple[Outlet, ...]
    is_mapped: bool

    @property
    def output_table_attr(self) -> str | None:
        """The task's `output_table` attribute as serialized (maybe a Jinja template)."""
        value = self.template_fields.get("output_table")
        return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class TaskGroupNode:
    """A task group and what it contains, in serialized order."""

    group_id: str | None  # None for the DAG's root group
    children: tuple[TaskGroupNode | str, ...]  # nested groups or task ids


@dataclass(frozen=True)
class DagStructure:
    """A DAG's tasks and groups, from `serialized_dag` (no DAG code runs)."""

    dag_id: str
    tasks: tuple[TaskNode, ...]  # in dependency (topological) order
    root_group: TaskGroupNode
    version_number: int | None = None

    def task(self, task_id: str) -> TaskNode | None:
        return next((t for t in self.tasks if t.task_id == task_id), None)

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [(t.task_id, d) for t in self.tasks for d in t.downstream_task_ids]


@dataclass(frozen=True)
class TaskInstanceSummary:
    """One task instance of a run (one per map index for mapped tasks)."""

    task_id: str
    map_index: int
    state: str | None
    try_number: int
    start_date: datetime | None
    end_date: datetime | None
    duration: float | None
    operator: str | None


@dataclass(frozen=True)
class XComValue:
    """A task instance's `return_value`, decoded from JSON only: `value` None when it was
    not JSON (a pickle is never unpickled), and `note` says why when that is worth saying."""

    task_id: str
    map_index: int
    value: Any
    note: str = ""  # why a value was not read, e.g. it is a pickle


@dataclass(frozen=True)
class RunDetail:
    """Everything the task list needs for one run."""

    run: RunSummary
    task_instances: tuple[TaskInstanceSummary, ...]
    return_values: tuple[XComValue, ...] = field(default=())
    rendered_fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # task_id -> fields


@dataclass(frozen=True)
class TaskTry:
    """One try of a task instance: the current one (task_instance) or an earlier one."""

    try_number: int
    state: str | None
    start_date: datetime | None
    end_date: datetime | None


@dataclass(frozen=True)
class TaskTries:
    """The tries of one task instance, oldest first, and how its run names log files."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    tries: tuple[TaskTry, ...]
    log_filename_template: str | None  # from the run's log_template row; None if unknown

    @property
    def latest(self) -> TaskTry | None:
        return self.tries[-1] if self.tries else None
