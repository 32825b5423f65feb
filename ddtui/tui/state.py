"""What the main screen works with: the session's sources and the DAG it has read.

Frozen dataclasses (no Textual): a new read replaces them whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ddtui.tui.keys import RunKey, TableKey

if TYPE_CHECKING:
    from ddtui.config.settings import DataSettings
    from ddtui.metastore import DagStructure, MetastoreReader, RunDetail, RunSummary
    from ddtui.outputs.data_sources import DataSources
    from ddtui.outputs.resolve import OutputRef


@dataclass(frozen=True)
class Session:
    """Where the app reads from, for how long it runs: the metastore, the output tables'
    settings and connections, the clock and how often the screen reads again."""

    metastore: MetastoreReader
    data: DataSettings
    sources: DataSources
    clock: Callable[[], datetime]
    refresh_seconds: float = 10.0
    # `ddtui --approx`: profiles estimate quartiles and distinct counts where the database can.
    approx: bool = False


@dataclass(frozen=True)
class LoadedDag:
    """What the metastore said about the selected DAG: its structure, recent runs (newest
    first), the run on screen and each task's output table."""

    structure: DagStructure | None = None
    runs: list[RunSummary] = field(default_factory=list)
    detail: RunDetail | None = None
    outputs: dict[str, OutputRef] = field(default_factory=dict)

    @property
    def run_id(self) -> str | None:
        return self.detail.run.run_id if self.detail else None

    def run_key(self, dag_id: str | None) -> RunKey:
        return RunKey(dag_id or "", self.run_id or "")

    def table_key(self, task_id: str, ref: OutputRef) -> TableKey:
        """The output table as the run's task instance last wrote it."""
        from ddtui.usecases.tasks import write_version  # loaded by the worker that read the DAG

        return TableKey.of(ref, write_version(self.detail, task_id))
