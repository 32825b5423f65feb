"""Moving around with the keyboard: tree, task list, panes, quitting."""

from __future__ import annotations

from ddtui.tui.dag_tree import DagTree
from ddtui.tui.header import InfoBar
from ddtui.tui.stats.describe import DescribeTable
from ddtui.tui.task_list import TaskTable
from tui.helpers import press, settle, task_ids


async def test_opens_on_the_first_dag_with_its_tasks(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, DagTree)
        assert app.main.selection.dag_id == "asset_outputs"  # first DAG of the first tag ("assets")
        assert app.main.dag_pane.selected_dag_id == "asset_outputs"
        assert task_ids(app)
        assert "Airflow" in app.query_one(InfoBar).plain


async def test_arrows_and_jk_move_in_the_tree_and_load_each_dag(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        seen = [app.main.selection.dag_id]
        for key in ("j", "j", "down", "down", "j", "j", "k"):
            await press(pilot, key)
            if app.main.dag_pane.selected_dag_id:
                assert app.main.selection.dag_id == app.main.dag_pane.selected_dag_id
                seen.append(app.main.selection.dag_id)
        assert {"asset_outputs", "titanic"} <= set(seen)


async def test_tasks_in_dependency_order_with_groups(make_app) -> None:
    app = make_app(dag_id="groups_mapped")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ids = task_ids(app)
        assert ids.index("prepare.extract") < ids.index("prepare.validate.check_rows")
        table = app.main.task_pane.table
        first = str(table.get_cell("prepare.validate.check_rows", "task"))
        assert first.startswith("prepare.validate.")  # the group path is shown
        mapped = [r for r in app.main.task_pane.rows if r.task.is_mapped]
        assert mapped and "[" in str(table.get_cell(mapped[0].task.task_id, "task"))


async def test_enter_chooses_a_dag_then_a_task(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.main.dag_pane.select_dag("titanic")
        await settle(pilot)
        await press(pilot, "enter")
        assert app.main.selection.dag_id == "titanic"
        assert isinstance(app.focused, TaskTable)
        await press(pilot, "j", "enter")
        assert app.main.selection.task_id == "clean"
        assert app.focused is not None and app.main.stats_pane in app.focused.ancestors


async def test_tab_and_shift_tab_cycle_the_three_panes(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="load")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, TaskTable)
        await press(pilot, "tab")
        assert isinstance(app.focused, DescribeTable)
        await press(pilot, "tab")
        assert isinstance(app.focused, DagTree)
        await press(pilot, "shift+tab")
        assert isinstance(app.focused, DescribeTable)


async def test_narrow_terminal_hides_the_tree_until_tab_brings_it_back(make_app) -> None:
    app = make_app(dag_id="titanic")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.main.dag_pane.display or app.main.dag_pane.has_class("-collapsed")
        assert app.main.dag_pane.region.width == 0
        await press(pilot, "shift+tab")
        assert isinstance(app.focused, DagTree)
        assert app.main.dag_pane.region.width > 0


async def test_mouse_click_selects_a_task(make_app) -> None:
    app = make_app(dag_id="titanic")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.task_pane.table
        await pilot.click(table, offset=(3, 3))  # header row, then load, clean, features
        await settle(pilot)
        assert app.main.selection.task_id == task_ids(app)[2]


async def test_mouse_click_on_the_tree_selects_a_dag(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.main.dag_pane.dag_tree
        line = next(
            i for i in range(tree.last_line + 1)
            if tree.get_node_at_line(i) is not None
            and tree.get_node_at_line(i).data is not None
            and tree.get_node_at_line(i).data.dag_id == "groups_mapped"
        )  # fmt: skip
        await pilot.click(tree, offset=(6, line))
        await settle(pilot)
        assert app.main.selection.dag_id == "groups_mapped"


async def test_z_zooms_the_focused_pane_and_back(make_app) -> None:
    app = make_app(dag_id="titanic")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "z")
        assert app.screen.maximized is not None
        await press(pilot, "z")
        assert app.screen.maximized is None


async def test_ctrl_c_quits(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0


async def test_q_quits(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
