"""Thread-worker bodies of the log screen: each reads the log through `ddtui.logs` (or the
try's state through the metastore) and only posts messages; the screen owns the window.

Each function returns the job for `LogScreen` to run in a thread worker.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message

from ddtui.logs.reader import LogFollower, LogSlice, find_line, read_after, read_before, read_last
from ddtui.logs.task_log import LIVE_STATES, TaskLog, check_log_file, find_task_log
from ddtui.metastore import MetastoreReader
from ddtui.tui.log_messages import FollowEnded, LineNotFound, LogOpened, WindowExtended

WINDOW_BYTES = 1 << 20

Post = Callable[[Message], object]
LogJob = Callable[[], None]


def open_try(
    post: Post,
    store: MetastoreReader,
    dag_id: str,
    task_id: str,
    run_id: str | None,
    *,
    try_number: int | None,
    map_index: int | None,
    at: str,
) -> LogJob:
    """Find the try's file and read its end (`at`: end, or start)."""

    def job() -> None:
        log = find_task_log(store, dag_id, task_id, run_id=run_id, try_number=try_number,
                            map_index=map_index)  # fmt: skip
        check_log_file(log)
        if at == "start":
            post(LogOpened(log, read_after(log.path, 0, WINDOW_BYTES), None, True))
        else:
            post(LogOpened(log, read_last(log.path, WINDOW_BYTES), None, False))

    return job


def jump_to_line(
    post: Post,
    log: TaskLog,
    matches: Callable[[str], bool],
    start: int,
    *,
    backwards: bool,
    what: str,
) -> LogJob:
    """Find a line in the whole file, then read the window around it."""

    def job() -> None:
        found = find_line(log.path, matches, start, backwards=backwards)
        if found is None:
            post(LineNotFound(what))
            return
        before = read_before(log.path, found, WINDOW_BYTES // 2)
        after = read_after(log.path, found, WINDOW_BYTES // 2)
        part = LogSlice(before.lines + after.lines, before.offsets + after.offsets,
                        before.start, after.end, after.size)  # fmt: skip
        post(LogOpened(log, part, found, False))

    return job


def extend_window(post: Post, log: TaskLog, start: int, end: int, *, before: bool) -> LogJob:
    """Read the lines before the window's start (or after its end)."""

    def job() -> None:
        if before:
            part = read_before(log.path, start, WINDOW_BYTES)
        else:
            part = read_after(log.path, end, WINDOW_BYTES)
        post(WindowExtended(part, before, path=log.path))

    return job


def poll_follower(
    post: Post,
    follower: LogFollower,
    log: TaskLog | None,
    store: MetastoreReader,
    *,
    check_state: bool,
) -> LogJob:
    """What the try appended since the last poll; with `check_state`, whether it has ended."""

    def job() -> None:
        part, restarted = follower.poll(WINDOW_BYTES)
        post(WindowExtended(part, False, restarted, follower.path))
        if check_state and log is not None:
            key = log.tries
            tries = store.task_tries(key.dag_id, key.run_id, key.task_id, key.map_index)
            latest = tries.latest
            if latest is None or latest.state not in LIVE_STATES:
                post(FollowEnded(latest.state if latest else None))

    return job
