"""Read-only SQLAlchemy engines for the metastore and the data sources."""

from __future__ import annotations

import math
import re

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from ddtui.backends import Budget, backend_for
from ddtui.backends.registry import sqlalchemy_url
from ddtui.errors import ConfigError

DEFAULT_STATEMENT_TIMEOUT_S = 30
# Words drivers use when a statement timeout stops a query: PostgreSQL, MariaDB, MySQL
# ("maximum statement execution time exceeded"), and our own SQLite message (ddtui.backends.sqlite).
TIMEOUT_MARKERS = ("statement timeout", "max_execution_time", "max_statement_time", "interrupted")
# The longest a server may take to accept a connection (libpq counts whole seconds, >= 2).
CONNECT_TIMEOUT_S = 5


def mask_url(url: str | URL) -> str:
    """The URL as text with any password replaced by ***."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", str(url))
    return backend_for(parsed).shown_url(parsed).render_as_string(hide_password=True)


def is_timeout(exc: BaseException) -> bool:
    """True if a driver error says a statement timeout stopped the query."""
    reason = str(getattr(exc, "orig", None) or exc).lower()
    return any(marker in reason for marker in TIMEOUT_MARKERS)


def parse_url(url: str) -> URL:
    """Parse a database URL, mapping the driver-less names Airflow uses to installed drivers."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {mask_url(url)!r} ({exc})") from None
    except ValueError:  # SQLAlchemy's int() of the port
        raise ConfigError(
            f"not a database URL: {mask_url(url)!r} (the port is not a number)"
        ) from None
    parsed = sqlalchemy_url(parsed)
    return backend_for(parsed).driver_url(parsed)


def create_readonly_engine(
    url: str, *, statement_timeout_s: float = DEFAULT_STATEMENT_TIMEOUT_S, role: str = "database"
) -> Engine:
    """An engine whose connections cannot write, with a statement timeout on servers.

    On servers the client also stops waiting (see ddtui.backends.watchdog): a statement unanswered
    `statement_timeout_s` + a grace after it was sent, or a connection not accepted within
    the connect timeout, raises QueryTimeoutError naming `role` ("metastore", ...).
    """
    from ddtui.backends.watchdog import GRACE_S

    parsed = parse_url(url)
    backend = backend_for(parsed)
    answer_s = statement_timeout_s + GRACE_S
    budget = Budget(
        statement_timeout_s, answer_s, max(2, min(CONNECT_TIMEOUT_S, math.ceil(answer_s)))
    )
    parsed = backend.readonly_url(parsed)
    try:
        engine = sa.create_engine(
            parsed, connect_args=backend.connect_args(parsed, budget), pool_pre_ping=True
        )
    except (NoSuchModuleError, ImportError) as exc:
        raise ConfigError(
            f"no driver for {mask_url(parsed)} ({exc}): {backend.missing_driver_hint()}"
        ) from None
    backend.prepare_engine(engine, budget)
    if backend.capabilities.networked:
        from ddtui.backends.watchdog import EngineLimits, watch_engine

        limits = EngineLimits(role, mask_url(url), answer_s, budget.connect_s)
        watch_engine(engine, limits)
    return engine


def is_sqlite_snapshot(url: URL) -> bool:
    """Whether the engine reads a file as an immutable snapshot."""
    return backend_for(url).is_snapshot(url)
