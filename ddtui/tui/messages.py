"""Events that workers post to the app: past tense, plain data, no widgets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from ddtui.drift.health import TaskHealth
    from ddtui.drift.report import DriftReport
    from ddtui.metastore import DagStructure, DagSummary, RunDetail, RunSummary
    from ddtui.outputs.resolve import OutputRef
    from ddtui.profile.models import TableProfile, TableSchema
    from ddtui.tui.keys import DriftKey, RunKey, TableKey


@dataclass
class DagsLoaded(Message):
    """The DAG list was read from the metastore."""

    dags: list[DagSummary]
    loaded_at: datetime


@dataclass
class DagLoaded(Message):
    """A DAG's structure, its recent runs and one run's task instances were read."""

    dag_id: str
    structure: DagStructure
    runs: list[RunSummary]
    detail: RunDetail | None
    outputs: dict[str, OutputRef]
    refresh: bool = False
    loaded_at: datetime | None = None


@dataclass
class RowsCounted(Message):
    """A task's output table was counted (or could not be: `error`)."""

    key: RunKey
    task_id: str
    rows: int | None
    error: str = ""


@dataclass
class SchemaLoaded(Message):
    """The output table's columns and row count are known; profiling goes on."""

    key: TableKey
    schema: TableSchema


@dataclass
class ProfileProgressed(Message):
    """The profile advanced; a newer one replaces an unhandled older one."""

    key: TableKey
    fraction: float | None
    note: str = ""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ProfileProgressed) and message.key == self.key


@dataclass
class ProfileLoaded(Message):
    """A profile (of a sample, or the exact one) of the output table is ready."""

    key: TableKey
    profile: TableProfile


@dataclass
class ProfileFinished(Message):
    """No more profiles will come for this table."""

    key: TableKey


@dataclass
class DriftCompared(Message):
    """A run was compared with its baseline (`report`), or could not be (`unavailable`)."""

    key: DriftKey
    report: DriftReport | None
    unavailable: str = ""


@dataclass
class HealthMeasured(Message):
    """A task's row counts over recent runs and its badge (newest run vs the one before)."""

    dag_id: str
    task_id: str
    health: TaskHealth
    report_key: DriftKey | None = None  # the comparison behind the badge, if any
    from_history: bool = False  # read from the profile history only (nothing profiled)


@dataclass
class HistoryNoted(Message):
    """The profile history could not be read or written (the UI goes on without it)."""

    note: str


@dataclass
class ColumnChosen(Message):
    """The user asked for one column of the shown profile in full (the column view)."""

    name: str
