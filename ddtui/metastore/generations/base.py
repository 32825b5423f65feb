"""What one generation of Airflow metastores gives the reader: its tables, columns and
decoding. The reader asks its generation and never tests a version itself."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa

from ddtui.metastore.models import DagSummary, RunSummary, XComValue
from ddtui.metastore.schema import UnreadableJSON


def utc(value: datetime | None) -> datetime | None:
    """Airflow stores UTC; SQLite and MySQL hand it back naive."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class Generation(ABC):
    """The metastore schema of a range of Airflow releases, as far as ddtui reads it."""

    name: ClassVar[str]  # "Airflow 2", "Airflow 3"
    major: ClassVar[int]
    supported: ClassVar[str]  # the releases this generation reads, e.g. "2.9-2.11"

    dag: sa.Table
    dag_run: sa.Table
    xcom: sa.Table
    serialized_dag: sa.Table
    # Earlier tries of task instances (Airflow 2.10 and later); None when the schema has none.
    try_history: sa.Table | None

    @abstractmethod
    def tables_read(self) -> tuple[sa.Table, ...]:
        """The generation's own tables ddtui reads (checked on an unknown revision)."""

    @abstractmethod
    def dag_summary(self, row: Any, tags: tuple[str, ...], latest: RunSummary | None) -> DagSummary:
        """A row of `dag` as the DAG list shows it."""

    @abstractmethod
    def run_order(self) -> tuple[sa.ColumnElement[Any], ...]:
        """How a DAG's runs are ordered, newest first."""

    @abstractmethod
    def run_summary(self, row: Any) -> RunSummary:
        """A row of `dag_run`."""

    @abstractmethod
    def serialized_query(self, dag_id: str) -> sa.Select[Any]:
        """The DAG's newest serialized form: `data`, `data_compressed`, `version_number`."""

    @abstractmethod
    def xcom_value(self, task_id: str, map_index: int, value: Any) -> XComValue:
        """A `return_value` XCom decoded from JSON only: never unpickled."""


def json_xcom(task_id: str, map_index: int, value: Any) -> XComValue:
    """A value the JSON column type decoded; damaged JSON reads as no value."""
    if isinstance(value, UnreadableJSON):
        return XComValue(task_id, map_index, None)
    return XComValue(task_id, map_index, value)
