"""Independent push-down queries on two PostgreSQL connections that share one snapshot.

The server runs each query on one core; a second connection (a second backend) lets a
long scan and the sorts of other columns run at the same time. Both transactions read
one snapshot (the backend's share_snapshot: PostgreSQL's exported one), so every query
sees the same rows. Databases that cannot share a snapshot across connections
(MySQL/MariaDB) run their tasks serially on the one connection, in the same order.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ddtui.backends import Backend
from ddtui.backends.interrupt import POLL_SECONDS, interrupt_until_done
from ddtui.errors import QueryTimeoutError
from ddtui.profile.control import Control


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

    def __init__(self, backend: Backend, conns: Sequence[sa.Connection]) -> None:
        self.backend = backend
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
        """Interrupt the running statements until their threads return (errors are moot).

        A server that stopped answering would not answer a cancel request either (and
        libpq waits for its reply): then the connections are cut instead.
        """
        interrupt_until_done(
            self.backend,
            list(running),
            lambda: [self._dbapi[id(conn)] for future, (_, conn) in running.items()
                     if not future.done()],
            server_silent=server_silent,
        )  # fmt: skip


@contextmanager
def workers(conn: sa.Connection, backend: Backend) -> Iterator[Workers]:
    """Workers on `conn` and, where the database shares snapshots, one more connection
    reading the same snapshot.

    `conn`'s transaction must not have run a query yet (read_only_connection's has not):
    sharing its snapshot may change its isolation level.
    """
    if not backend.capabilities.shares_snapshot:
        backend.tune_for_aggregates(conn)
        yield Workers(backend, [conn])
        return
    with backend.connection_sharing_snapshot(conn) as extra:
        backend.tune_for_aggregates(conn)
        backend.tune_for_aggregates(extra)
        yield Workers(backend, [conn, extra])
