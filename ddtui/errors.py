"""Errors that ddtui reports as one line and a distinct exit code, never a traceback."""

from __future__ import annotations

from collections.abc import Iterable

from ddtui.terminal_text import safe_text

NAME_LIMIT = 120  # a suggested id longer than this is cut: the line must stay one line


class DdtuiError(Exception):
    """A failure a user can act on; `str()` is the one line we print."""

    exit_code = 1


class ConfigError(DdtuiError):
    """Settings are missing or malformed (bad URL, unreadable airflow.cfg, ...)."""

    exit_code = 3


class MissingDatabaseError(ConfigError):
    """A SQLite database file that does not exist (ddtui never creates one)."""


class MetastoreError(DdtuiError):
    """The metastore cannot be reached, is not an Airflow metastore, or is not supported."""

    exit_code = 4


class MetastoreTimeoutError(MetastoreError):
    """A metastore query ran past the statement timeout (busy server, or a lock held)."""

    exit_code = 7


class NotFoundError(DdtuiError):
    """An unknown DAG, task or run, with close matches when there are some."""

    exit_code = 2

    def __init__(
        self, kind: str, name: str, candidates: Iterable[str] = (), where: str = ""
    ) -> None:
        self.kind = kind
        self.name = name
        pool = list(candidates)
        self.suggestions = close_matches(name, pool)
        if self.suggestions:
            hint = f" Did you mean: {_names(self.suggestions)}?"
        elif 0 < len(pool) <= 12:
            hint = f" Known: {_names(sorted(pool))}."
        else:
            hint = ""
        in_where = f" in {where}" if where else ""
        # Ids, names and `where` come from the metastore or the data (anyone with write access
        # chose them): the whole line is shown safe; `_names` also cuts long suggestions.
        super().__init__(safe_text(f"unknown {kind} {name!r}{in_where}.{hint}"))


class NoOutputError(DdtuiError):
    """The task has no output table we can find (a normal state, but `describe` needs one)."""

    exit_code = 5


class DataSourceError(DdtuiError):
    """The output table cannot be read: missing table, permission denied, unreachable server."""

    exit_code = 6


class LogUnavailableError(DdtuiError):
    """A task try's log cannot be read: no local file, permission denied, remote logging only."""

    exit_code = 6


class TableChangedError(DataSourceError):
    """Another connection wrote to the table while it was profiled."""


class QueryTimeoutError(DataSourceError):
    """A query ran past the statement timeout."""

    exit_code = 7


def _names(names: Iterable[str]) -> str:
    return ", ".join(safe_text(name, NAME_LIMIT) for name in names)


def close_matches(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """Up to `limit` candidates close to `name`, best first."""
    import difflib

    pool = list(candidates)
    matches = difflib.get_close_matches(name, pool, n=limit, cutoff=0.5)
    if not matches:
        lowered = name.lower()
        matches = [c for c in pool if lowered in c.lower()][:limit]
    return matches


MESSAGE_LIMIT = 1_000  # an error quoting a huge value is cut


def one_line(error: BaseException | None) -> str:
    """Our errors are one line already; anything else gets its type and first line.
    Terminal-safe: messages quote names and values from data."""
    if error is None:
        return "unknown error"
    message = str(error).strip()
    # Ours are one line: a newline in them comes from a name they quote (shown as ⏎).
    first = message if isinstance(error, DdtuiError) else (message.splitlines() or [""])[0]
    first = safe_text(first, MESSAGE_LIMIT)
    if isinstance(error, DdtuiError):  # written for users: no class name in front
        return first or type(error).__name__
    return f"{type(error).__name__}: {first}" if first else type(error).__name__
