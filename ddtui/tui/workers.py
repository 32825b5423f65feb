"""Thread-worker bodies: each reads through the data layer and only posts messages.

A job gets `post` (drops messages once its worker is cancelled) and `cancelled`; it never
touches a widget. Failures propagate: the app turns them into a message in the pane they
concern (see `MainScreen.on_worker_state_changed`).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message
from textual.worker import Worker, get_current_worker

from ddtui.tui import backend
from ddtui.tui.keys import RunKey, TableKey
from ddtui.tui.messages import (
    DagLoaded,
    DagsLoaded,
    ProfileFinished,
    ProfileLoaded,
    ProfileProgressed,
    RowsCounted,
    SchemaLoaded,
)

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from ddtui.config.settings import DataSettings
    from ddtui.metastore import MetastoreReader
    from ddtui.outputs.data_sources import DataSources
    from ddtui.outputs.resolve import OutputRef

Post = Callable[[Message], None]
Cancelled = Callable[[], bool]
Job = Callable[[Post, Cancelled], None]

# Worker groups: one kind of work each, so `exclusive=True` cancels only stale work of that kind.
DAGS, DAG, ROWS, PROFILE = "dags", "dag", "rows", "profile"
# A profile started while another still runs (the cursor is moving) waits this long first.
PROFILE_SETTLE_S = 0.15
SETTLE_POLL_S = 0.01
PROGRESS_INTERVAL_S = 0.2
SAMPLE_PAINT_S = 0.15


_PROFILER_IMPORT = threading.Lock()


def load_profiler() -> None:
    """Import the profiler (numpy with it) from one thread at a time: a package imported
    by two threads at once can be seen half-initialised (see drift_workers.load_drift).
    Not pandas: the profiler needs it only for rare values (timestamps with zones in text)."""
    with _PROFILER_IMPORT:
        import ddtui.profile  # noqa: F401


def preload_profiler() -> None:
    """Import the profiler (numpy, SQLAlchemy's SQL parts: ~0.1 s) in a background thread,
    so that the first profile does not wait for it."""
    if "ddtui.profile" not in sys.modules:
        threading.Thread(target=load_profiler, name="preload-profiler", daemon=True).start()


def start(node: DOMNode, group: str, job: Job, description: str = "") -> Worker[None]:
    """Run `job` in a thread worker of `node` and `group`, cancelling the group's older
    workers; what it posts goes to `node`."""

    def body() -> None:
        worker = get_current_worker()

        def post(message: Message) -> None:
            if not worker.is_cancelled:
                node.post_message(message)

        job(post, lambda: worker.is_cancelled)

    return node.run_worker(
        body,
        name=group,
        group=group,
        description=description or group,
        thread=True,
        exclusive=True,
        exit_on_error=False,
    )


@dataclass(frozen=True)
class DagRequest:
    """Which DAG to read, which run (None: the newest), and whether this is a refresh."""

    dag_id: str
    run_id: str | None = None
    refresh: bool = False


def load_dags(metastore: MetastoreReader, clock: Callable[[], datetime]) -> Job:
    def job(post: Post, cancelled: Cancelled) -> None:
        dags = metastore.list_dags()
        post(DagsLoaded(dags, clock()))

    return job


def load_dag(
    metastore: MetastoreReader,
    data: DataSettings,
    request: DagRequest,
    clock: Callable[[], datetime],
) -> Job:
    """Structure, runs and one run's details, with each task's output table resolved
    (`ddtui.usecases.tasks.read_dag_run`)."""

    def job(post: Post, cancelled: Cancelled) -> None:
        # Here, not at module level: the first frame does not wait for output resolution.
        from ddtui.usecases.tasks import read_dag_run

        found = read_dag_run(metastore, data, request.dag_id, request.run_id, cancelled)
        if found is None:
            return
        structure, runs, detail, outputs = found
        post(DagLoaded(request.dag_id, structure, runs, detail, outputs, request.refresh, clock()))

    return job


def count_rows(sources: DataSources, run_key: RunKey, refs: dict[str, OutputRef]) -> Job:
    """Each readable output's row count (`ddtui.usecases.counts`), posted for every task
    that writes the table."""

    def job(post: Post, cancelled: Cancelled) -> None:
        load_profiler()
        from ddtui.usecases.counts import count_tables

        for counted in count_tables(sources, refs, cancelled):
            for task_id in counted.task_ids:
                post(RowsCounted(run_key, task_id, counted.rows, counted.problem))

    return job


def running(node: DOMNode, group: str) -> bool:
    """Whether a worker of `node` and `group` is still at work."""
    return any(w.group == group and w.node is node and not w.is_finished for w in node.workers)


def profile_output(
    sources: DataSources,
    ref: OutputRef,
    key: TableKey,
    settle: float = 0.0,
    *,
    approx: bool = False,
) -> Job:
    """Schema and row count, then a sample profile, then the exact one (with `approx`, the
    approximate one where the database has approximate aggregates), with progress.

    `settle`: seconds to wait before reading, so that a cursor moving through the task
    list cancels this job before it touches the database (debounce).
    """

    def job(post: Post, cancelled: Cancelled) -> None:
        if not _wait(settle, cancelled):
            return
        load_profiler()
        from ddtui.profile.models import TableProfile  # numpy comes with ddtui.profile

        last_posted = 0.0

        def progress(*args: object, **kwargs: object) -> None:
            # At most a few updates a second: each one is a repaint on the UI thread.
            nonlocal last_posted
            fraction, note = backend.progress_fraction(*args, **kwargs)
            now = time.monotonic()
            if now - last_posted >= PROGRESS_INTERVAL_S or fraction in (0.0, 1.0):
                last_posted = now
                post(ProfileProgressed(key, fraction, note))

        engine = sources.engine(ref.data_url or "")
        try:
            for stage in backend.profile_stages(
                engine,
                ref.table or "",
                ref.schema,
                progress=progress,
                cancelled=cancelled,
                partition=ref.partition,
                approx=approx,
            ):
                if cancelled():
                    return
                if isinstance(stage, TableProfile):
                    post(ProfileLoaded(key, stage))
                    if not stage.exact and stage.method is None:
                        # Let the UI thread paint the sample before the exact scan, which
                        # holds the GIL between fetches, competes with it.
                        _wait(SAMPLE_PAINT_S, cancelled)
                else:
                    post(SchemaLoaded(key, stage))
        except Exception as exc:
            if backend.is_cancellation(exc):
                return
            raise
        post(ProfileFinished(key))

    return job


def _wait(seconds: float, cancelled: Cancelled) -> bool:
    """Sleep up to `seconds`, waking early when cancelled; False when cancelled."""
    deadline = time.monotonic() + seconds
    while not cancelled():
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        time.sleep(min(SETTLE_POLL_S, left))
    return False
