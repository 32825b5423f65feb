"""A task try's log (`l` on a task, or `ddtui --dag D --task T --log`).

Opens on the end of the latest try. The file is read in windows by thread workers that
only post messages (`log_workers.py`; ddtui.logs does the reading); the screen owns the
window and the view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from ddtui.errors import one_line
from ddtui.logs.parse import parse_line
from ddtui.logs.reader import LogFollower
from ddtui.logs.task_log import TaskLog
from ddtui.metastore import MetastoreReader
from ddtui.terminal_text import safe_text
from ddtui.tui import log_workers
from ddtui.tui.log_messages import (
    FollowEnded,
    LineNotFound,
    LogFailed,
    LogOpened,
    WindowExtended,
)
from ddtui.tui.log_view import LogView, Row, rows_of

MAX_WINDOW_ROWS = 60_000  # beyond this the far end of the window is let go
FOLLOW_POLL_S = 1.0
STATE_EVERY_POLLS = 5  # while following, the try's state is read every 5 polls
LOG_GROUP = "log"
EXTEND_GROUP = "log-extend"


class LogScreen(Screen[None]):
    """One try's log: `[`/`]` other tries, `e` first error, `/` `n` `N` search, `f` follow."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back"),
        Binding("left_square_bracket", "step_try(-1)", "Older try", key_display="["),
        Binding("right_square_bracket", "step_try(1)", "Newer try", key_display="]"),
        Binding("e", "first_error", "First error"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("n", "find(False)", "Next", show=False),
        Binding("N", "find(True)", "Previous", show=False),
        Binding("f", "follow", "Follow"),
        Binding("g,home", "start", "Start", show=False),
        Binding("G,end", "end", "End", show=False),
    ]
    DEFAULT_CSS = """
    LogScreen #log-title { height: auto; background: $panel; padding: 0 1; }
    LogScreen #log-view { height: 1fr; }
    LogScreen #log-status { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    LogScreen #log-search { display: none; }
    LogScreen #log-search.-open { display: block; }
    """

    def __init__(
        self,
        metastore: MetastoreReader,
        dag_id: str,
        task_id: str,
        run_id: str | None = None,
        *,
        map_index: int | None = None,
    ) -> None:
        super().__init__()
        self.metastore = metastore
        self.dag_id, self.task_id, self.run_id = dag_id, task_id, run_id
        self.map_index = map_index
        self.task_log: TaskLog | None = None
        self.window: tuple[int, int, int] = (0, 0, 0)  # start, end, file size
        self.needle = ""
        self.follower: LogFollower | None = None
        self._follow_timer: Timer | None = None
        self._polls = 0
        self.message = ""

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Log of {safe_text(self.task_id)}"), id="log-title")
        yield LogView(id="log-view")
        yield Static("Reading the log…", id="log-status")
        yield Input(placeholder="search the log (enter: find, esc: close)", id="log-search")
        yield Footer()

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self.view.focus()
        self._open(None)

    # Work ------------------------------------------------------------------------------

    def _run(self, job: Callable[[], None], name: str, group: str = LOG_GROUP) -> None:
        # Opening (a try, a jump) and reading more are separate groups: scrolling must not
        # cancel the opening of another try.
        self.run_worker(job, name=name, group=group, thread=True, exclusive=True,
                        exit_on_error=False)  # fmt: skip

    def _open(self, try_number: int | None, *, at: str = "end") -> None:
        """Find the try's file and read its end (`at`: end, or start)."""
        if self.follower is not None:
            self._stop_following("")
        job = log_workers.open_try(self.post_message, self.metastore, self.dag_id, self.task_id,
                                   self.run_id, try_number=try_number, map_index=self.map_index,
                                   at=at)  # fmt: skip
        self._run(job, "open log")

    def _jump(self, matches: Callable[[str], bool], start: int, backwards: bool, what: str) -> None:
        """Find a line in the whole file, then read the window around it."""
        if self.task_log is not None:
            job = log_workers.jump_to_line(self.post_message, self.task_log, matches, start,
                                           backwards=backwards, what=what)  # fmt: skip
            self._run(job, f"find {what}")

    def _extend(self, before: bool) -> None:
        start, end, _size = self.window
        if self.task_log is not None:
            job = log_workers.extend_window(self.post_message, self.task_log, start, end,
                                            before=before)  # fmt: skip
            self._run(job, "read more of the log", EXTEND_GROUP)

    # Handlers --------------------------------------------------------------------------

    def on_log_opened(self, message: LogOpened) -> None:
        self.task_log, part = message.log, message.part
        self.window = (part.start, part.end, part.size)
        rows = rows_of(part.lines, part.offsets)
        highlight = None
        if message.highlight_offset is not None:
            highlight = next(
                (i for i, row in enumerate(rows) if row.offset == message.highlight_offset), None
            )
        view = self.view
        view.set_rows(rows, highlight=highlight)
        if highlight is not None:
            self.call_after_refresh(view.show_row, highlight)
        elif message.at_top:
            self.call_after_refresh(view.scroll_home, animate=False)
        else:
            self.call_after_refresh(view.scroll_end, animate=False)
        self._show_title()
        self._show_status()

    def on_window_extended(self, message: WindowExtended) -> None:
        part, view = message.part, self.view
        start, end, _size = self.window
        if self.task_log is None or message.path != self.task_log.path:
            return  # read from another try's file, before it was switched
        if message.restarted:  # the file was replaced: start over with what it holds now
            view.set_rows([])
            start = end = 0
        elif part.lines and (part.end != start if message.before else part.start != end):
            return  # read for a window that was replaced meanwhile (another try, a jump)
        if not part.lines:
            self.window = (start, end, part.size)
            self._show_status()
            return
        rows = rows_of(part.lines, part.offsets)
        following_end = view.at_bottom
        if message.before:
            view.prepend(rows)
            start = part.start
            if len(view.rows) > MAX_WINDOW_ROWS:
                cut = _first_row(view.rows, MAX_WINDOW_ROWS)  # keep records whole
                end = view.rows[cut].offset
                view.drop_last(len(view.rows) - cut)
        else:
            view.append(rows)
            end = part.end
            if len(view.rows) > MAX_WINDOW_ROWS:
                cut = _first_row(view.rows, len(view.rows) - MAX_WINDOW_ROWS)
                view.drop_first(cut or 1)
                start = view.rows[0].offset
            if self.follower is not None and following_end:
                self.call_after_refresh(view.scroll_end, animate=False)
        self.window = (start, end, max(part.size, end))
        self._show_status()

    def on_log_failed(self, message: LogFailed) -> None:
        self.message = message.reason
        self._show_status(error=True)

    def on_follow_ended(self, message: FollowEnded) -> None:
        if self.follower is not None:
            self.poll_follow()  # what the try wrote last
            self._stop_following(f"the try ended ({message.state or 'no state'})")
            self._show_status()

    def on_line_not_found(self, message: LineNotFound) -> None:
        self.message = f"no {message.what} in this try's log"
        self._show_status()

    @on(LogView.EdgeReached)
    def _edge(self, event: LogView.EdgeReached) -> None:
        start, end, size = self.window
        if event.top and start > 0:
            self._extend(before=True)
        elif not event.top and end < size and self.follower is None:
            self._extend(before=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        failed = event.state == WorkerState.ERROR
        if failed and event.worker.group in (LOG_GROUP, EXTEND_GROUP, "log-follow"):
            self.post_message(LogFailed(one_line(event.worker.error)))

    # Actions ---------------------------------------------------------------------------

    def action_close(self) -> None:
        search = self.query_one("#log-search", Input)
        if search.has_class("-open"):
            search.remove_class("-open")
            self.view.focus()
            return
        self.app.pop_screen()

    def action_step_try(self, step: int) -> None:
        if self.task_log is None:
            return
        numbers = [t.try_number for t in self.task_log.tries.tries]
        position = numbers.index(self.task_log.try_number) + step
        if 0 <= position < len(numbers):
            self.map_index = self.task_log.tries.map_index
            self._open(numbers[position])
        else:
            self.message = "no older try" if step < 0 else "this is the latest try"
            self._show_status()

    def action_first_error(self) -> None:
        self._jump(lambda line: parse_line(line).is_error, 0, False, "error")

    def action_search(self) -> None:
        search = self.query_one("#log-search", Input)
        search.add_class("-open")
        search.focus()

    @on(Input.Submitted, "#log-search")
    def _searched(self, event: Input.Submitted) -> None:
        event.stop()
        self.needle = event.value.strip().lower()
        event.input.remove_class("-open")
        self.view.focus()
        if self.needle:
            self.action_find(backwards=False)

    def action_find(self, backwards: bool) -> None:
        """The next (or previous) line holding the search text: in the window, else the file."""
        needle, view = self.needle, self.view
        if not needle:
            self.action_search()
            return
        here = view.highlighted if view.highlighted is not None else view.first_visible - 1
        order = range(here - 1, -1, -1) if backwards else range(here + 1, len(view.rows))
        for index in order:
            if needle in view.rows[index].text.plain.lower():
                view.show_row(_first_row(view.rows, index))
                self.message = ""
                self._show_status()
                return
        start, end, size = self.window
        if (backwards and start > 0) or (not backwards and end < size):
            matches = lambda line: needle in parse_line(line).text().lower()  # noqa: E731
            self._jump(matches, start if backwards else end, backwards, repr(needle))
        else:
            self.message = f"{needle!r} not found {'above' if backwards else 'below'}"
            self._show_status()

    def action_start(self) -> None:
        if self.window[0] == 0:
            self.view.scroll_home(animate=False)
        elif self.task_log is not None:
            self._open(self.task_log.try_number, at="start")

    def action_end(self) -> None:
        _start, end, size = self.window
        if end >= size:
            self.view.scroll_end(animate=False)
        elif self.task_log is not None:
            self._open(self.task_log.try_number)

    def action_follow(self) -> None:
        """Toggle following: poll the file for new lines while the try runs."""
        log = self.task_log
        if log is None:
            return
        if self.follower is not None:
            self._stop_following("stopped following")
        elif not log.is_live:
            self.message = f"this try has ended ({log.state}); nothing more will be written"
        else:
            self.follower = LogFollower(log.path, self.window[1])
            self.view.scroll_end(animate=False)
            self._follow_timer = self.set_interval(FOLLOW_POLL_S, self.poll_follow)
            self.message = "following (f stops)"
        self._show_status()

    def _stop_following(self, why: str) -> None:
        self.follower = None
        if self._follow_timer is not None:
            self._follow_timer.stop()
            self._follow_timer = None
        self.message = why

    def poll_follow(self) -> None:
        """Read what the try appended since the last poll (a worker; the timer calls it)."""
        follower = self.follower
        if follower is None:
            return

        self._polls += 1
        check_state = self._polls % STATE_EVERY_POLLS == 0
        job = log_workers.poll_follower(self.post_message, follower, self.task_log, self.metastore,
                                        check_state=check_state)  # fmt: skip
        self.run_worker(job, name="follow", group="log-follow", thread=True, exclusive=True,
                        exit_on_error=False)  # fmt: skip

    # Showing ---------------------------------------------------------------------------

    def _show_title(self) -> None:
        log = self.task_log
        if log is None:
            return
        title = Text(safe_text(log.title()), style="bold")
        title.append(f"  run {safe_text(log.tries.run_id)}", style="dim")
        notes = [safe_text(str(log.path))]
        if len(log.map_indexes) > 1:
            notes.append(f"map index {log.tries.map_index} of {len(log.map_indexes)}")
        if log.location.remote:
            notes.append(
                f"remote logging: {safe_text(log.location.remote)}; this is the local copy"
            )
        title.append("\n" + " · ".join(notes), style="dim")
        self.query_one("#log-title", Static).update(title)

    def _show_status(self, *, error: bool = False) -> None:
        status = self.query_one("#log-status", Static)
        if error:
            status.update(Text(safe_text(self.message), style="bold red"))
            return
        start, end, size = self.window
        if start == 0 and end >= size:
            text = f"all of {_size_text(size)}"
        else:  # a window of a long log: where it is in the file
            text = f"bytes {start:,} to {end:,} of {_size_text(size)} (g start, G end)"
        if self.message:
            text += f" · {self.message}"
        status.update(Text(safe_text(text)))


def _first_row(rows: list[Row], index: int) -> int:
    """The first screen row of the file line that row `index` belongs to."""
    while index > 0 and not rows[index].first:
        index -= 1
    return index


def _size_text(size: int) -> str:
    return f"{size:,} B" if size < 10 * 2**20 else f"{size / 2**20:,.0f} MB"
