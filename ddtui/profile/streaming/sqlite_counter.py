"""SQLite counting text and boolean columns on its own connections while ddtui streams the
others: up to two threads, each on its own connection, interrupted when the profile stops."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from types import TracebackType
from typing import Any

import sqlalchemy as sa

from ddtui.backends import backend_for
from ddtui.backends.interrupt import POLL_SECONDS, interrupt_until_done
from ddtui.profile.control import Control
from ddtui.profile.models import ColumnProfile
from ddtui.profile.spec import Settings
from ddtui.profile.streaming.sqlite_groups import CountJob, grouped_profile


class GroupCounter:
    """Counts CountJobs on their own connections in up to two threads, off the caller's GIL.

    `start()` sets one thread to work while the caller streams the other columns;
    `finish()` adds a second thread for what is left (the caller only waits, checking
    for cancellation, so a cancelled profile stops mid-query: closing interrupts
    the running statements). Needs a second connection to the same database.
    """

    def __init__(self, engine: sa.Engine, jobs: Sequence[CountJob], settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.pending = deque(jobs)
        self.names = {job.index: job.spec.name for job in jobs}
        self.results: dict[int, ColumnProfile] = {}
        self.stopped = threading.Event()
        self.running: list[Any] = []  # DBAPI connections of the threads, to interrupt them
        self.executor: ThreadPoolExecutor | None = None
        self.futures: list[Future[None]] = []

    def __enter__(self) -> GroupCounter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """Set the first thread counting (a no-op without jobs)."""
        if not self.pending:
            return
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ddtui-count")
        self.futures.append(self.executor.submit(self._drain_on_new_connection))

    def add(self, job: CountJob) -> None:
        """One more job after start(): a column the stream stopped counting (see bounded.py)."""
        self.pending.append(job)
        self.names[job.index] = job.spec.name
        if self.executor is None:
            self.start()

    def finish(self, control: Control) -> dict[int, ColumnProfile]:
        """Every job's profile by column index, once all are counted."""
        if self.executor is None:
            return self.results  # there were no jobs
        if self.pending:
            self.futures.append(self.executor.submit(self._drain_on_new_connection))
        while True:
            done, _ = wait(self.futures, timeout=POLL_SECONDS)
            for future in done:
                future.result()  # a failed count fails the profile, with its own error
            counting = sorted(set(self.names) - set(self.results))
            if not counting:
                return self.results
            control.report(
                len(self.results) / len(self.names),
                "counting " + ", ".join(self.names[i] for i in counting),
            )

    def close(self) -> None:
        """Stop the threads, interrupting their statements if they still run."""
        self.stopped.set()
        self.pending.clear()
        if self.executor is None:
            return
        interrupt_until_done(backend_for(self.engine), self.futures, lambda: self.running)
        self.executor.shutdown(wait=True)

    def _drain_on_new_connection(self) -> None:
        with self.engine.connect() as conn:
            driver = conn.connection.driver_connection
            self.running.append(driver)
            try:
                while not self.stopped.is_set():
                    try:
                        job = self.pending.popleft()
                    except IndexError:
                        return
                    self.results[job.index] = grouped_profile(conn, job, self.settings)
            finally:
                self.running.remove(driver)
                conn.rollback()
