"""Task health on the test Airflow home: the recent runs' outputs are read in one set query
(`Metastore.run_details`), the comparisons behind the badges read them no more, and the
health is what reading each run's details gave."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ddtui.config.settings import DataSettings
from ddtui.demo.home import AirflowHome
from ddtui.drift.history import ProfileHistory
from ddtui.metastore import Metastore, RunDetail, open_metastore
from ddtui.outputs.data_sources import DataSources
from ddtui.usecases.health import measure_health


class RunByRun:
    """The real metastore; with `per_run`, `run_details` reads as health did before: one
    `run_detail` per run. Counts the reads of several runs' details, and the reads of the
    DAG's structure and of one run's details made otherwise."""

    def __init__(self, real: Metastore, *, per_run: bool) -> None:
        self.real, self.per_run = real, per_run
        self.reads = 0  # queries of runs' details made for run_details
        self.rereads: list[str] = []  # dag_structure and run_detail calls

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def dag_structure(self, dag_id: str) -> Any:
        self.rereads.append(f"dag_structure {dag_id}")
        return self.real.dag_structure(dag_id)

    def run_detail(self, dag_id: str, run_id: str) -> RunDetail:
        self.rereads.append(f"run_detail {run_id}")
        return self.real.run_detail(dag_id, run_id)

    def run_details(self, dag_id: str, run_ids: Sequence[str]) -> dict[str, RunDetail]:
        if self.per_run:
            self.reads += len(run_ids)
            return {run_id: self.real.run_detail(dag_id, run_id) for run_id in run_ids}
        self.reads += 1
        return self.real.run_details(dag_id, run_ids)


def _health(
    home: AirflowHome, history_path: Path, *, per_run: bool
) -> tuple[list[Any], int, list[str]]:
    store = RunByRun(open_metastore(home.metastore_url), per_run=per_run)
    sources = DataSources()
    try:
        structure = store.dag_structure("drift")
        runs = store.runs("drift")
        store.rereads.clear()
        measured = list(
            measure_health(
                store,  # type: ignore[arg-type]
                sources,
                DataSettings(home.data_url, "--data-url"),
                ProfileHistory(history_path),
                structure=structure,
                runs=runs,
                task_ids=[t.task_id for t in structure.tasks],
                cancelled=lambda: False,
            )
        )
        health_reads, rereads = store.reads, store.rereads
    finally:
        sources.close()
        store.real.close()
    shown = [(m.task_id, m.health.row_counts, m.health.badge, m.health.reasons, m.notes)
             for m in measured]  # fmt: skip
    return shown, health_reads, rereads


def test_health_reads_the_runs_in_one_query_and_matches_reading_them_one_by_one(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    # Each in a history of its own: measuring records profiles the other would then read.
    one_by_one, reads_before, _ = _health(airflow_home, tmp_path / "a.sqlite", per_run=True)
    set_read, reads_now, rereads = _health(airflow_home, tmp_path / "b.sqlite", per_run=False)
    assert set_read == one_by_one
    assert any(len(row_counts) > 1 for _, row_counts, *_ in set_read)  # a trend over runs
    assert any(badge for _, _, badge, *_ in set_read)  # a comparison behind a badge
    assert reads_before > 1  # the trend's runs, one read each
    assert reads_now == 1
    assert rereads == []  # the comparisons took the DAG and both runs from that read


@pytest.fixture(autouse=True)
def _no_user_history(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DDTUI_HISTORY", str(tmp_path / "unused-history.sqlite"))
