"""Snapshots of the main screens at 80x24 and 120x40 (`pytest --snapshot-update` to accept).

Times, durations and run ids in the test home depend on when it was built, so the app
reads it through `PinnedMetastore` and a fixed clock; everything else is real.
"""

from __future__ import annotations

import pytest

from tui.helpers import settle
from tui.pinned import PinnedMetastore


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """plotext clamps charts to the size of the terminal pytest runs in: make that fixed."""
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.setenv("LINES", "100")
    # and the colours must not depend on the terminal the tests run in (see DdtuiApp.__init__)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def pinned_app(make_app, metastore):
    def make(**kwargs):
        return make_app(metastore=PinnedMetastore(metastore), **kwargs)

    return make


async def _settled(pilot) -> None:
    await settle(pilot, rounds=4)


class TestMainScreen:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
    def test_task_with_describe(self, snap_compare, pinned_app, size) -> None:
        app = pinned_app(dag_id="titanic", task_id="clean")
        assert snap_compare(app, terminal_size=size, run_before=_settled)

    @pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
    def test_tree_focused(self, snap_compare, pinned_app, size) -> None:
        assert snap_compare(pinned_app(), terminal_size=size, run_before=_settled)

    def test_histograms(self, snap_compare, pinned_app) -> None:
        app = pinned_app(dag_id="titanic", task_id="clean")
        assert snap_compare(app, terminal_size=(120, 40), press=["2"], run_before=_settled)


class TestGraph:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
    def test_groups_mapped(self, snap_compare, pinned_app, size) -> None:
        app = pinned_app(dag_id="groups_mapped")
        assert snap_compare(app, terminal_size=size, press=["g"], run_before=_settled)
