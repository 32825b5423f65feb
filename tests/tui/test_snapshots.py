"""Snapshots of every screen and state at 80x24 and 120x40 (`pytest --snapshot-update` to
accept): the main screen, its stats tabs, the overlays, errors and the 16-colour theme.

Times, durations and run ids in the test home depend on when it was built, so the app
reads it through `PinnedMetastore` and a fixed clock; everything else is real.
"""

from __future__ import annotations

import pytest

from tui.fakes import ControlledMetastore
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


async def _drift_settled(pilot) -> None:
    """The drift DAG's sample task: its profile, then the comparison of its two runs."""
    await settle(pilot, rounds=4)
    await pilot.press("4")
    await settle(pilot, rounds=6)


class TestStatsTabs:
    def test_head_tail(self, snap_compare, pinned_app) -> None:
        app = pinned_app(dag_id="titanic", task_id="clean")
        assert snap_compare(app, terminal_size=(120, 40), press=["3"], run_before=_settled)

    def test_drift(self, snap_compare, pinned_app) -> None:
        # `sample` writes one table per run: both runs are profiled live, nothing recorded
        # earlier (or its time) shows. At 80x24 the overlaid chart stays below the fold:
        # its last x tick differs from run to run at 120x40 (a chart matter, not this tab's).
        app = pinned_app(dag_id="drift", task_id="sample")
        assert snap_compare(app, terminal_size=(80, 24), run_before=_drift_settled)


class TestOverlays:
    def test_run_picker(self, snap_compare, pinned_app) -> None:
        app = pinned_app(dag_id="titanic", task_id="clean")
        assert snap_compare(app, terminal_size=(120, 40), press=["p"], run_before=_settled)

    @pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
    def test_help(self, snap_compare, pinned_app, size) -> None:
        app = pinned_app(dag_id="titanic", task_id="clean")
        press = ["question_mark"]
        assert snap_compare(app, terminal_size=size, press=press, run_before=_settled)


class TestErrors:
    def test_task_without_output(self, snap_compare, pinned_app) -> None:
        # `score` did not run (upstream failed): the stats pane says why there is no table.
        app = pinned_app(dag_id="titanic", task_id="score")
        assert snap_compare(app, terminal_size=(120, 40), run_before=_settled)

    @pytest.mark.expect_worker_error("server closed the connection")
    def test_dag_that_cannot_be_read(self, snap_compare, metastore, make_app) -> None:
        store = ControlledMetastore(PinnedMetastore(metastore))
        store.broken[("dag_structure", "titanic")] = "server closed the connection unexpectedly"
        app = make_app(metastore=store, dag_id="titanic")
        assert snap_compare(app, terminal_size=(120, 40), run_before=_settled)


class TestSixteenColours:
    """A terminal with only its own 16 colours (plain xterm, tmux): the ANSI theme."""

    @pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
    def test_task_with_describe(self, snap_compare, pinned_app, monkeypatch, size) -> None:
        monkeypatch.setenv("TERM", "xterm")
        monkeypatch.delenv("COLORTERM", raising=False)
        app = pinned_app(dag_id="titanic", task_id="clean")
        assert app.theme == "ansi-dark"
        assert snap_compare(app, terminal_size=size, run_before=_settled)


class TestColumnView:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
    def test_number_column(self, snap_compare, pinned_app, size) -> None:
        app = pinned_app(dag_id="titanic", task_id="clean")

        async def open_fare(pilot) -> None:
            await _settled(pilot)
            app.main.stats_pane.focus_content()
            names = [c.name for c in app.main.stats_pane.profile.columns]
            app.main.stats_pane.query_one("#describe-table").move_cursor(row=names.index("fare"))
            await pilot.press("enter")
            await _settled(pilot)

        assert snap_compare(app, terminal_size=size, run_before=open_fare)
