"""The DAG graph: layered layout (pure) and the `g` screen."""

from __future__ import annotations

from ddtui.tui.graph import GraphCanvas, GraphScreen
from ddtui.tui.graph_layout import is_waypoint, layer_of, layout, neighbour
from tui.helpers import press, settle


def test_layers_are_longest_paths() -> None:
    ids = ["a", "b", "c", "d"]
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")]
    assert layer_of(ids, edges) == {"a": 0, "b": 1, "c": 2, "d": 1}


def test_long_edges_go_through_waypoints_and_boxes_do_not_overlap() -> None:
    ids = ["a", "b", "c", "d"]
    result = layout(ids, [("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")], {})
    assert any(is_waypoint(n) for n in result.layers[1])  # a -> c skips layer 1
    cells = {
        (box.x + dx, box.y + dy)
        for box in result.boxes.values()
        for dx in range(box.width)
        for dy in range(4)
    }
    assert len(cells) == sum(box.width * 4 for box in result.boxes.values())


def test_neighbours_follow_layers() -> None:
    result = layout(["a", "b", "c"], [("a", "b"), ("a", "c")], {})
    assert neighbour(result, "a", "right") in {"b", "c"}
    assert neighbour(result, "b", "left") == "a"
    assert neighbour(result, "a", "left") is None
    below = neighbour(result, result.layers[1][0], "down")
    assert below == result.layers[1][1]


async def test_g_draws_boxes_and_enter_selects_the_task(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="load")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "g")
        assert isinstance(app.screen, GraphScreen)
        canvas = app.screen.query_one(GraphCanvas)
        drawing = str(canvas.render())
        for task_id in ("load", "clean", "features", "train", "score"):
            assert task_id in drawing
        assert "failed" in drawing and "►" in drawing
        assert canvas.cursor == "load"
        await press(pilot, "right", "right")
        assert canvas.cursor == "features"
        await press(pilot, "enter")
        assert not isinstance(app.screen, GraphScreen)
        assert app.main.task_pane.selected_task_id == "features"
        assert app.main.selection.task_id == "features"


async def test_graph_escape_changes_nothing(make_app) -> None:
    app = make_app(dag_id="groups_mapped")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.main.selection.task_id
        await press(pilot, "g", "down", "escape")
        assert not isinstance(app.screen, GraphScreen)
        assert app.main.selection.task_id == before
