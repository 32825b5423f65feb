"""Independent push-down queries on two PostgreSQL connections that share one snapshot.

The server runs each query on one core; a second connection (a second backend) lets a
long scan and the sorts of other columns run at the same time. Both transactions are
REPEATABLE READ over the snapshot the first one exports, so every query sees the same
rows. MySQL/MariaDB cannot share a snapshot across connections: their tasks run serially
on the one connection, in the same order.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ddtui.errors import QueryTimeoutError
from ddtui.profile.control import Control
from ddtui.watchdog import shut_connection

# How often the waiting thread checks cancellation while the workers' queries run.
POLL_SECONDS = 0.1
# How long a cancel request may wait for the server before the connection is cut instead.
CANCEL_TIMEOUT_S = 2.0
# pg_export_snapshot() ids are hex numbers joined by dashes ("00000003-0000001B-1"); the
# id is spliced into SET TRANSACTION SNAPSHOT, which takes no bind parameters.
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")


@dataclass(order=True)
class Task:
    """One or a few queries on whichever connection is free; may return follow-up tasks.

    Lower `priority` first: the longest chains of dependent queries start first, so the
    two connections finish together.
    """

    priority: int
    label: str = field(compare=False)
    run: Callable[[sa.Connection], Sequence[Task] | None] = field(compare=False)


class Workers:
    """Runs tasks on its connections, from threads, and waits for them on the caller's thread."""

    def __init__(self, conns: Sequence[sa.Connection]) -> None:
        self.conns = list(conns)
        # Taken now, on the caller's thread: cancel() is the one call made while a worker
        # thread uses the connection (the drivers allow it from any thread).
        self._dbapi: dict[int, Any] = {id(c): c.connection.dbapi_connection for c in self.conns}

    def run(self, tasks: Sequence[Task], control: Control) -> None:
        """Run `tasks` and their follow-ups; cancelled or failed: stop the others' queries."""
        if len(self.conns) == 1:
            self._run_serially(tasks, control)
            return
        order = itertools.count()  # ties keep the order of submission
        ready = [(t, next(order)) for t in tasks]
        heapq.heapify(ready)
        total, finished = len(ready), 0
        idle = list(reversed(self.conns))
        running: dict[Future[Sequence[Task] | None], tuple[Task, sa.Connection]] = {}
        with ThreadPoolExecutor(len(self.conns), thread_name_prefix="ddtui-pushdown") as pool:
            try:
                while ready or running:
                    while ready and idle:
                        task, _ = heapq.heappop(ready)
                        conn = idle.pop()
                        running[pool.submit(task.run, conn)] = (task, conn)
                    labels = ", ".join(task.label for task, _ in running.values())
                    control.report(finished / total, labels)
                    done, _ = wait(running, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                    for future in done:
                        _, conn = running.pop(future)
                        idle.append(conn)
                        follow_ups = future.result() or ()  # a worker's error raises here
                        for task in follow_ups:
                            heapq.heappush(ready, (task, next(order)))
                        total += len(follow_ups)
                        finished += 1
            except BaseException as exc:
                # Cancelled, or one query failed: the other's result is moot. The pool's
                # exit waits for the threads, so their statements must end first.
                self._stop(running, server_silent=isinstance(exc, QueryTimeoutError))
                raise

    def _run_serially(self, tasks: Sequence[Task], control: Control) -> None:
        pending = sorted(tasks)
        total = len(pending)
        for finished in itertools.count():
            if not pending:
                return
            task = pending.pop(0)
            control.report(finished / total, task.label)
            follow_ups = task.run(self.conns[0]) or ()
            pending = sorted([*follow_ups, *pending])
            total += len(follow_ups)

    def _stop(
        self, running: dict[Future[Any], tuple[Task, sa.Connection]], *, server_silent: bool
    ) -> None:
        """Cancel the running statements until their threads return (errors are moot).

        A server that stopped answering would not answer a cancel request either (and
        libpq waits for its reply): then the connections are cut instead.
        """
        while running:
            for _, conn in running.values():
                dbapi = self._dbapi[id(conn)]
                if server_silent:
                    shut_connection(dbapi)
                else:
                    # Repeated: a cancel that lands between two statements of a task cancels
                    # nothing, and the next statement would run to its end.
                    _cancel(dbapi)
            done, _ = wait(running, timeout=POLL_SECONDS)
            for future in done:
                del running[future]


def _cancel(dbapi_connection: Any) -> None:
    """Ask the server to cancel the connection's statement; cut it if the server is silent."""
    cancel_safe = getattr(dbapi_connection, "cancel_safe", None)  # psycopg 3: has a timeout
    if cancel_safe is None:
        dbapi_connection.cancel()
        return
    try:
        cancel_safe(timeout=CANCEL_TIMEOUT_S)
    except dbapi_connection.OperationalError:
        shut_connection(dbapi_connection)


def _export_snapshot(conn: sa.Connection) -> str:
    """The id of `conn`'s (REPEATABLE READ) snapshot, for other transactions to import."""
    snapshot = str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
    if not _SNAPSHOT_ID.fullmatch(snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    return snapshot


def _import_snapshot(conn: sa.Connection, snapshot: str) -> None:
    """Make `conn`'s new transaction see exactly what the exporting one sees."""
    conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")


@contextmanager
def workers(
    conn: sa.Connection, parallel: bool, tune: Callable[[sa.Connection], None]
) -> Iterator[Workers]:
    """Workers on `conn` and, when `parallel`, one more connection on the same snapshot.

    `conn`'s transaction must not have run a query yet (read_only_connection's has not):
    its isolation level changes to REPEATABLE READ. `tune` sets up each connection.
    """
    if not parallel:
        tune(conn)
        yield Workers([conn])
        return
    # Before any query: a REPEATABLE READ transaction keeps the snapshot of its first query
    # (pg_export_snapshot's) to the end, and the exported snapshot lives as long as it does.
    conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    tune(conn)
    snapshot = _export_snapshot(conn)
    with conn.engine.connect() as extra:
        try:
            _import_snapshot(extra, snapshot)
            tune(extra)
            yield Workers([conn, extra])
        finally:
            extra.rollback()  # read-only: nothing to keep
