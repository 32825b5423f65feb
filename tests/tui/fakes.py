"""A real metastore that tests can break or change on demand."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

from ddtui.errors import MetastoreError
from ddtui.metastore import Metastore, RunDetail


class ControlledMetastore:
    """Delegates to `real`; `fail` makes every call raise, `states` overrides task states."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.info = real.info
        self.fail: str | None = None
        self.states: dict[str, str] = {}
        self.reruns: set[str] = set()  # tasks that ran once more (a later try, a later end)
        self.calls = 0
        self.hold: threading.Event | None = None  # when set: reading a DAG waits for it

    def _check(self) -> None:
        self.calls += 1
        if self.fail:
            raise MetastoreError(f"metastore {self.info.url}: {self.fail}")

    def list_dags(self) -> list:
        self._check()
        return self.real.list_dags()

    def dag_ids(self) -> list[str]:
        self._check()
        return self.real.dag_ids()

    def dag_structure(self, dag_id: str) -> Any:
        self._check()
        if self.hold is not None:
            self.hold.wait(timeout=30)
        return self.real.dag_structure(dag_id)

    def runs(self, dag_id: str, limit: int = 25, offset: int = 0) -> list:
        self._check()
        return self.real.runs(dag_id, limit, offset)

    def run_detail(self, dag_id: str, run_id: str) -> RunDetail:
        self._check()
        detail = self.real.run_detail(dag_id, run_id)
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


def as_metastore(store: ControlledMetastore) -> Metastore:
    return store  # type: ignore[return-value]
