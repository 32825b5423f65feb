"""A real metastore that tests can break or change on demand."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from ddtui.errors import MetastoreError
from ddtui.metastore import (
    DagStructure,
    DagSummary,
    MetastoreInfo,
    MetastoreReader,
    RunDetail,
    RunSummary,
    TaskTries,
)


class ControlledMetastore:
    """Delegates to `real`; `fail` makes every call raise, `states` overrides task states."""

    def __init__(self, real: MetastoreReader) -> None:
        self.real = real
        self.info: MetastoreInfo = real.info
        self.fail: str | None = None
        # (method, leading arguments...) -> why such calls fail, e.g. one run's details.
        self.broken: dict[tuple[str, ...], str] = {}
        self.states: dict[str, str] = {}
        self.reruns: set[str] = set()  # tasks that ran once more (a later try, a later end)
        self.calls = 0
        self.hold: threading.Event | None = None  # when set: reading a DAG waits for it

    @property
    def masked_url(self) -> str:
        return self.real.masked_url

    def _check(self, *call: str) -> None:
        self.calls += 1
        broken = (why for key, why in self.broken.items() if call[: len(key)] == key)
        reason = self.fail or next(broken, None)
        if reason:
            raise MetastoreError(f"metastore {self.info.url}: {reason}")

    def list_dags(self) -> list[DagSummary]:
        self._check("list_dags")
        return self.real.list_dags()

    def dag_ids(self) -> list[str]:
        self._check("dag_ids")
        return self.real.dag_ids()

    def dag_structure(self, dag_id: str) -> DagStructure:
        self._check("dag_structure", dag_id)
        if self.hold is not None:
            self.hold.wait(timeout=30)
        return self.real.dag_structure(dag_id)

    def runs(self, dag_id: str, limit: int = 25, offset: int = 0) -> list[RunSummary]:
        self._check("runs", dag_id)
        return self.real.runs(dag_id, limit, offset)

    def latest_run_id(self, dag_id: str) -> str | None:
        self._check("latest_run_id", dag_id)
        return self.real.latest_run_id(dag_id)

    def task_tries(self, dag_id: str, run_id: str, task_id: str, map_index: int) -> TaskTries:
        self._check("task_tries", dag_id, run_id, task_id)
        return self.real.task_tries(dag_id, run_id, task_id, map_index)

    def task_states(
        self, dag_id: str, task_id: str, run_ids: Sequence[str]
    ) -> dict[str, tuple[str | None, ...]]:
        for run_id in run_ids:  # what run_detail would say about each run
            self._check("run_detail", dag_id, run_id)
        states = self.real.task_states(dag_id, task_id, run_ids)
        if task_id not in self.states:
            return states
        return {run: tuple(self.states[task_id] for _ in found) for run, found in states.items()}

    def run_detail(self, dag_id: str, run_id: str) -> RunDetail:
        self._check("run_detail", dag_id, run_id)
        return self._controlled(self.real.run_detail(dag_id, run_id))

    def run_details(self, dag_id: str, run_ids: Sequence[str]) -> dict[str, RunDetail]:
        for run_id in run_ids:  # what run_detail would say about each run
            self._check("run_detail", dag_id, run_id)
        found = self.real.run_details(dag_id, run_ids)
        return {run_id: self._controlled(detail) for run_id, detail in found.items()}

    def _controlled(self, detail: RunDetail) -> RunDetail:
        instances = tuple(
            replace(
                ti,
                state=self.states.get(ti.task_id, ti.state),
                try_number=ti.try_number + (ti.task_id in self.reruns),
                end_date=ti.end_date + timedelta(hours=1)
                if ti.end_date and ti.task_id in self.reruns
                else ti.end_date,
            )
            for ti in detail.task_instances
        )
        return replace(detail, task_instances=instances)


# mypy (the lint session checks this file): the double reads like the real metastore.
_READS_LIKE_A_METASTORE: type[MetastoreReader] = ControlledMetastore
