"""Read parts of a log file by byte offset, with bounded memory whatever the file's size.

A 200 MB log is never read whole: the end is read by seeking back a block, scrolling reads
the block before or after what is shown, and search scans the file block by block. A line
is addressed by the byte offset where it starts. Text is decoded as UTF-8 with
replacement characters, so a log in another encoding still shows.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ddtui.errors import LogUnavailableError

WINDOW_BYTES = 1 << 20  # what one read brings in: about 10,000 lines of a typical log
SCAN_BLOCK_BYTES = 1 << 20
MAX_LINE_CHARS = 10_000  # a longer line is cut: one line must not fill the memory


@dataclass(frozen=True)
class LogSlice:
    """Consecutive lines of a log file, and where they are in it."""

    lines: tuple[str, ...]
    offsets: tuple[int, ...]  # byte offset where each line starts
    start: int  # byte offset of the first line
    end: int  # byte offset just after the last line
    size: int  # the file's size when it was read

    @property
    def at_start(self) -> bool:
        return self.start == 0

    @property
    def at_end(self) -> bool:
        return self.end >= self.size


def check_readable(path: Path) -> os.stat_result:
    """The file's stat, or a LogUnavailableError saying in one line why it cannot be read."""
    try:
        with path.open("rb"):
            return path.stat()
    except OSError as exc:
        raise LogUnavailableError(f"cannot read {path}: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.EACCES:
        return "permission denied"
    if exc.errno == errno.EISDIR:
        return "it is a directory"
    return exc.strerror or type(exc).__name__


def _decode(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace").rstrip("\r")
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 1] + "…"


def _slice(raw: bytes, start: int, end: int, size: int) -> LogSlice:
    """The lines of `raw` (read from byte `start`, no trailing newline) with their offsets."""
    if not raw:
        return LogSlice((), (), start, end, size)
    lines, offsets = [], []
    offset = start
    for line in raw.split(b"\n"):
        lines.append(_decode(line))
        offsets.append(offset)
        offset += len(line) + 1
    return LogSlice(tuple(lines), tuple(offsets), start, end, size)


def read_last(path: Path, max_bytes: int = WINDOW_BYTES) -> LogSlice:
    """The last lines of the file, at most about `max_bytes` of them."""
    size = check_readable(path).st_size
    return read_before(path, size, max_bytes)


def read_before(path: Path, offset: int, max_bytes: int = WINDOW_BYTES) -> LogSlice:
    """The lines that end at byte `offset` (a line start), about `max_bytes` of them."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            offset = min(offset, size)
            start = max(0, offset - max_bytes)
            handle.seek(start)
            raw = handle.read(offset - start)
    except OSError as exc:
        raise LogUnavailableError(f"cannot read {path}: {_reason(exc)}") from None
    # The block began inside a line: that line belongs to the block before, unless the
    # block is all one line (longer than max_bytes; shown cut).
    cut = raw.find(b"\n") if start > 0 else -1
    if 0 <= cut < len(raw) - 1:
        start, raw = start + cut + 1, raw[cut + 1 :]
    return _slice(raw.removesuffix(b"\n"), start, offset, size)


def read_after(path: Path, offset: int, max_bytes: int = WINDOW_BYTES) -> LogSlice:
    """The complete lines from byte `offset` (a line start) on, about `max_bytes` of them.

    An unfinished last line (no newline yet: the task is still writing) is left for later,
    unless it fills the whole block (a line longer than `max_bytes`, shown cut).
    """
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            handle.seek(offset)
            raw = handle.read(max_bytes)
    except OSError as exc:
        raise LogUnavailableError(f"cannot read {path}: {_reason(exc)}") from None
    cut = raw.rfind(b"\n")
    if cut >= 0:
        raw = raw[: cut + 1]
    elif len(raw) < max_bytes:  # only an unfinished line: wait for its newline
        raw = b""
    return _slice(raw.removesuffix(b"\n"), offset, offset + len(raw), size)


def read_unfinished_line(path: Path, offset: int) -> str:
    """What was written after the last newline (shown once a finished task's log ends so)."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            return _decode(handle.read(MAX_LINE_CHARS * 4).split(b"\n", 1)[0])
    except OSError as exc:
        raise LogUnavailableError(f"cannot read {path}: {_reason(exc)}") from None


def find_line(
    path: Path,
    matches: Callable[[str], bool],
    start: int = 0,
    *,
    backwards: bool = False,
    block_bytes: int = SCAN_BLOCK_BYTES,
) -> int | None:
    """Byte offset of the first line from `start` on (or the last before it) that matches."""
    offset = start
    while True:
        if backwards:
            if offset <= 0:
                return None
            part = read_before(path, offset, block_bytes)
            for line_start, line in reversed(list(zip(part.offsets, part.lines, strict=True))):
                if matches(line):
                    return line_start
            offset = part.start
        else:
            part = read_after(path, offset, block_bytes)
            if not part.lines:
                return None
            for line_start, line in zip(part.offsets, part.lines, strict=True):
                if matches(line):
                    return line_start
            offset = part.end


@dataclass
class LogFollower:
    """New complete lines appended to a log since the last poll (like `tail -F`)."""

    path: Path
    offset: int
    inode: int | None = None

    def poll(self, max_bytes: int = WINDOW_BYTES) -> tuple[LogSlice, bool]:
        """(new lines, restarted): restarted when the file was replaced or truncated."""
        nothing = LogSlice((), (), self.offset, self.offset, self.offset)
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return nothing, False  # not written yet, or being rotated: try again later
        except OSError as exc:
            raise LogUnavailableError(f"cannot read {self.path}: {_reason(exc)}") from None
        restarted = False
        if (self.inode is not None and info.st_ino != self.inode) or info.st_size < self.offset:
            self.offset, restarted = 0, True
        self.inode = info.st_ino
        if info.st_size == self.offset:
            return LogSlice((), (), self.offset, self.offset, info.st_size), restarted
        part = read_after(self.path, self.offset, max_bytes)
        self.offset = part.end
        return part, restarted
