"""Turn a `serialized_dag` JSON document into a DagStructure, without running DAG code.

The document is data written by another program and may be damaged (a truncated write,
a hand edit, a bug): anything that is not the shape Airflow writes becomes one
`CorruptDagError` naming the DAG, so one bad DAG never hides the rest of the metastore.
"""

from __future__ import annotations

import heapq
import json
import zlib
from typing import Any

from ddtui.errors import MetastoreError
from ddtui.metastore.models import DagStructure, Outlet, TaskGroupNode, TaskNode
from ddtui.terminal_text import safe_text

# BaseOperator's colour, which Airflow leaves out of the serialization when unchanged.
DEFAULT_UI_COLOR = "#fff"


class CorruptDagError(MetastoreError):
    """A DAG's serialized form in the metastore cannot be read (the rest of it still can)."""

    def __init__(self, dag_id: str, reason: str) -> None:
        self.dag_id = dag_id
        super().__init__(
            f"DAG {safe_text(dag_id, limit=200)!r}: its serialized form in the metastore "
            f"is unreadable ({safe_text(reason, limit=200)})"
        )


class _Shape(ValueError):
    """The document is valid JSON, but not the shape Airflow writes."""


def load_document(dag_id: str, data: Any, data_compressed: bytes | None) -> dict[str, Any]:
    """The JSON document, from `data` or, when Airflow compressed it, `data_compressed`."""
    try:
        if data is None and data_compressed is not None:
            try:
                raw: Any = zlib.decompress(data_compressed)
            except (zlib.error, TypeError) as exc:
                raise CorruptDagError(dag_id, f"data_compressed is not zlib data: {exc}") from None
            document = json.loads(raw)
        elif isinstance(data, str | bytes | bytearray):
            document = json.loads(data)
        else:
            document = data
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise CorruptDagError(dag_id, f"not valid JSON: {exc}") from None
    if document is None:
        raise CorruptDagError(dag_id, "both data and data_compressed are empty")
    if not isinstance(document, dict):
        raise CorruptDagError(dag_id, f"the document is {_kind(document)}, not an object")
    return document


def parse_dag(dag_id: str, document: dict[str, Any], version_number: int | None) -> DagStructure:
    """The DAG's tasks and groups; a document of another shape is a CorruptDagError."""
    try:
        return _parse_dag(dag_id, document, version_number)
    except _Shape as exc:
        raise CorruptDagError(dag_id, str(exc)) from None
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as exc:
        raise CorruptDagError(dag_id, f"unexpected shape: {type(exc).__name__}: {exc}") from None


def _parse_dag(dag_id: str, document: dict[str, Any], version_number: int | None) -> DagStructure:
    dag = _object(document.get("dag", document), "dag")
    entries = dag.get("tasks", [])
    if not isinstance(entries, list):
        raise _Shape(f"dag.tasks is {_kind(entries)}, not a list")
    tasks = [_parse_task(_object(entry, "a task")) for entry in entries]
    group_data = dag.get("task_group") or dag.get("_task_group")
    root_group = (
        _parse_group(_object(group_data, "task_group"))
        if group_data
        else TaskGroupNode(None, tuple(t.task_id for t in tasks))
    )
    groups_of = _group_paths(root_group)
    tasks = [TaskNode(**{**t.__dict__, "group_path": groups_of.get(t.task_id, ())}) for t in tasks]
    version = version_number if isinstance(version_number, int) else None
    return DagStructure(dag_id, tuple(_topological(tasks)), root_group, version)


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Shape(f"{what} is {_kind(value)}, not an object")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Shape(f"{what} is {_kind(value)}, not a name")
    return value


def _optional_text(value: Any, default: str | None = None) -> str | None:
    return value if isinstance(value, str) and value else default


def _kind(value: Any) -> str:
    if value is None:
        return "missing"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _parse_task(entry: dict[str, Any]) -> TaskNode:
    var = _object(entry.get("__var", entry), "a task")
    task_id = _text(var.get("task_id"), "a task's task_id")
    field_names = var.get("template_fields") or []
    if not isinstance(field_names, list):
        field_names = []
    partial = _unwrap(var.get("partial_kwargs") or {})
    if not isinstance(partial, dict):
        partial = {}
    template_fields = {
        name: _unwrap(var[name] if name in var else partial.get(name))
        for name in field_names
        if isinstance(name, str) and (name in var or name in partial)
    }
    # DataDriver-style operators may keep output_table outside template_fields.
    if "output_table" in var and "output_table" not in template_fields:
        template_fields["output_table"] = _unwrap(var["output_table"])
    operator = next(
        (
            name
            for key in ("_operator_name", "custom_operator_name", "task_type", "_task_type")
            if (name := _optional_text(var.get(key)))
        ),
        "?",
    )
    downstream = var.get("downstream_task_ids") or ()
    if not isinstance(downstream, list | tuple):
        raise _Shape(f"task {task_id!r}: downstream_task_ids is {_kind(downstream)}, not a list")
    outlets = var.get("outlets") or partial.get("outlets") or []
    return TaskNode(
        task_id=task_id,
        operator=operator,
        ui_color=_optional_text(var.get("ui_color", DEFAULT_UI_COLOR), DEFAULT_UI_COLOR),
        downstream_task_ids=tuple(
            sorted(_text(d, f"task {task_id!r}: a downstream task id") for d in downstream)
        ),
        group_path=(),
        template_fields=template_fields,
        outlets=tuple(_parse_outlets(outlets if isinstance(outlets, list) else [])),
        is_mapped=bool(var.get("_is_mapped")),
    )


def _unwrap(value: Any) -> Any:
    """Strip Airflow's {"__type": ..., "__var": ...} envelopes (plain data only)."""
    if isinstance(value, dict):
        if "__var" in value and "__type" in value:
            return _unwrap(value["__var"])
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _parse_outlets(entries: list[Any]) -> list[Outlet]:
    outlets = []
    for entry in entries:
        kind = entry.get("__type") if isinstance(entry, dict) else None
        var = _unwrap(entry)
        # Airflow 3 "asset", Airflow 2 "dataset"; aliases and references name no table.
        if kind in ("asset", "dataset") and isinstance(var, dict):
            uri = _optional_text(var.get("uri"))
            if uri:
                outlets.append(Outlet(uri=uri, name=_optional_text(var.get("name"), uri) or uri))
    return outlets


def _parse_group(data: dict[str, Any], parent_prefix: str | None = None) -> TaskGroupNode:
    """A group with its full id: Airflow prefixes a child's id with its parent's, if asked."""
    local_id = _optional_text(data.get("_group_id"))
    group_id = f"{parent_prefix}.{local_id}" if parent_prefix and local_id else local_id
    prefix = group_id if data.get("prefix_group_id", True) else None
    children: list[TaskGroupNode | str] = []
    members = data.get("children") or {}
    for member in _object(members, f"task group {group_id!r}: children").values():
        if not isinstance(member, list) or len(member) != 2:
            raise _Shape(f"task group {group_id!r}: a child is {_kind(member)}, not a pair")
        kind, value = member
        if kind == "taskgroup":
            children.append(_parse_group(_object(value, f"task group {group_id!r}"), prefix))
        else:
            children.append(_text(value, f"task group {group_id!r}: a task id"))
    return TaskGroupNode(group_id, tuple(children))


def _group_paths(group: TaskGroupNode, path: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    here = (*path, group.group_id) if group.group_id else path
    found: dict[str, tuple[str, ...]] = {}
    for child in group.children:
        if isinstance(child, TaskGroupNode):
            found.update(_group_paths(child, here))
        else:
            found[child] = here
    return found


def _topological(tasks: list[TaskNode]) -> list[TaskNode]:
    """Kahn's algorithm; among ready tasks the one serialized first goes first (stable)."""
    index = {t.task_id: i for i, t in enumerate(tasks)}
    indegree = dict.fromkeys(index, 0)
    for t in tasks:
        for d in t.downstream_task_ids:
            if d in indegree:
                indegree[d] += 1
    ready = [index[tid] for tid, n in indegree.items() if n == 0]
    heapq.heapify(ready)
    ordered: list[TaskNode] = []
    while ready:
        task = tasks[heapq.heappop(ready)]
        ordered.append(task)
        for d in task.downstream_task_ids:
            if d in indegree:
                indegree[d] -= 1
                if indegree[d] == 0:
                    heapq.heappush(ready, index[d])
    # A cycle cannot be serialized by Airflow, but never drop tasks if one appears.
    seen = {t.task_id for t in ordered}
    return ordered + [t for t in tasks if t.task_id not in seen]
