"""The one poll-and-interrupt loop: stop statements running on other threads."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future, wait
from typing import Any

from ddtui.backends.base import Backend

# How often a waiting thread checks cancellation while workers' queries run.
POLL_SECONDS = 0.1


def interrupt_until_done(
    backend: Backend,
    futures: Collection[Future[Any]],
    running: Callable[[], Iterable[Any]],
    *,
    server_silent: bool = False,
) -> None:
    """Interrupt the statements of the DBAPI connections `running()` names, again and again,
    until every future is done (their errors are moot: the caller already stops).

    Repeated: an interrupt that lands between two statements of a task stops nothing,
    and the next statement would run to its end.
    """
    pending = set(futures)
    while pending:
        for dbapi_connection in list(running()):
            backend.interrupt(dbapi_connection, server_silent=server_silent)
        _, pending = wait(pending, timeout=POLL_SECONDS)
