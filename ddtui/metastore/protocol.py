"""The read interface of a metastore, as the TUI, `describe` and drift use it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ddtui.metastore.models import (
    DagStructure,
    DagSummary,
    MetastoreInfo,
    RunDetail,
    RunSummary,
    TaskTries,
)


class MetastoreReader(Protocol):
    """What the app and the drift code read; `Metastore` is the real one (mypy checks that
    it fits), and test doubles that delegate to a real one are typed with it too."""

    @property
    def info(self) -> MetastoreInfo: ...

    @property
    def masked_url(self) -> str: ...

    def list_dags(self) -> list[DagSummary]: ...

    def dag_ids(self) -> list[str]: ...

    def dag_structure(self, dag_id: str) -> DagStructure: ...

    def runs(self, dag_id: str, limit: int = 25, offset: int = 0) -> list[RunSummary]: ...

    def run_detail(self, dag_id: str, run_id: str) -> RunDetail: ...

    def run_details(self, dag_id: str, run_ids: Sequence[str]) -> dict[str, RunDetail]: ...

    def task_states(
        self, dag_id: str, task_id: str, run_ids: Sequence[str]
    ) -> dict[str, tuple[str | None, ...]]: ...

    def latest_run_id(self, dag_id: str) -> str | None: ...

    def task_tries(self, dag_id: str, run_id: str, task_id: str, map_index: int) -> TaskTries: ...
