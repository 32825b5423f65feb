"""Whether a name that needs quoting (spaces, MixedCase, unicode, dots) is an existing table.

Asked of the configured data source through its backend (SQLAlchemy's inspector, DuckDB's
DESCRIBE), once per (source, name): the TUI resolves outputs on every DAG load and refresh.
A table found stays found; a name not found (or a source that could not be asked) is asked
again after `retry_after_s`, since a running task may create its table later.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# Longer than any server's identifiers (PostgreSQL 63 bytes, MySQL 64 characters) allow for
# "schema"."table" with quotes: longer strings are text, not names, and are not looked up.
MAX_NAME_LENGTH = 300
LOOKUP_TIMEOUT_S = 10

QualifiedName = tuple[str | None, str]  # (schema, table)


class TableNames:
    """A thread-safe cache of table-name lookups, with one read-only engine per source."""

    def __init__(self, retry_after_s: float = 60) -> None:
        self._found: dict[tuple[str, str], tuple[QualifiedName | None, str, float]] = {}
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()
        self._retry_after = retry_after_s

    def find(self, url: str, name: str) -> tuple[QualifiedName | None, str]:
        """The existing table `name` stands for, or None and why (a note, maybe empty)."""
        if len(name) > MAX_NAME_LENGTH or not name.isprintable():
            return None, ""
        with self._lock:
            cached = self._found.get((url, name))
            if cached and (cached[0] or time.monotonic() - cached[2] < self._retry_after):
                return cached[0], cached[1]
            found, note = self._look_up(url, name)
            self._found[(url, name)] = (found, note, time.monotonic())
            return found, note

    def _look_up(self, url: str, name: str) -> tuple[QualifiedName | None, str]:
        from sqlalchemy.exc import SQLAlchemyError

        from ddtui.backends.engines import create_readonly_engine, mask_url
        from ddtui.backends.registry import backend_for
        from ddtui.errors import DdtuiError

        try:
            if url not in self._engines:
                self._engines[url] = create_readonly_engine(
                    url, statement_timeout_s=LOOKUP_TIMEOUT_S
                )
            engine = self._engines[url]
            backend = backend_for(engine)
            with engine.connect() as conn:
                for schema, table in name_candidates(name):
                    if backend.has_table(conn, table, schema):
                        return (schema, table), ""
        except (DdtuiError, SQLAlchemyError) as exc:
            lines = str(exc).strip().splitlines()
            return None, f"could not look it up in {mask_url(url)}: {lines[0] if lines else exc}"
        return None, ""

    def close(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


def name_candidates(name: str) -> list[QualifiedName]:
    """The tables a string may name: itself whole, then as quoted or dotted `schema.table`."""
    candidates: list[QualifiedName] = [(None, name)]
    quoted = _split_quoted(name)
    if quoted is not None:
        candidates.append(quoted)
    elif '"' not in name and "`" not in name:
        # `my schema.my table`: each dot may be the one between schema and table.
        for at in (i for i, char in enumerate(name) if char == "."):
            schema, table = name[:at].strip(), name[at + 1 :].strip()
            if schema and table:
                candidates.append((schema, table))
    return list(dict.fromkeys(candidates))


def _split_quoted(name: str) -> QualifiedName | None:
    """`"My Table"`, `sales."Q1 totals"`, `"a.b"."c d"` (or with backticks) as (schema, table)."""
    parts: list[str] = []
    rest = name.strip()
    while rest:
        quote = rest[0]
        if quote in '"`':
            end, text = 1, ""
            while True:
                close = rest.find(quote, end)
                if close < 0:
                    return None
                text += rest[end:close]
                if rest[close + 1 : close + 2] == quote:  # "" inside quotes is one "
                    text, end = text + quote, close + 2
                    continue
                rest = rest[close + 1 :]
                break
        else:
            cut = rest.find(".")
            text, rest = (rest, "") if cut < 0 else (rest[:cut], rest[cut:])
            if '"' in text or "`" in text:
                return None
        parts.append(text)
        if rest.startswith("."):
            rest = rest[1:]
            if not rest:
                return None
        elif rest:
            return None
    if not parts or len(parts) > 2 or not all(parts):
        return None
    if '"' not in name and "`" not in name:
        return None  # nothing quoted: the dotted candidates cover it
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
