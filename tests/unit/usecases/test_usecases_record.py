"""Whether a newer run overwrote a run's table, and recording only if not: one rule that
`ddtui describe --record` and the TUI both follow (ddtui.usecases).

The metastore is the in-memory stand-in of test_drift_runs (runs and task states as
Airflow writes them); the data source, output resolution, profiler and history are real.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ddtui.config.settings import DataSettings
from ddtui.drift.history import ProfileHistory
from ddtui.drift.runs import MAX_NEWER_RUNS, run_is_latest_writer
from ddtui.outputs.data_sources import DataSources
from ddtui.outputs.resolve import resolve_output
from ddtui.profile import profile_table
from ddtui.usecases.overwrite import overwritten
from ddtui.usecases.record import record_if_current
from tests.unit.drift.test_drift_runs import FakeMetastore, write


class CountingMetastore(FakeMetastore):
    """Counts the reads that cost one query each."""

    def __init__(self) -> None:
        super().__init__()
        self.detail_reads = 0

    def run_detail(self, dag_id: str, run_id: str):  # type: ignore[no-untyped-def]
        self.detail_reads += 1
        return super().run_detail(dag_id, run_id)


@pytest.fixture
def setup(tmp_path: Path):
    data = tmp_path / "data.sqlite"
    store = CountingMetastore()
    settings = DataSettings(f"sqlite:///{data}", "test")
    sources = DataSources()
    history = ProfileHistory(tmp_path / "history.sqlite")
    yield data, store, settings, sources, history
    sources.close()


def _check(store: CountingMetastore, settings: DataSettings, task_id: str, run_id: str):
    task = store.structure.task(task_id)
    assert task is not None
    ref = resolve_output(task, store.details[run_id], settings)
    return overwritten(store, settings, "drift", task, run_id=run_id, ref=ref)


def test_a_table_every_run_rewrites_is_overwritten_by_the_next_success(setup) -> None:
    _, store, settings, _, _ = setup
    store.add_run("r1", "success", 0, sample_table=None)
    store.add_run("r2", "failed", 1, sample_table=None)  # failed: wrote nothing
    assert not _check(store, settings, "publish", "r1").overwritten
    store.add_run("r3", "success", 2, sample_table=None)
    verdict = _check(store, settings, "publish", "r1")
    assert verdict.overwritten and verdict.by_run == "r3"
    assert "newer run r3" in verdict.reason("drift_latest", "r1")
    assert not _check(store, settings, "publish", "r3").overwritten


def test_one_table_per_run_is_never_overwritten(setup) -> None:
    _, store, settings, _, _ = setup
    store.add_run("r1", "success", 0, sample_table="drift_20240401")
    store.add_run("r2", "success", 1, sample_table="drift_20240402")
    assert not _check(store, settings, "sample", "r1").overwritten


def test_out_of_runs_to_look_at_counts_as_overwritten(setup) -> None:
    # More newer runs than are looked at, none of which ran the task: a newer writer
    # further back cannot be ruled out, so the profile is not recorded under r0.
    _, store, settings, _, _ = setup
    store.add_run("r0", "success", 0, sample_table=None)
    for day in range(1, MAX_NEWER_RUNS + 2):
        store.add_run(f"r{day}", "failed", day, sample_table=None)
    verdict = _check(store, settings, "publish", "r0")
    assert verdict.overwritten and verdict.by_run is None
    assert "too many newer runs" in verdict.reason("drift_latest", "r0")
    assert not run_is_latest_writer(store, "drift", "publish", "r0")


def test_the_check_reads_task_states_in_one_set_not_run_by_run(setup) -> None:
    _, store, settings, _, _ = setup
    store.add_run("r0", "success", 0, sample_table=None)
    for day in range(1, MAX_NEWER_RUNS):
        store.add_run(f"r{day}", "failed", day, sample_table=None)
    store.add_run("newest", "success", MAX_NEWER_RUNS, sample_table=None)
    store.detail_reads = 0
    verdict = _check(store, settings, "publish", "r0")
    assert verdict.by_run == "newest"
    assert store.detail_reads == 1  # the newest writer's output only, not 20 runs'


def test_record_if_current_stores_only_what_the_table_still_holds(setup) -> None:
    data, store, settings, sources, history = setup
    write(data, "drift_latest", seed=1)
    store.add_run("r1", "success", 0, sample_table=None)
    task = store.structure.task("publish")
    assert task is not None
    engine = sources.engine(settings.url or "")
    profile = profile_table(engine, "drift_latest", mode="exact")

    def record(run_id: str) -> str | None:
        detail = store.details[run_id]
        ref = resolve_output(task, detail, settings)
        return record_if_current(
            store, sources, settings, history,
            dag_id="drift", task=task, detail=detail, ref=ref, profile=profile,
        )  # fmt: skip

    assert record("r1") is None
    store.add_run("r2", "success", 1, sample_table=None)
    why_not = record("r1")  # r2 has since rewritten drift_latest
    assert why_not is not None and "r2" in why_not
    entries = history.for_task(store.masked_url, "drift", "publish")
    assert [e.key.run_id for e in entries] == ["r1"]
