"""A client-side limit on how long a database server may leave a statement unanswered.

A server-side statement timeout cannot help when the network stalls: the server's
"cancelled" reply never arrives, and a TCP connection whose peer still acknowledges
(a stalled proxy, a frozen VM) never errors. So each statement on a server engine is
armed with a deadline (the statement timeout plus a grace for the server's own reply);
past it, one watchdog thread shuts the connection's socket down. The driver's blocked
read returns at once, the pool drops the dead connection, and the caller gets a
QueryTimeoutError (exit 7) naming what did not answer. Later statements use new
connections.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa

from ddtui.errors import QueryTimeoutError

# Seconds a server gets beyond its own statement timeout to report it.
GRACE_S = 2.0
# What drivers say when their own client-side timeouts expire (libpq connect_timeout,
# PyMySQL's socket timeouts, mysqlclient's ETIMEDOUT); a server's "statement timeout" is
# translated elsewhere.
CLIENT_TIMEOUT_MARKERS = ("timeout expired", "timed out", "system error: 110")
_WATCH_KEY = "ddtui.watch"
T = TypeVar("T")


@dataclass(eq=False)
class Watch:
    """One armed deadline: a socket to shut down (or a call that interrupts an embedded
    database's statement) if nothing happens before it."""

    deadline: float | None  # None: paused (the caller, not the server, has the turn)
    limit_s: float
    sock: socket.socket | None
    fired: bool = False
    stop: Callable[[], None] | None = None


@dataclass(eq=False)
class Watchdog:
    """One thread that sleeps until the nearest deadline; it exits when nothing is armed."""

    _cond: threading.Condition = field(default_factory=threading.Condition)
    _watches: set[Watch] = field(default_factory=set)
    _thread: threading.Thread | None = None
    _wake_at: float | None = None  # when the sleeping thread wakes next (None: never)

    def arm(self, dbapi_connection: Any, limit_s: float) -> Watch:
        return self._arm(Watch(time.monotonic() + limit_s, limit_s, _dup_socket(dbapi_connection)))

    def arm_call(self, stop: Callable[[], None], limit_s: float) -> Watch:
        """Call `stop` (from the watchdog's thread) unless disarmed within `limit_s`."""
        return self._arm(Watch(time.monotonic() + limit_s, limit_s, None, stop=stop))

    def _arm(self, watch: Watch) -> Watch:
        assert watch.deadline is not None
        deadline = watch.deadline
        with self._cond:
            self._watches.add(watch)
            if self._thread is None:
                self._wake_at = deadline
                self._thread = threading.Thread(target=self._run, name="ddtui-watchdog")
                self._thread.daemon = True
                self._thread.start()
            elif self._wake_at is None or deadline < self._wake_at:
                # Woken only when it must wake sooner: a thread switch per statement
                # would cost more than the statement on a fast server.
                self._cond.notify()
        return watch

    def pause(self, watch: Watch) -> None:
        """The caller works on what arrived: its time is not the server's."""
        watch.deadline = None  # the thread skips paused watches

    def resume(self, watch: Watch) -> None:
        """The caller waits for the server again: a full limit from now."""
        deadline = time.monotonic() + watch.limit_s
        with self._cond:
            watch.deadline = deadline
            if self._wake_at is None or deadline < self._wake_at:
                self._cond.notify()

    def disarm(self, watch: Watch) -> bool:
        """Stop watching; True if the deadline had passed and the socket was shut down."""
        with self._cond:
            self._watches.discard(watch)  # the thread finds out when it wakes...
            if watch.fired:
                self._cond.notify()  # ...unless it sleeps until woken (only fired ones left)
            if watch.sock is not None:
                watch.sock.close()
                watch.sock = None
            return watch.fired

    def _run(self) -> None:
        with self._cond:
            while self._watches:
                now = time.monotonic()
                waiting = [
                    w.deadline for w in self._watches if not w.fired and w.deadline is not None
                ]
                for watch in self._watches:
                    if not watch.fired and watch.deadline is not None and watch.deadline <= now:
                        watch.fired = True
                        if watch.sock is not None:
                            shut(watch.sock)
                        elif watch.stop is not None:
                            with contextlib.suppress(Exception):  # finished meanwhile
                                watch.stop()
                waiting = [deadline for deadline in waiting if deadline > now]
                wake_at = self._wake_at = min(waiting) if waiting else None
                self._cond.wait(timeout=None if wake_at is None else wake_at - now)
            self._thread = self._wake_at = None


WATCHDOG = Watchdog()


def _dup_socket(dbapi_connection: Any) -> socket.socket | None:
    """Our own handle on the driver's socket: shutting it down ends the driver's wait."""
    sock = getattr(dbapi_connection, "_sock", None)  # PyMySQL
    try:
        fd = sock.fileno() if sock is not None else dbapi_connection.fileno()  # psycopg 2 / 3
        return socket.socket(fileno=os.dup(fd))
    except Exception:  # a closed connection (each driver has its own error), an unknown driver
        return None


def shut(sock: socket.socket) -> None:
    """Shut a socket down both ways (the driver sees end of stream); never raises."""
    with contextlib.suppress(OSError):  # already closed by the peer or the driver
        sock.shutdown(socket.SHUT_RDWR)


def shut_connection(dbapi_connection: Any) -> None:
    """Stop whatever `dbapi_connection` waits for, without asking the server."""
    sock = _dup_socket(dbapi_connection)
    if sock is not None:
        shut(sock)
        sock.close()


@dataclass(frozen=True)
class EngineLimits:
    """What an engine's statements and connection attempts may take, and how to name it."""

    role: str
    url: str
    statement_s: float
    connect_s: float

    def error(self, seconds: float) -> QueryTimeoutError:
        return QueryTimeoutError(f"{self.role} {self.url} did not answer within {seconds:g} s")


_LIMITS: weakref.WeakKeyDictionary[sa.Engine, EngineLimits] = weakref.WeakKeyDictionary()


def limits_of(engine: sa.Engine) -> EngineLimits | None:
    return _LIMITS.get(engine)


def is_client_timeout(error: BaseException) -> bool:
    text = str(getattr(error, "orig", None) or error).lower()
    return any(marker in text for marker in CLIENT_TIMEOUT_MARKERS)


def watch_engine(engine: sa.Engine, limits: EngineLimits) -> None:
    """Arm every statement (and the pool's liveness ping) of `engine` with its limit."""
    _LIMITS[engine] = limits

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _arm(conn: sa.Connection, *_: Any) -> None:
        conn.info[_WATCH_KEY] = WATCHDOG.arm(conn.connection.dbapi_connection, limits.statement_s)

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _disarm(conn: sa.Connection, *_: Any) -> None:
        watch = conn.info.pop(_WATCH_KEY, None)
        if watch is not None:
            WATCHDOG.disarm(watch)

    @sa.event.listens_for(engine, "handle_error")
    def _timed_out(ctx: sa.engine.ExceptionContext) -> BaseException | None:
        watch = ctx.connection.info.pop(_WATCH_KEY, None) if ctx.connection is not None else None
        fired = WATCHDOG.disarm(watch) if watch is not None else False
        if fired:
            ctx.is_disconnect = True  # its socket is shut: the pool must not hand it out
            return limits.error(limits.statement_s)
        if is_client_timeout(ctx.original_exception):
            seconds = limits.connect_s if ctx.connection is None else limits.statement_s
            return limits.error(seconds)
        return None

    # The pool's liveness check and rollbacks (also the pool's, when a connection returns)
    # run outside the statement events, and must not hang either.
    engine.dialect.do_ping = _guarded(engine.dialect.do_ping, limits)  # type: ignore[method-assign,assignment]
    engine.dialect.do_rollback = _guarded(engine.dialect.do_rollback, limits)  # type: ignore[method-assign,assignment]


def time_statements(engine: sa.Engine, limit_s: float, stop: Callable[[Any], None]) -> None:
    """Interrupt any statement of `engine` still running after `limit_s`, by calling
    `stop(dbapi_connection)` (for embedded databases, which have no timeout setting)."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _arm(conn: sa.Connection, *_: Any) -> None:
        dbapi_connection = conn.connection.dbapi_connection
        conn.info[_WATCH_KEY] = WATCHDOG.arm_call(lambda: stop(dbapi_connection), limit_s)

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _disarm(conn: sa.Connection, *_: Any) -> None:
        watch = conn.info.pop(_WATCH_KEY, None)
        if watch is not None:
            WATCHDOG.disarm(watch)

    @sa.event.listens_for(engine, "handle_error")
    def _failed(ctx: sa.engine.ExceptionContext) -> None:
        watch = ctx.connection.info.pop(_WATCH_KEY, None) if ctx.connection is not None else None
        if watch is not None:
            WATCHDOG.disarm(watch)


def _guarded(call: Callable[[Any], T], limits: EngineLimits) -> Callable[[Any], T]:
    """`call(dbapi_connection)` within the connect limit (it should take a round trip)."""

    def guarded(dbapi_connection: Any) -> T:
        watch = WATCHDOG.arm(dbapi_connection, limits.connect_s)
        try:
            return call(dbapi_connection)
        finally:
            if WATCHDOG.disarm(watch):
                raise limits.error(limits.connect_s)

    return guarded


@contextmanager
def _watching(conn: sa.Connection) -> Iterator[Watch | None]:
    limits = limits_of(conn.engine)
    if limits is None:
        yield None
        return
    watch = WATCHDOG.arm(conn.connection.dbapi_connection, limits.statement_s)
    try:
        yield watch
    except sa.exc.DBAPIError as exc:
        if WATCHDOG.disarm(watch):
            raise limits.error(limits.statement_s) from exc
        raise
    finally:
        WATCHDOG.disarm(watch)


def watched_rows(conn: sa.Connection, result: sa.Result[Any], rows: Iterable[T]) -> Iterator[T]:
    """`rows` of a streamed `result`, each fetch (and the closing) within the engine's limit;
    the time the caller spends on a row between fetches is not counted."""
    with _watching(conn) as watch:
        try:
            iterator = iter(rows)
            while True:
                if watch is not None:
                    WATCHDOG.resume(watch)
                try:
                    row = next(iterator)
                except StopIteration:
                    return
                if watch is not None:
                    WATCHDOG.pause(watch)
                yield row
        finally:
            if watch is not None:
                WATCHDOG.resume(watch)
            result.close()  # a server-side cursor: a round trip
