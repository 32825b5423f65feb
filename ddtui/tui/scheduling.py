"""The selected table first: the order of background work on the main screen.

While the selected table's profile has not shown its first stage, other reads (row counts,
badges from the history) wait: they run in threads that would compete with it for the
interpreter, and the table the user asked for comes first. Task health profiles other
tables: it waits until that profile has ended. No Textual here: tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable

Work = Callable[[], object]


class SelectedTableFirst:
    """Holds work back until the selected table's profile shows its first stage or ends."""

    def __init__(self) -> None:
        self._awaiting_stage = False
        self._profiling = False
        self._after_stage: list[Work] = []
        self._after_end: list[Work] = []

    @property
    def profiling(self) -> bool:
        """A profile of the selected table started and has not ended."""
        return self._profiling

    def profile_started(self) -> None:
        self._awaiting_stage = True
        self._profiling = True

    def after_first_stage(self, work: Work) -> None:
        """Run `work` now, or once the selected table's profile shows something."""
        if self._awaiting_stage:
            self._after_stage.append(work)
        else:
            work()

    def after_profile(self, work: Work) -> None:
        """Run `work` now, or once the selected table's profile ended (once, however often
        it was asked for meanwhile)."""
        if not self._profiling:
            work()
        elif work not in self._after_end:
            self._after_end.append(work)

    def first_stage_shown(self) -> None:
        """The profile showed its first stage (or stopped without one)."""
        self._awaiting_stage = False
        waiting, self._after_stage = self._after_stage, []
        for work in waiting:
            work()

    def profile_ended(self) -> None:
        """The profile ended, failed, or was not needed: everything that waited runs."""
        self.first_stage_shown()
        self._profiling = False
        waiting, self._after_end = self._after_end, []
        for work in waiting:
            work()
