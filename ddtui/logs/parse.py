"""One log line as time, level and message: Airflow 3's JSON lines, Airflow 2's plain text.

Airflow 3 writes each record as a JSON object (structlog): `timestamp`, `level`, `event`,
`logger`, and for an exception `error_detail`, a list of exceptions with their frames.
The traceback is rebuilt from it in Python's own layout and kept with its record.
Airflow 2 (and `print` output captured by Airflow 2) is plain text, shown as written.
No Textual or Rich here: the CLI and the TUI both render these entries.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ddtui.terminal_text import safe_text

ERROR_LEVELS = frozenset({"error", "critical", "fatal", "exception"})
# Airflow 2: "[2024-01-01T00:00:00.000+0000] {taskinstance.py:1234} ERROR - message"
_TEXT_LEVEL = re.compile(r"\}\s+(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\s+-")
_TEXT_TIME = re.compile(r"^\[(\d{4}-\d\d-\d\d[T ][\d:.,]+(?:[+-]\d{2}:?\d{2}|Z)?)\]")


@dataclass(frozen=True)
class LogEntry:
    """One record of a log: what the time/level/message columns and the traceback show."""

    time: str | None  # as written, e.g. 2026-12-04T13:45:06.416404Z
    level: str | None  # lower case: debug, info, warning, error, critical
    message: str
    logger: str | None = None
    traceback: tuple[str, ...] = ()  # rebuilt from error_detail, Python's layout

    @property
    def is_error(self) -> bool:
        """An error record, or a traceback (plain-text logs have no level on those lines)."""
        return self.level in ERROR_LEVELS or bool(self.traceback)

    def text(self) -> str:
        """All the entry's text, for searching."""
        return "\n".join((self.message, *self.traceback))


def parse_line(line: str) -> LogEntry:
    """A JSON-lines record when the line is one, else the line as plain text."""
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict) and ("event" in record or "timestamp" in record):
            return _from_record(record)
    return _from_text(line)


def _from_record(record: dict[str, Any]) -> LogEntry:
    level = record.get("level")
    event = record.get("event", "")
    return LogEntry(
        time=str(record["timestamp"]) if record.get("timestamp") else None,
        level=str(level).lower() if level else None,
        message=event if isinstance(event, str) else json.dumps(event, default=str),
        logger=str(record["logger"]) if record.get("logger") else None,
        traceback=format_error_detail(record.get("error_detail")),
    )


def _from_text(line: str) -> LogEntry:
    found = _TEXT_LEVEL.search(line)
    level = found.group(1).lower() if found else None
    if level == "warn":
        level = "warning"
    if level is None and line.startswith("Traceback (most recent call last)"):
        level = "error"
    stamp = _TEXT_TIME.match(line)
    return LogEntry(time=stamp.group(1) if stamp else None, level=level, message=line)


def format_error_detail(detail: object) -> tuple[str, ...]:
    """Python's traceback layout from structlog's exception dicts (outermost first in them)."""
    if not isinstance(detail, list) or not detail:
        return ()
    lines: list[str] = []
    # structlog lists the raised exception first, then its cause or context: Python
    # prints them the other way round, each introduced by how it led to the next.
    stacks = [item for item in detail if isinstance(item, dict)]
    for position, item in enumerate(reversed(stacks)):
        if position:
            follows = stacks[len(stacks) - position]
            lines += ["", _chain_line(follows), ""]
        lines += _format_stack(item)
    return tuple(lines)


def _chain_line(cause: dict[str, Any]) -> str:
    if cause.get("is_cause"):
        return "The above exception was the direct cause of the following exception:"
    return "During handling of the above exception, another exception occurred:"


def _format_stack(item: dict[str, Any]) -> list[str]:
    lines = ["Traceback (most recent call last):"]
    for frame in item.get("frames") or ():
        if isinstance(frame, dict):
            lines.append(
                f'  File "{frame.get("filename", "?")}", line {frame.get("lineno", "?")}, '
                f"in {frame.get('name', '?')}"
            )
    value = item.get("exc_value")
    exc_type = item.get("exc_type", "Exception")
    lines.append(f"{exc_type}: {value}" if value not in (None, "") else str(exc_type))
    lines += [str(note) for note in item.get("exc_notes") or ()]
    for nested in item.get("exceptions") or ():  # exception groups
        if isinstance(nested, dict):
            lines += ["  | " + line for line in _format_stack(nested)]
    return lines


def display_lines(entry: LogEntry) -> list[tuple[str, str | None]]:
    """The entry as terminal-safe display lines, each with the level that colours it."""
    stamp = short_time(entry.time)
    level = (entry.level or "").upper()
    if entry.time is None and entry.level is None:
        head = entry.message
    elif entry.time is not None and entry.message.startswith("["):
        head = entry.message  # plain text that carries its own time and level
    else:
        head = " ".join(part for part in (stamp, f"{level:<8}" if level else "", entry.message))
    shown = [(safe_text(head), entry.level)]
    shown += [(safe_text(line), entry.level or "error") for line in entry.traceback]
    return shown


def short_time(stamp: str | None) -> str:
    """2026-12-04T13:45:06.416404Z -> 2026-12-04 13:45:06.416 (milliseconds are enough)."""
    if not stamp:
        return ""
    text = stamp.replace("T", " ", 1).removesuffix("Z").removesuffix("+00:00")
    head, dot, fraction = text.partition(".")
    return f"{head}.{fraction[:3]}" if dot else head
