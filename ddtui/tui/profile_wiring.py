"""The stats pane's profile and the task list's row counts, for the main screen.

Profiles already computed (exact ones only) and row counts are kept per `TableKey`: one
write of one table, so a task that ran again is read again.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from rich.text import Text

from ddtui.terminal_text import safe_text
from ddtui.tui import workers
from ddtui.tui.errors import error_message
from ddtui.tui.format import compact_count
from ddtui.tui.keys import TableKey

if TYPE_CHECKING:
    from ddtui.outputs.resolve import OutputRef
    from ddtui.profile.models import TableProfile
    from ddtui.tui.messages import (
        ProfileFinished,
        ProfileLoaded,
        ProfileProgressed,
        RowsCounted,
        SchemaLoaded,
    )
    from ddtui.tui.wiring import WiredScreen

PROFILE_CACHE_SIZE = 32


class ProfileWiring:
    """Which table the stats pane shows, the profiles and row counts read so far."""

    def __init__(self, screen: WiredScreen) -> None:
        self.screen = screen
        self.shown: TableKey | None = None  # the stats pane's table
        self.profiles: OrderedDict[TableKey, TableProfile] = OrderedDict()
        self.row_counts: dict[TableKey, int] = {}
        self._force = False  # the next show reads again (refresh)

    def forget_shown(self) -> None:
        self.shown = None

    def forget(self) -> None:
        """Refresh: profiles and row counts are read again."""
        self.profiles.clear()
        self.row_counts.clear()
        self._force = True

    def _selected(self) -> tuple[str, OutputRef | None]:
        task_id = self.screen.selection.task_id or ""
        return task_id, self.screen.dag.outputs.get(task_id)

    # The stats pane --------------------------------------------------------------------

    def show_profile(self) -> None:
        """Point the stats pane at the selected task's table: cached, or profiled now."""
        screen = self.screen
        force, self._force = self._force, False
        stats = screen.stats_pane
        task_id, ref = self._selected()
        if ref is None or not ref.readable:
            screen.cancel(workers.PROFILE)
            screen.order.profile_ended()
            self.shown = None
            if ref is None:
                stats.show_message("Select a task to see its output table.")
            else:
                kind = "unreadable" if ref.found else "no-output"
                stats.show_message(error_message(kind, ref.reason), ref)
            return
        key = screen.dag.table_key(task_id, ref)
        profiling = screen.running(workers.PROFILE)
        if not force and (key == self.shown or (profiling and key.same_table(self.shown))):
            return  # shown, or computing for a task that shares the table: keep it going
        self.shown = key
        cached = None if force else self.profiles.get(key)
        if cached is not None:
            screen.cancel(workers.PROFILE)
            screen.order.profile_ended()
            stats.ref = ref
            stats.show_profile(cached)
            return
        stats.show_loading(ref)
        settle = workers.PROFILE_SETTLE_S if profiling else 0.0  # the cursor is moving on
        session = screen.session
        job = workers.profile_output(session.sources, ref, key, settle, approx=session.approx)
        screen.start(workers.PROFILE, job)
        screen.order.profile_started()

    def schema_loaded(self, message: SchemaLoaded) -> None:
        if message.key == self.shown:
            self.screen.stats_pane.show_schema(message.schema)

    def progressed(self, message: ProfileProgressed) -> None:
        if message.key == self.shown:
            self.screen.stats_pane.show_progress(message.fraction)

    def loaded(self, message: ProfileLoaded) -> None:
        if message.key != self.shown:
            return
        screen = self.screen
        screen.stats_pane.show_profile(message.profile)
        screen.call_after_refresh(screen.order.first_stage_shown)  # after the frame showing it
        self.row_counts[message.key] = message.profile.row_count
        task_id, ref = self._selected()
        if task_id:
            screen.task_pane.set_row_count(task_id, compact_count(message.profile.row_count))
        if not message.profile.exact and message.profile.method is None:
            return  # a sample: the last stage follows
        self.profiles[message.key] = message.profile
        if ref is not None and ref.readable:  # the task shown may share the table (adopted)
            shown = screen.dag.table_key(task_id, ref)
            if shown.same_table(message.key):
                self.profiles[shown] = message.profile
        if message.profile.exact:  # estimated quartiles would read as drift
            screen.drift.record_exact_profile(message.profile)
        self.profiles.move_to_end(message.key)
        while len(self.profiles) > PROFILE_CACHE_SIZE:
            self.profiles.popitem(last=False)

    def finished(self, message: ProfileFinished) -> None:
        if message.key == self.shown:
            self.screen.stats_pane.finish()
        self.screen.order.profile_ended()

    # Row counts ----------------------------------------------------------------------

    def count_rows(self) -> None:
        """Count the rows of outputs not counted yet (once per table, until `r`)."""
        screen = self.screen
        pane = screen.task_pane
        todo: dict[str, OutputRef] = {}
        for task_id, ref in screen.dag.outputs.items():
            if not ref.readable:
                continue
            known = self.row_counts.get(screen.dag.table_key(task_id, ref))
            if known is None:
                todo[task_id] = ref
                pane.set_row_count(task_id, "…")
            else:
                pane.set_row_count(task_id, compact_count(known))
        if not todo:
            return
        run_key = screen.dag.run_key(screen.selection.dag_id)

        def count() -> None:
            if run_key == screen.dag.run_key(screen.selection.dag_id):  # still on screen
                screen.start(
                    workers.ROWS, workers.count_rows(screen.session.sources, run_key, todo)
                )

        screen.order.after_first_stage(count)

    def rows_counted(self, message: RowsCounted) -> None:
        screen = self.screen
        if message.key != screen.dag.run_key(screen.selection.dag_id):
            return
        ref = screen.dag.outputs.get(message.task_id)
        if message.rows is not None and ref is not None:
            self.row_counts[screen.dag.table_key(message.task_id, ref)] = message.rows
            screen.task_pane.set_row_count(message.task_id, compact_count(message.rows))
        else:
            screen.task_pane.set_row_count(message.task_id, "?")

    # Failures ------------------------------------------------------------------------

    def worker_failed(self, group: str, reason: str, error: BaseException | None) -> None:
        """A profile or row-count worker failed: one line in the pane it was for."""
        screen = self.screen
        if group == workers.PROFILE:
            ref = screen.stats_pane.ref
            screen.stats_pane.show_message(error_message("profile", reason, error=error), ref)
            self.shown = None  # the next selection or refresh tries again
            screen.order.profile_ended()
            return
        pane = screen.task_pane
        for task_id, shown in list(pane.row_counts.items()):
            if shown == "…":  # still counting when the worker stopped
                pane.set_row_count(task_id, "?")
        pane.show_message(Text(f"Row counts not read: {safe_text(reason)}", style="red"))
