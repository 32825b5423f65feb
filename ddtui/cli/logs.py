"""What `ddtui logs` prints: a task try's log, streamed, as text or JSON lines."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable

import typer

from ddtui.logs.parse import LogEntry, display_lines, parse_line
from ddtui.logs.reader import (
    LogFollower,
    read_after,
    read_unfinished_line,
)
from ddtui.logs.task_log import TaskLog, check_log_file, find_task_log
from ddtui.metastore import MetastoreReader
from ddtui.terminal_text import safe_text

FOLLOW_POLL_S = 1.0
STATE_POLL_S = 5.0
LEVEL_COLORS = {
    "critical": "red",
    "fatal": "red",
    "error": "red",
    "exception": "red",
    "warning": "yellow",
    "debug": "bright_black",
}


def use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def run_logs(
    store: MetastoreReader,
    *,
    dag_id: str,
    task_id: str,
    run_id: str | None,
    try_number: int | None,
    map_index: int | None,
    follow: bool,
    grep: str | None,
    output_format: str,
) -> None:
    """Print the log (and, with `follow`, what the running try appends until it ends)."""
    log = find_task_log(
        store, dag_id, task_id, run_id=run_id, try_number=try_number, map_index=map_index
    )
    say = _stderr_note
    if len(log.map_indexes) > 1 and map_index is None:
        say(f"mapped task: map index {log.tries.map_index} of {len(log.map_indexes)} "
            "(choose with --map-index)")  # fmt: skip
    if log.location.remote:
        say(f"remote logging is on ({log.location.remote}); ddtui reads only the local copy")
    check_log_file(log)
    say(f"{log.title()}: {log.path}")
    write = _writer(log, output_format, grep, use_color() and output_format == "text")
    offset = _print_from(log, 0, write)
    if follow and log.is_live:
        offset = _follow(store, log, offset, write)
    fragment = read_unfinished_line(log.path, offset)
    if fragment:
        write([fragment])


def _stderr_note(line: str) -> None:
    typer.echo(f"ddtui: {safe_text(line)}", err=True)


def _print_from(log: TaskLog, offset: int, write: Callable[[Iterable[str]], None]) -> int:
    """Print the complete lines from `offset` on, a block at a time; return where they end."""
    while True:
        part = read_after(log.path, offset)
        if not part.lines:
            return offset
        write(part.lines)
        offset = part.end


def _follow(
    store: MetastoreReader, log: TaskLog, offset: int, write: Callable[[Iterable[str]], None]
) -> int:
    """Poll the file while the try runs (its state re-read every few seconds)."""
    follower = LogFollower(log.path, offset, log.path.stat().st_ino)
    live, checked = True, time.monotonic()
    while True:
        part, restarted = follower.poll()
        if restarted:
            _stderr_note("the log file was replaced or truncated: reading it from the start")
        write(part.lines)
        if not live and not part.lines:
            return follower.offset
        if time.monotonic() - checked >= STATE_POLL_S:
            tries = store.task_tries(
                log.tries.dag_id, log.tries.run_id, log.tries.task_id, log.tries.map_index
            )
            latest = tries.latest
            live = bool(latest and latest.try_number == log.try_number and latest.state in (
                "running", "queued", "scheduled", "restarting", "deferred"))  # fmt: skip
            checked = time.monotonic()
        if live:
            time.sleep(FOLLOW_POLL_S)


def _writer(
    log: TaskLog, output_format: str, grep: str | None, color: bool
) -> Callable[[Iterable[str]], None]:
    needle = grep.lower() if grep else None

    def wanted(entry: LogEntry) -> bool:
        return needle is None or needle in entry.text().lower()

    def write_text(lines: Iterable[str]) -> None:
        out = []
        for line in lines:
            entry = parse_line(line)
            if wanted(entry):
                for text, level in display_lines(entry):
                    shade = LEVEL_COLORS.get(level or "") if color else None
                    out.append(typer.style(text, fg=shade) if shade else text)
        if out:
            typer.echo("\n".join(out))

    def write_json(lines: Iterable[str]) -> None:
        out = []
        for line in lines:
            entry = parse_line(line)
            if wanted(entry):
                out.append(json.dumps(_entry_json(log, entry)))
        if out:
            typer.echo("\n".join(out))

    return write_json if output_format == "json" else write_text


def _entry_json(log: TaskLog, entry: LogEntry) -> dict[str, object]:
    return {
        "dag_id": log.tries.dag_id,
        "task_id": log.tries.task_id,
        "run_id": log.tries.run_id,
        "map_index": log.tries.map_index,
        "try": log.try_number,
        "time": entry.time,
        "level": entry.level,
        "logger": entry.logger,
        "message": entry.message,
        "traceback": list(entry.traceback),
    }
