"""The main screen's reads of the metastore: the DAG list, the selected DAG, the auto-refresh,
the header's note of since when the metastore has not answered, and, on a deep link, the
DAG tree shown after the linked DAG."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING

from ddtui.errors import MetastoreError, QueryTimeoutError
from ddtui.tui import workers
from ddtui.tui.errors import error_message
from ddtui.tui.messages import DagsLoaded

if TYPE_CHECKING:
    from ddtui.metastore import DagSummary
    from ddtui.tui.wiring import WiredScreen


# How long a deep link's DAG tree waits at most for its task's first profile.
TREE_WAITS_S = 0.5


class MetastoreReads:
    """Starts the screen's reads of the DAG list and of the selected DAG, and says when the
    metastore stops answering them."""

    def __init__(
        self,
        screen: WiredScreen,
        first_dags: Future[list[DagSummary]] | None = None,
        *,
        tree_after_dag: bool = False,
    ) -> None:
        self.screen = screen
        self._first_dags = first_dags  # read while Textual sets up the screen
        self._tree_after_dag = tree_after_dag
        self._held_dags: DagsLoaded | None = None
        # When the running reads of the metastore started (a stalled one dates the silence).
        self._read_started: dict[str, datetime] = {}

    def load_dags(self) -> None:
        session = self.screen.session
        self._read_started[workers.DAGS] = session.clock()
        first, self._first_dags = self._first_dags, None
        if first is None:
            self.screen.start(workers.DAGS, workers.load_dags(session.metastore, session.clock))
            return
        clock = session.clock
        if first.done() and first.exception() is None:
            # Read while Textual was imported and the screen built: in the screen's first frame.
            self.dags_read(DagsLoaded(first.result(), clock()))
            return

        def first_dags(post: workers.Post, cancelled: workers.Cancelled) -> None:
            post(DagsLoaded(first.result(), clock()))

        self.screen.start(workers.DAGS, first_dags)

    def load_dag(self, *, refresh: bool) -> None:
        screen, session = self.screen, self.screen.session
        dag_id = screen.selection.dag_id
        if dag_id is None:
            return
        self._read_started[workers.DAG] = session.clock()
        request = workers.DagRequest(dag_id, screen.selection.pinned_run_id, refresh)
        job = workers.load_dag(session.metastore, session.data, request, session.clock)
        screen.start(workers.DAG, job, f"load DAG {dag_id}")

    def dags_read(self, dags: DagsLoaded) -> None:
        """The DAG list, to the tree now or held. A deep link's DAG, then its task's first
        profile, come before the tree: the two reads race, and building the tree of a large
        metastore holds the interpreter (~0.1 s) that the DAG and the profile wait for. At
        most `TREE_WAITS_S` for the profile: a stalled data source would hide the tree."""
        if self._tree_after_dag or self._held_dags is not None:
            self._held_dags = dags  # the newest, if a refresh came meanwhile
        else:
            self.screen.show_dags(dags)

    def dag_read(self, *, failed: bool = False) -> None:
        """The deep link's DAG was read: the tree follows its task's first profile. Or its
        read failed: the tree now, read before the failure that the header is about to tell."""
        if self._tree_after_dag:
            self._tree_after_dag = False
            if failed:
                self._show_held_dags()
            else:
                # Two frames later (Textual draws at most 60 a second): the widgets showing
                # the profile ask for their frame only once they have handled it, and an
                # after-refresh callback would build the tree before that frame.
                screen = self.screen
                screen.order.after_first_stage(
                    lambda: screen.set_timer(2 / 60, self._show_held_dags)
                )
                screen.set_timer(TREE_WAITS_S, self._show_held_dags)

    def _show_held_dags(self) -> None:
        held, self._held_dags = self._held_dags, None
        if held is not None:
            self.screen.show_dags(held)

    def refresh_tick(self) -> None:
        """The auto-refresh: the DAG list and the selected DAG again."""
        stalled = [group for group in (workers.DAGS, workers.DAG) if self.screen.running(group)]
        if stalled:
            # Still waiting for the last refresh: say so, and pile no more reads on it.
            self.silent(*stalled)
            return
        self.load_dags()
        self.load_dag(refresh=True)

    def silent(self, *groups: str) -> None:
        """The header says since when the metastore has not answered (`groups`' reads)."""
        now = self.screen.session.clock()
        self.screen.info_bar.metastore_silent(
            min(self._read_started.get(group, now) for group in groups)
        )

    def worker_failed(self, group: str, reason: str, error: BaseException | None) -> None:
        """A read of the DAG list or of a DAG failed: in the pane it fills, or in the header
        when the metastore stopped answering and the pane still shows what it read before."""
        screen = self.screen
        if group == workers.DAGS:
            if screen.dag_pane.dags:
                self.silent(workers.DAGS)
            else:
                screen.dag_pane.show_message(error_message("dags", reason))
            return
        self.dag_read(failed=True)
        if isinstance(error, MetastoreError | QueryTimeoutError):
            self.silent(workers.DAG)
        screen.task_pane.stop_reading()
        dag_id = screen.selection.dag_id
        screen.task_pane.show_message(error_message("dag", reason, dag_id, error=error))
