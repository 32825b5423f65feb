"""The first frame draws the DAG tree: `ddtui` reads the DAG list before the screen mounts."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from ddtui.metastore import DagSummary, Metastore
from ddtui.tui.prefetch import read_dag_list
from tui.helpers import settle


async def test_the_first_frame_draws_the_dag_tree(make_app, metastore: Metastore) -> None:
    """No frame with an empty tree first: on an embedded metastore the list is read before
    the screen mounts, which then draws it at once (a frame later cost ~0.1 s at start)."""
    app = make_app()
    dags_in_frames: list[int] = []
    display = app._display  # Textual's one exit of a frame to the terminal

    def drawn(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None:
            dags_in_frames.append(len(app.main.dag_pane.dags))

    app._display = drawn
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
    assert dags_in_frames[0] == len(metastore.list_dags()) > 0


class RecordingMetastore:
    """Says which thread read the DAG list."""

    def __init__(self, real: Metastore, dialect: str) -> None:
        self.real = real
        self.info = replace(real.info, dialect=dialect)
        self.read_in: list[str] = []

    def list_dags(self) -> list[DagSummary]:
        self.read_in.append(threading.current_thread().name)
        return self.real.list_dags()


@pytest.mark.parametrize(
    ("dialect", "in_this_thread"), [("sqlite", True), ("postgresql", False), ("mysql", False)]
)
def test_a_server_is_read_in_a_thread_of_its_own_a_file_at_once(
    metastore: Metastore, dialect: str, in_this_thread: bool
) -> None:
    """A server's answer is waited for while Textual is imported; a SQLite file has no wait
    to overlap, and in a thread its reads would queue for the interpreter the imports hold."""
    store = RecordingMetastore(metastore, dialect)
    dags = read_dag_list(store).result(timeout=30)  # type: ignore[arg-type]
    assert dags == metastore.list_dags()
    assert (store.read_in == [threading.current_thread().name]) is in_this_thread
