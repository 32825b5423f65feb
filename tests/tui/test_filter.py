"""The DAG tree: grouping by tag and folder, fuzzy filter with `/`, `esc` clears."""

from __future__ import annotations

from dataclasses import replace

from ddtui.tui.dag_tree import UNTAGGED, DagTree
from tui.helpers import press, settle


def groups(app) -> dict[str, list[str]]:
    tree = app.main.dag_pane.dag_tree
    return {
        str(branch.label).split(" (")[0]: [leaf.data.dag_id for leaf in branch.children]
        for branch in tree.root.children
    }


async def test_grouped_by_tag_with_untagged_last(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = groups(app)
        assert "titanic" in shown["ml"] and "titanic" in shown["datadriver"]  # one per tag
        assert list(shown)[-1] == UNTAGGED
        assert "no_outputs" in shown[UNTAGGED]


async def test_labels_show_state_as_words_and_paused(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        labels = {
            leaf.data.dag_id: str(leaf.label)
            for branch in app.main.dag_pane.dag_tree.root.children
            for leaf in branch.children
        }
        assert "failed" in labels["titanic"]  # the newest titanic run failed on purpose
        assert "no runs" in labels["no_outputs"]
        assert "paused" in labels["no_outputs"]


async def test_o_groups_by_folder(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        shown = groups(app)
        assert len(shown) == 1
        assert sorted(next(iter(shown.values()))) == sorted(
            d.dag_id for d in app.main.dag_pane.dags
        )


async def test_slash_filters_fuzzily_and_escape_clears(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "slash", "t", "t", "n")  # fuzzy: t…t…n -> titanic
        shown = groups(app)
        assert {d for ids in shown.values() for d in ids} == {"titanic"}
        assert app.main.selection.dag_id == "titanic"
        await press(pilot, "enter")
        assert app.focused is app.main.task_pane.table
        await press(pilot, "slash", "escape")
        assert isinstance(app.focused, DagTree)
        assert len({d for ids in groups(app).values() for d in ids}) == len(app.main.dag_pane.dags)
        assert app.main.dag_pane.selected_dag_id == "titanic"


async def test_filter_without_match_says_so(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "slash", "z", "z", "z", "q")
        assert groups(app) == {}
        assert "No DAG matches" in str(app.query_one("#dag-message").render())
        assert app.is_running  # q went into the filter box, it did not quit
        await press(pilot, *["backspace"] * 4, "t", "t", "n")
        assert {d for ids in groups(app).values() for d in ids} == {"titanic"}
        assert not app.query_one("#dag-message").display  # the filter matches again


async def test_refresh_relabels_only_the_dags_that_changed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.main.dag_pane
        before = {id(leaf): leaf.label for leaf in pane.dag_tree.root.children[0].children}
        titanic = next(d for d in pane.dags if d.dag_id == "titanic")
        assert titanic.latest_run is not None and len(titanic.tags) > 1
        rerun = replace(titanic, latest_run=replace(titanic.latest_run, state="running"))
        pane.show_dags([rerun if d.dag_id == "titanic" else d for d in pane.dags])
        await pilot.pause()
        leaves = [leaf for branch in pane.dag_tree.root.children for leaf in branch.children]
        shown = [str(leaf.label) for leaf in leaves if leaf.data.dag_id == "titanic"]
        assert len(shown) == len(titanic.tags)  # one leaf per tag, each relabelled
        assert all("running" in label and "failed" not in label for label in shown)
        others = [leaf for leaf in leaves if leaf.data.dag_id != "titanic"]
        assert all(leaf.label is before[id(leaf)] for leaf in others if id(leaf) in before)


async def test_badge_shows_under_every_tag_of_the_dag(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.main.dag_pane
        pane.set_badge("titanic", "drift")
        await pilot.pause()
        labels = [
            str(leaf.label)
            for branch in pane.dag_tree.root.children
            for leaf in branch.children
            if leaf.data.dag_id == "titanic"
        ]
        assert len(labels) > 1 and all(label.endswith("[drift]") for label in labels)
        assert pane.selected_dag_id == app.main.selection.dag_id  # the cursor stayed where it was
