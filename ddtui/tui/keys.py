"""What the main screen has selected, and the keys that name a table, a run or a comparison.

Plain frozen dataclasses (no Textual): caches and stale-message checks compare them whole.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ddtui.outputs.resolve import OutputRef

PREVIOUS = "previous"  # ddtui.drift.PREVIOUS, without importing the drift package at start-up


@dataclass(frozen=True)
class Selection:
    """The DAG, task and run the user is looking at. `pinned_run_id` None: the newest run."""

    dag_id: str | None = None
    task_id: str | None = None
    pinned_run_id: str | None = None

    def with_dag(self, dag_id: str) -> Selection:
        """Another DAG: no task, the newest run."""
        return Selection(dag_id)

    def with_task(self, task_id: str | None) -> Selection:
        return replace(self, task_id=task_id)

    def with_run(self, run_id: str | None) -> Selection:
        return replace(self, pinned_run_id=run_id)


@dataclass(frozen=True)
class TableKey:
    """One write of one output table: `version` is the try and end of the task instance that
    wrote it, so a task that ran again is profiled again even when its table keeps its name."""

    data_url: str
    schema: str
    name: str  # the table's name, and its partition if the output is one
    version: str = ""

    @classmethod
    def of(cls, ref: OutputRef, version: str = "") -> TableKey:
        # A partition is part of the name: each run's partition of one table is its own output.
        return cls(ref.data_url or "", ref.schema or "", ref.shown_name, version)

    def same_table(self, other: TableKey | None) -> bool:
        """Whether `other` names the same table, whichever write of it it expects."""
        return other is not None and replace(other, version=self.version) == self


@dataclass(frozen=True)
class RunKey:
    """The run on screen: row counts of another run are stale."""

    dag_id: str
    run_id: str


@dataclass(frozen=True)
class DriftKey:
    """A task's output in a run compared with a baseline (`PREVIOUS` or a run id)."""

    dag_id: str
    task_id: str
    run_id: str
    baseline: str = PREVIOUS
