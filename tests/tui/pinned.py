"""A metastore whose times and run ids do not depend on when the test home was built.

Snapshots compare pixels: the real test home has wall-clock start/end dates, durations
and run ids (`manual__<now>`), so this wrapper pins them to values derived from the
logical date, and shows Airflow's version as `3.x`. Everything else (DAGs, tasks, states,
XComs) is the real metastore's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from ddtui.metastore import (
    DagStructure,
    DagSummary,
    MetastoreInfo,
    MetastoreReader,
    RunDetail,
    RunSummary,
    TaskTries,
)


class PinnedMetastore:
    def __init__(
        self, real: MetastoreReader, url: str = "sqlite:////home/airflow/airflow.db"
    ) -> None:
        self.real = real
        # The header shows Airflow's version: an Airflow upgrade must not change the pictures.
        version = f"{real.info.airflow_major}.x"
        self.info: MetastoreInfo = replace(real.info, url=url, airflow_version=version)
        self._real_ids: dict[tuple[str, str], str] = {}

    def _pin_run(self, run: RunSummary) -> RunSummary:
        logical = run.logical_date or run.run_after
        assert logical is not None
        pinned_id = f"{run.run_type or 'manual'}__{logical:%Y-%m-%dT%H:%M}"
        self._real_ids[(run.dag_id, pinned_id)] = run.run_id
        start = logical + timedelta(minutes=5)
        return replace(
            run,
            run_id=pinned_id,
            run_after=logical,
            start_date=start,
            end_date=start + timedelta(seconds=42) if run.end_date else None,
        )

    def list_dags(self) -> list[DagSummary]:
        return [
            replace(d, latest_run=self._pin_run(d.latest_run) if d.latest_run else None)
            for d in self.real.list_dags()
        ]

    @property
    def masked_url(self) -> str:
        """The profile history keys entries by it (see `ddtui.drift.history_key`)."""
        return self.info.url

    def dag_ids(self) -> list[str]:
        return self.real.dag_ids()

    def dag_structure(self, dag_id: str) -> DagStructure:
        return self.real.dag_structure(dag_id)

    def runs(self, dag_id: str, limit: int = 25, offset: int = 0) -> list[RunSummary]:
        return [self._pin_run(r) for r in self.real.runs(dag_id, limit, offset)]

    def task_tries(self, dag_id: str, run_id: str, task_id: str, map_index: int) -> TaskTries:
        if (dag_id, run_id) not in self._real_ids:
            self.runs(dag_id, limit=1000)
        real_id = self._real_ids.get((dag_id, run_id), run_id)
        return self.real.task_tries(dag_id, real_id, task_id, map_index)

    def latest_run_id(self, dag_id: str) -> str | None:
        runs = self.runs(dag_id, limit=1)
        return runs[0].run_id if runs else None

    def task_states(
        self, dag_id: str, task_id: str, run_ids: Sequence[str]
    ) -> dict[str, tuple[str | None, ...]]:
        if any((dag_id, run_id) not in self._real_ids for run_id in run_ids):
            self.runs(dag_id, limit=1000)
        real_ids = {self._real_ids.get((dag_id, run_id), run_id): run_id for run_id in run_ids}
        states = self.real.task_states(dag_id, task_id, list(real_ids))
        return {real_ids[real]: found for real, found in states.items()}

    def run_detail(self, dag_id: str, run_id: str) -> RunDetail:
        if (dag_id, run_id) not in self._real_ids:
            self.runs(dag_id, limit=1000)
        detail = self.real.run_detail(dag_id, self._real_ids.get((dag_id, run_id), run_id))
        return self._pinned(detail)

    def run_details(self, dag_id: str, run_ids: Sequence[str]) -> dict[str, RunDetail]:
        if any((dag_id, run_id) not in self._real_ids for run_id in run_ids):
            self.runs(dag_id, limit=1000)
        real_ids = {self._real_ids.get((dag_id, run_id), run_id): run_id for run_id in run_ids}
        found = self.real.run_details(dag_id, list(real_ids))
        return {real_ids[real]: self._pinned(detail) for real, detail in found.items()}

    def _pinned(self, detail: RunDetail) -> RunDetail:
        run = self._pin_run(detail.run)
        start = run.start_date
        instances = tuple(
            replace(
                ti,
                start_date=start if ti.start_date else None,
                end_date=start + timedelta(seconds=3) if ti.end_date and start else None,
                duration=3.0 if ti.duration is not None else None,
            )
            for ti in detail.task_instances
        )
        return replace(detail, run=run, task_instances=instances)


# mypy (the lint session checks this file): the double reads like the real metastore.
_READS_LIKE_A_METASTORE: type[MetastoreReader] = PinnedMetastore
