"""The Drift tab, task health (sparkline and badge) and the DAG tree roll-up, on the `drift` DAG.

The `drift` DAG has two runs: a baseline and a shifted one (`amount` +25, `channel` dropped,
20% missing `score`, 4,000 rows). `sample` writes one table per run; `publish` overwrites one.
"""

from __future__ import annotations

import pytest
from textual.widgets import TabbedContent

from ddtui.tui.stats.drift import DriftChartScreen
from tui.helpers import press, settle, static_text, table_column


@pytest.fixture(autouse=True)
def history_in_tmp(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DDTUI_HISTORY", str(tmp_path / "history.sqlite"))


async def open_drift_tab(pilot) -> None:
    await settle(pilot)
    await press(pilot, "4")
    await settle(pilot, rounds=5)


async def test_drift_tab_shows_verdict_dropped_column_and_psi(make_app) -> None:
    app = make_app(dag_id="drift", task_id="sample")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_drift_tab(pilot)
        assert app.query_one(TabbedContent).active == "drift"
        view = app.main.stats_pane.drift_view
        report = view.report
        assert report is not None and report.verdict == "drift"
        summary = static_text(app, "#drift-summary")
        assert "DRIFT" in summary
        assert "channel dropped" in summary
        table = view.table
        names = table_column(table, "column")
        assert "amount" in names and any(n.startswith("channel") for n in names)
        amount = next(c for c in report.columns if c.name == "amount")
        assert amount.psi is not None and amount.psi.value >= 0.25
        assert str(table.get_cell("amount", "psi")) == f"{amount.psi.value:.3f}"
        assert str(table.get_cell("amount", "verdict")) == "drift"


async def test_enter_on_a_column_opens_its_overlaid_chart(make_app) -> None:
    app = make_app(dag_id="drift", task_id="sample")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_drift_tab(pilot)
        view = app.main.stats_pane.drift_view
        app.main.stats_pane.focus_content()
        await pilot.pause()
        assert app.focused is view.table
        await press(pilot, "enter")
        assert isinstance(app.screen, DriftChartScreen)
        await press(pilot, "escape")


async def test_drift_tab_follows_run_switching(make_app) -> None:
    app = make_app(dag_id="drift", task_id="sample")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_drift_tab(pilot)
        newest = app.main.dag.detail.run.run_id if app.main.dag.detail else None
        assert app.main.stats_pane.drift_view.report is not None
        await press(pilot, "left_square_bracket")
        await settle(pilot, rounds=5)
        assert app.main.dag.detail is not None and app.main.dag.detail.run.run_id != newest
        assert app.main.stats_pane.drift_view.report is None
        assert "no successful run" in static_text(app, "#drift-summary")
        await press(pilot, "right_square_bracket")
        await settle(pilot, rounds=5)
        assert app.main.dag.detail is not None and app.main.dag.detail.run.run_id == newest
        assert app.main.stats_pane.drift_view.report is not None


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_task_list_shows_badge_and_sparkline_and_tree_rolls_up(make_app, size) -> None:
    app = make_app(dag_id="drift", task_id="sample")
    async with app.run_test(size=size) as pilot:
        await settle(pilot, rounds=6)
        table = app.main.task_pane.table
        badge = str(table.get_cell("sample", "health"))
        assert badge in {"drift", "null", "rows-", "const", "watch"}
        trend = str(table.get_cell("sample", "trend"))
        assert len(trend) == 2 and set(trend) <= set("▁▂▃▄▅▆▇█")
        assert app.main.dag_pane.badges.get("drift") is not None
        labels = [str(leaf.label) for leaf in app.main.dag_pane._leaves()]
        assert any(label.startswith("✓ drift") or " drift " in label for label in labels)
        drift_label = next(lbl for lbl in labels if "drift" in lbl.split()[1])
        assert drift_label.split()[-1].strip("[]") in {"drift", "null", "rows-", "const", "watch"}


async def test_tree_rolls_up_badges_from_history_without_opening_the_dag(make_app) -> None:
    first = make_app(dag_id="drift", task_id="sample")
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=6)  # compares the two runs, recording both profiles
    app = make_app(dag_id="titanic")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=6)
        assert app.main.dag_pane.badges.get("drift") is not None
        assert app.main.dag_pane.badges.get("titanic") is None


async def test_exact_profile_is_recorded_and_the_progress_bar_hidden(make_app, tmp_path) -> None:
    from ddtui.drift.history import ProfileHistory

    app = make_app(dag_id="drift", task_id="publish")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, rounds=6)
        assert "exact profile" in static_text(app, "#stats-title")
        assert not app.query_one("#stats-progress").display
        entries = ProfileHistory().for_task(app.session.metastore.masked_url, "drift", "publish")
        assert [e.key.table for e in entries] == ["drift_latest"]


@pytest.mark.expect_worker_error("profile history")
async def test_a_history_that_cannot_be_written_only_shows_a_note(
    make_app, tmp_path, monkeypatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the history's folder should be")
    monkeypatch.setenv("DDTUI_HISTORY", str(blocker / "history.sqlite"))
    app = make_app(dag_id="drift", task_id="publish")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=6)
        assert "exact profile" in static_text(app, "#stats-title")
        notes = [n.message for n in app._notifications]
        assert any("not recorded" in note for note in notes), notes
        await press(pilot, "4")
        await settle(pilot, rounds=5)
        assert "Nothing to compare" in static_text(app, "#drift-summary")


async def test_b_picks_the_baseline_run(make_app) -> None:
    from ddtui.tui.run_picker import RunPicker

    app = make_app(dag_id="drift", task_id="sample")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_drift_tab(pilot)
        await press(pilot, "b")
        assert isinstance(app.screen, RunPicker)
        await press(pilot, "down", "enter")  # the older run: the same as "previous" here
        await settle(pilot, rounds=5)
        report = app.main.stats_pane.drift_view.report
        assert report is not None and report.baseline.run_id == app.main.dag.runs[1].run_id
        assert app.main.drift.baseline_choice == app.main.dag.runs[1].run_id
