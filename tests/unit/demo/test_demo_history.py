"""The demo's profile history: what a cron job with `describe --record` would have stored."""

from __future__ import annotations

from pathlib import Path

from ddtui.demo.history import seed_demo_history
from ddtui.demo.home import AirflowHome
from ddtui.drift import dag_badge, task_health
from ddtui.drift.history import ProfileHistory
from ddtui.metastore import open_metastore


def test_seeded_history_gives_the_drift_dag_its_badge(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    history = ProfileHistory(tmp_path / "history.sqlite")
    lines: list[str] = []
    assert seed_demo_history(airflow_home, history, lines.append) > 0
    assert any("drift" in line for line in lines)
    store = open_metastore(airflow_home.metastore_url)
    per_run = history.for_task(store.masked_url, "drift", "sample")
    assert len(per_run) == 2  # one table per run: both runs recorded
    overwritten = history.for_task(store.masked_url, "drift", "publish")
    assert len(overwritten) == 1  # drift_latest only still holds the latest run's data
    health = task_health(per_run)
    assert health.badge == "drift"
    assert health.row_counts == [5000, 4000]
    assert dag_badge([health]) == "drift"
    # Once per home and history file.
    assert seed_demo_history(airflow_home, history, lines.append) == 0
