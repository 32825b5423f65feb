"""Progress reports and cooperative cancellation for long profiles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ProgressCallback = Callable[[float, str], None]
CancelledCallback = Callable[[], bool]


class ProfileCancelled(Exception):
    """The caller's `cancelled()` turned true; the profile was abandoned between steps."""


@dataclass
class Control:
    """Reports progress within a [start, end] slice of the whole job and checks cancellation."""

    progress: ProgressCallback | None = None
    cancelled: CancelledCallback | None = None
    start: float = 0.0
    end: float = 1.0

    def check(self) -> None:
        """Raise ProfileCancelled when the caller asked us to stop."""
        if self.cancelled is not None and self.cancelled():
            raise ProfileCancelled

    def report(self, fraction: float, message: str) -> None:
        """Check cancellation, then report `fraction` of this slice as overall progress."""
        self.check()
        if self.progress is not None:
            done = self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0)
            self.progress(done, message)

    def slice(self, start: float, end: float) -> Control:
        """A Control for a sub-step covering [start, end] of this one."""
        width = self.end - self.start
        return Control(
            self.progress, self.cancelled, self.start + width * start, self.start + width * end
        )
