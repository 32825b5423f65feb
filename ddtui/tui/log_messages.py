"""What the log screen's workers post: past-tense events, the screen owns the state."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from ddtui.logs.reader import LogSlice
from ddtui.logs.task_log import TaskLog


@dataclass
class LogOpened(Message):
    """A try's log was found and its window read."""

    log: TaskLog
    part: LogSlice
    highlight_offset: int | None  # byte offset of the line to highlight, if any
    at_top: bool  # show the window's top (g) rather than its end


@dataclass
class WindowExtended(Message):
    """Lines before or after the window were read (scrolling, following)."""

    part: LogSlice
    before: bool
    restarted: bool = False
    path: Path | None = None  # the file read


@dataclass
class LogFailed(Message):
    """The log could not be opened: the reason, in one line."""

    reason: str


@dataclass
class FollowEnded(Message):
    """The followed try is no longer running."""

    state: str | None


@dataclass
class LineNotFound(Message):
    what: str
