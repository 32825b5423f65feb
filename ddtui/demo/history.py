"""Give the demo home the profile history a cron job with `ddtui describe --record` would
have built, so drifted DAGs show their badge from the first screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ddtui.config.settings import DataSettings
from ddtui.demo.home import AirflowHome
from ddtui.drift.history import ProfileHistory
from ddtui.errors import DataSourceError, NoOutputError
from ddtui.metastore import open_metastore
from ddtui.outputs.data_sources import DataSources
from ddtui.usecases.describe import describe_task
from ddtui.usecases.record import record_description

SEEDED_MARKER = "ddtui-history-seeded"


def seed_demo_history(
    home: AirflowHome, history: ProfileHistory, progress: Callable[[str], None]
) -> int:
    """Record every task output of every run, oldest run first; return how many were stored.

    Done once per demo home and history file (a marker in the home remembers it).
    """
    marker = home.home / SEEDED_MARKER
    if marker.is_file() and marker.read_text(encoding="utf-8") == str(history.path):
        return 0
    store = open_metastore(home.metastore_url)
    data = DataSettings(home.data_url, "the demo home")
    sources = DataSources()
    recorded = 0
    try:
        for dag in store.list_dags():
            runs = store.runs(dag.dag_id)
            if len(runs) < 2:
                continue  # nothing to compare with
            progress(f"recording profile history of {dag.dag_id} ({len(runs)} runs)")
            structure = store.dag_structure(dag.dag_id)
            for run in reversed(runs):  # oldest first, as a cron job would have
                for task in structure.tasks:
                    try:
                        description = describe_task(
                            store, data, dag.dag_id, task.task_id, run.run_id, sources=sources
                        )
                    except (NoOutputError, DataSourceError):
                        continue  # a failed task wrote nothing in that run
                    before = history.stats()["entries"]
                    record_description(store, sources, data, description, history)
                    recorded += history.stats()["entries"] - before
    finally:
        sources.close()
        store.close()
    Path(marker).write_text(str(history.path), encoding="utf-8")
    return recorded
