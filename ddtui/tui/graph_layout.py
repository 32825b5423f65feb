"""A layered (Sugiyama-style) drawing of a DAG on a character grid; no widgets here.

Layers are longest paths from the sources, left to right; edges that skip layers go
through invisible waypoints so they never cross a box; a few barycentre sweeps order
each layer to keep crossings down. Only box-drawing characters a Linux console has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

BOX_HEIGHT = 4  # border, name, state, border
ROW_GAP = 1
COLUMN_GAP = 6
MAX_LABEL = 24

# Edge cells are drawn as sets of directions, then turned into one character each.
N, E, S, W = 1, 2, 4, 8
JUNCTIONS = {
    N | S: "│", E | W: "─", N | E: "└", N | W: "┘", S | E: "┌", S | W: "┐",
    N | S | E: "├", N | S | W: "┤", E | W | S: "┬", E | W | N: "┴", N | E | S | W: "┼",
    N: "│", S: "│", E: "─", W: "─",
}  # fmt: skip
ARROW = "►"


@dataclass
class Box:
    """Where a task's box sits on the canvas."""

    task_id: str
    layer: int
    order: int
    x: int = 0
    y: int = 0
    width: int = 0

    @property
    def mid_y(self) -> int:
        return self.y + BOX_HEIGHT // 2


@dataclass
class Layout:
    boxes: dict[str, Box]
    layers: list[list[str]]  # task ids and waypoint ids (starting with "\0") per layer
    edges: list[tuple[str, str]]
    width: int = 0
    height: int = 0
    waypoints: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # x, mid y, width


def is_waypoint(node: str) -> bool:
    return node.startswith("\0")


def layer_of(task_ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from a source; `task_ids` must be in dependency order."""
    upstream: dict[str, list[str]] = {t: [] for t in task_ids}
    for src, dst in edges:
        if src in upstream and dst in upstream:
            upstream[dst].append(src)
    layers: dict[str, int] = {}
    for task_id in task_ids:
        layers[task_id] = max((layers.get(u, 0) + 1 for u in upstream[task_id]), default=0)
    return layers


def layout(
    task_ids: list[str], edges: Iterable[tuple[str, str]], labels: Mapping[str, str]
) -> Layout:
    known = set(task_ids)
    edge_list = [(a, b) for a, b in edges if a in known and b in known]
    layer = layer_of(task_ids, edge_list)
    layers: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for task_id in task_ids:
        layers[layer[task_id]].append(task_id)
    # Long edges become chains through waypoints, one per skipped layer.
    segments: list[tuple[str, str]] = []
    for index, (src, dst) in enumerate(edge_list):
        previous = src
        for middle in range(layer[src] + 1, layer[dst]):
            waypoint = f"\0{index}:{middle}"
            layers[middle].append(waypoint)
            segments.append((previous, waypoint))
            previous = waypoint
        segments.append((previous, dst))
    _order(layers, segments)
    boxes: dict[str, Box] = {}
    result = Layout(boxes, layers, segments)
    x = 1
    for number, members in enumerate(layers):
        real = [m for m in members if not is_waypoint(m)]
        width = max((min(MAX_LABEL, len(labels.get(t, t))) + 4 for t in real), default=3)
        for order, node in enumerate(members):
            y = order * (BOX_HEIGHT + ROW_GAP)
            if is_waypoint(node):
                result.waypoints[node] = (x, y + BOX_HEIGHT // 2, width)
            else:
                boxes[node] = Box(node, number, order, x, y, width)
        x += width + COLUMN_GAP
    result.width = max(1, x - COLUMN_GAP + 1)
    longest = max((len(m) for m in layers), default=0)
    result.height = max(1, longest * (BOX_HEIGHT + ROW_GAP) - ROW_GAP)
    return result


def _order(layers: list[list[str]], segments: list[tuple[str, str]], sweeps: int = 4) -> None:
    """Reorder each layer by the mean position of its neighbours (down, then up)."""
    ups: dict[str, list[str]] = {}
    downs: dict[str, list[str]] = {}
    for a, b in segments:
        downs.setdefault(a, []).append(b)
        ups.setdefault(b, []).append(a)
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        indices = range(1, len(layers)) if forward else range(len(layers) - 2, -1, -1)
        for i in indices:
            reference = layers[i - 1] if forward else layers[i + 1]
            position = {node: p for p, node in enumerate(reference)}
            neighbours = ups if forward else downs

            current = {node: p for p, node in enumerate(layers[i])}
            layers[i].sort(key=lambda n: _centre(n, position, neighbours, current))


def _centre(
    node: str, position: dict[str, int], neighbours: dict[str, list[str]], current: dict[str, int]
) -> tuple[float, int]:
    """Sort key: mean position of the node's neighbours in the reference layer, then its own."""
    linked = [position[n] for n in neighbours.get(node, []) if n in position]
    mean = sum(linked) / len(linked) if linked else float(position.get(node, current[node]))
    return mean, current[node]


def edge_cells(result: Layout) -> dict[tuple[int, int], int]:
    """Every edge cell (x, y) with the directions it connects; routed right-angled."""
    cells: dict[tuple[int, int], int] = {}

    def mark(x: int, y: int, bits: int) -> None:
        cells[(x, y)] = cells.get((x, y), 0) | bits

    def port_out(node: str) -> tuple[int, int]:
        if is_waypoint(node):
            x, y, width = result.waypoints[node]
            return x + width, y
        box = result.boxes[node]
        return box.x + box.width, box.mid_y

    def port_in(node: str) -> tuple[int, int]:
        if is_waypoint(node):
            x, y, _ = result.waypoints[node]
            return x - 1, y
        box = result.boxes[node]
        return box.x - 1, box.mid_y

    for src, dst in result.edges:
        (x1, y1), (x2, y2) = port_out(src), port_in(dst)
        bend = x1 + max(1, (x2 - x1) // 2)
        for x in range(x1, bend):
            mark(x, y1, E | W)
        if y1 == y2:
            mark(bend, y1, E | W)
        else:
            down = y2 > y1
            mark(bend, y1, W | (S if down else N))
            for y in range(min(y1, y2) + 1, max(y1, y2)):
                mark(bend, y, N | S)
            mark(bend, y2, E | (N if down else S))
        for x in range(bend + 1, x2 + 1):
            mark(x, y2, E | W)
        if is_waypoint(dst):  # a waypoint is a straight run through its slot
            x, y, width = result.waypoints[dst]
            for step in range(x, x + width):
                mark(step, y, E | W)
    return cells


def box_lines(name: str, state_line: str, width: int) -> list[str]:
    """The four lines of a task box."""
    inner = width - 2

    def fit(text: str) -> str:
        text = text if len(text) <= inner - 2 else text[: inner - 3] + "…"
        return f" {text}".ljust(inner)

    return [
        "┌" + "─" * inner + "┐",
        "│" + fit(name) + "│",
        "│" + fit(state_line) + "│",
        "└" + "─" * inner + "┘",
    ]


def neighbour(result: Layout, task_id: str, direction: str) -> str | None:
    """The task to move to from `task_id` with an arrow key (None: stay)."""
    box = result.boxes[task_id]
    if direction in ("up", "down"):
        column = [n for n in result.layers[box.layer] if not is_waypoint(n)]
        index = column.index(task_id) + (1 if direction == "down" else -1)
        return column[index] if 0 <= index < len(column) else None
    step = 1 if direction == "right" else -1
    target_layer = box.layer + step
    while 0 <= target_layer < len(result.layers):
        candidates = [n for n in result.layers[target_layer] if not is_waypoint(n)]
        if candidates:
            return min(candidates, key=lambda n: (abs(result.boxes[n].y - box.y), n))
        target_layer += step
    return None
