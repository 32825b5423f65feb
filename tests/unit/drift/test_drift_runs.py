"""compare_task_runs: per-run tables live, overwritten ones from the history, "previous".

The metastore here is a small stand-in with the reader's methods; the data source, the
output resolution, the profiler and the history are the real ones. The end-to-end test
against real Airflow runs of the `drift` demo DAG lives with the CLI tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from ddtui.config.settings import DataSettings
from ddtui.drift import (
    BaselineUnavailableError,
    ProfileHistory,
    compare_task_runs,
    history_key,
    previous_successful_run,
)
from ddtui.drift.runs import record_profile
from ddtui.errors import NotFoundError
from ddtui.metastore import (
    DagStructure,
    RunDetail,
    RunSummary,
    TaskGroupNode,
    TaskInstanceSummary,
    TaskNode,
    XComValue,
)
from ddtui.outputs.data_sources import DataSources
from ddtui.outputs.resolve import resolve_output
from ddtui.profile import profile_table

START = datetime(2024, 4, 1, tzinfo=UTC)


def task(task_id: str, output_table: str | None = None) -> TaskNode:
    fields = {"output_table": output_table} if output_table else {}
    return TaskNode(task_id, "DataDriverOperator", None, (), (), fields, (), False)


class FakeMetastore:
    """The Metastore methods compare_task_runs uses, over in-memory runs."""

    masked_url = "sqlite:////airflow/airflow.db"

    def __init__(self) -> None:
        tasks = (task("sample"), task("publish", "drift_latest"))
        self.structure = DagStructure("drift", tasks, TaskGroupNode(None, ("sample", "publish")))
        self.details: dict[str, RunDetail] = {}

    def add_run(self, run_id: str, state: str, day: int, *, sample_table: str | None) -> None:
        when = START + timedelta(days=day)
        summary = RunSummary("drift", run_id, state, "manual", when, when, when, when)
        ti_state = "success" if state == "success" else "failed"
        tis = tuple(
            TaskInstanceSummary(t, -1, ti_state, 1, when, when, 1.0, "DataDriverOperator")
            for t in ("sample", "publish")
        )
        xcoms = (XComValue("sample", -1, sample_table),) if sample_table else ()
        self.details[run_id] = RunDetail(summary, tis, xcoms)

    def dag_structure(self, dag_id: str) -> DagStructure:
        return self.structure

    def run_detail(self, dag_id: str, run_id: str) -> RunDetail:
        if run_id not in self.details:
            raise NotFoundError(f"run of DAG {dag_id!r}", run_id, self.details)
        return self.details[run_id]

    def task_states(
        self, dag_id: str, task_id: str, run_ids: Sequence[str]
    ) -> dict[str, tuple[str | None, ...]]:
        found = {
            run_id: tuple(
                ti.state for ti in self.details[run_id].task_instances if ti.task_id == task_id
            )
            for run_id in run_ids
            if run_id in self.details
        }
        return {run_id: states for run_id, states in found.items() if states}

    def runs(self, dag_id: str, limit: int = 25, offset: int = 0) -> list[RunSummary]:
        ordered = sorted(
            (d.run for d in self.details.values()), key=lambda r: r.run_after or START, reverse=True
        )
        return ordered[offset : offset + limit]


def write(path: Path, table: str, *, shift: float = 0.0, seed: int = 0, rows: int = 3_000) -> None:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "amount": rng.normal(100 + shift, 15, rows),
            "segment": rng.choice(["bronze", "silver", "gold"], rows, p=[0.6, 0.3, 0.1]),
        }
    )
    engine = sa.create_engine(f"sqlite:///{path}")
    frame.to_sql(table, engine, index=False, if_exists="replace")
    engine.dispose()


@pytest.fixture
def setup(tmp_path: Path):
    data = tmp_path / "data.sqlite"
    metastore = FakeMetastore()
    settings = DataSettings(f"sqlite:///{data}", "test")
    sources = DataSources()
    history = ProfileHistory(tmp_path / "history.sqlite")
    yield data, metastore, settings, sources, history
    sources.close()


def test_per_run_tables_are_profiled_live_against_the_previous_success(setup) -> None:
    data, metastore, settings, sources, history = setup
    write(data, "drift_20240401", seed=1)
    write(data, "drift_20240403", seed=3, shift=25)
    metastore.add_run("r1", "success", 0, sample_table="drift_20240401")
    metastore.add_run("r2", "failed", 1, sample_table=None)
    metastore.add_run("r3", "success", 2, sample_table="drift_20240403")

    assert previous_successful_run(metastore, "drift", "r3") == "r1"  # skips the failed run
    assert previous_successful_run(metastore, "drift", "r1") is None
    report = compare_task_runs(
        metastore, sources, settings, "drift", "sample", "r3", "previous", history
    )
    assert report.baseline.run_id == "r1"
    assert report.current.run_id == "r3"
    assert report.baseline.table == "drift_20240401"
    assert report.current.table == "drift_20240403"
    assert report.baseline.source == report.current.source == "live"
    assert report.verdict == "drift"
    amount = report.column("amount")
    assert amount is not None
    assert amount.ks is not None
    # Both live profiles went into the history.
    assert len(history.for_task(metastore.masked_url, "drift", "sample")) == 2
    data_json = report.to_dict()
    assert data_json["baseline"]["run_id"] == "r1"
    assert data_json["current"]["source"] == "live"


def test_a_dropped_per_run_baseline_falls_back_to_the_history(setup) -> None:
    data, metastore, settings, sources, history = setup
    write(data, "drift_20240401", seed=1)
    write(data, "drift_20240402", seed=2)
    metastore.add_run("r1", "success", 0, sample_table="drift_20240401")
    metastore.add_run("r2", "success", 1, sample_table="drift_20240402")
    compare_task_runs(metastore, sources, settings, "drift", "sample", "r2", "r1", history)
    engine = sa.create_engine(f"sqlite:///{data}")
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE drift_20240401"))
    engine.dispose()
    sources.close()
    report = compare_task_runs(metastore, sources, settings, "drift", "sample", "r2", "r1", history)
    assert report.baseline.source == "history"
    assert report.current.source == "live"
    assert report.verdict == "ok"
    with pytest.raises(BaselineUnavailableError, match="no stored profile"):
        compare_task_runs(metastore, sources, settings, "drift", "sample", "r2", "r1", None)


def test_overwritten_table_uses_the_history(setup) -> None:
    data, metastore, settings, sources, history = setup
    metastore.add_run("r1", "success", 0, sample_table=None)
    write(data, "drift_latest", seed=1)
    # What `ddtui describe drift publish --record` does after run r1:
    engine = sources.engine(settings.url)
    ref = resolve_output(metastore.structure.tasks[1], metastore.details["r1"], settings)
    key = history_key(metastore, "drift", "publish", "r1", ref)
    profile = profile_table(engine, "drift_latest", mode="exact")
    stored = record_profile(history, key, profile, engine=engine, table="drift_latest")
    assert stored.samples is not None
    # Run r2 overwrites the table with shifted data.
    metastore.add_run("r2", "success", 1, sample_table=None)
    write(data, "drift_latest", seed=2, shift=25)
    report = compare_task_runs(
        metastore, sources, settings, "drift", "publish", "r2", "previous", history
    )
    assert report.baseline.source == "history"
    assert report.baseline.recorded_at == stored.recorded_at
    assert report.current.source == "live"
    assert report.verdict == "drift"
    amount = report.column("amount")
    assert amount is not None
    assert amount.ks is not None  # from the stored sample and the live one

    # r2 was recorded on the way: after r3 overwrites again, r2 vs r1 still works.
    metastore.add_run("r3", "success", 2, sample_table=None)
    write(data, "drift_latest", seed=3)
    again = compare_task_runs(metastore, sources, settings, "drift", "publish", "r2", "r1", history)
    assert again.current.source == again.baseline.source == "history"
    assert again.column("amount").psi.value == pytest.approx(amount.psi.value)  # type: ignore[union-attr]


def test_overwritten_table_without_history_says_how_to_build_it(setup) -> None:
    data, metastore, settings, sources, history = setup
    metastore.add_run("r1", "success", 0, sample_table=None)
    metastore.add_run("r2", "success", 1, sample_table=None)
    write(data, "drift_latest", seed=2)
    with pytest.raises(BaselineUnavailableError, match="--record"):
        compare_task_runs(
            metastore, sources, settings, "drift", "publish", "r2", "previous", history
        )


def test_unknown_task_and_run_and_self_baseline(setup) -> None:
    _, metastore, settings, sources, history = setup
    metastore.add_run("r1", "success", 0, sample_table=None)
    with pytest.raises(NotFoundError):
        compare_task_runs(metastore, sources, settings, "drift", "nope", "r1", "previous", history)
    with pytest.raises(NotFoundError):
        compare_task_runs(
            metastore, sources, settings, "drift", "sample", "r9", "previous", history
        )
    with pytest.raises(BaselineUnavailableError, match="no successful run"):
        compare_task_runs(
            metastore, sources, settings, "drift", "sample", "r1", "previous", history
        )
    with pytest.raises(BaselineUnavailableError, match="its own baseline"):
        compare_task_runs(metastore, sources, settings, "drift", "sample", "r1", "r1", history)


def test_an_unwritable_history_does_not_stop_the_comparison(setup, tmp_path: Path) -> None:
    data, metastore, settings, sources, _ = setup
    write(data, "drift_20240401", seed=1)
    write(data, "drift_20240402", seed=2)
    metastore.add_run("r1", "success", 0, sample_table="drift_20240401")
    metastore.add_run("r2", "success", 1, sample_table="drift_20240402")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    history = ProfileHistory(blocker / "h.sqlite")
    report = compare_task_runs(metastore, sources, settings, "drift", "sample", "r2", "r1", history)
    assert report.verdict == "ok"
    assert len(report.notes) == 2
    assert report.to_dict()["notes"][0].startswith("not recorded")


def test_the_previous_success_comes_from_the_runs_already_read_when_they_hold_it(setup) -> None:
    _, metastore, *_ = setup
    for run_id, state, day in (("r1", "success", 0), ("r2", "failed", 1), ("r3", "success", 2)):
        metastore.add_run(run_id, state, day, sample_table=None)
    paged: list[int] = []
    page = metastore.runs

    def counted_runs(dag_id: str, limit: int = 25, offset: int = 0) -> list[RunSummary]:
        paged.append(offset)
        return page(dag_id, limit, offset)

    metastore.runs = counted_runs  # type: ignore[method-assign]
    newest = page("drift")
    assert previous_successful_run(metastore, "drift", "r3", newest) == "r1"
    assert paged == []
    # A first page without an earlier success (or without the run) is no answer: paged.
    assert previous_successful_run(metastore, "drift", "r3", newest[:2]) == "r1"
    assert previous_successful_run(metastore, "drift", "r2", newest[:1]) == "r1"
    assert paged == [0, 0]
