"""Turn a `serialized_dag` JSON document into a DagStructure, without running DAG code."""

from __future__ import annotations

import heapq
import json
import zlib
from typing import Any

from ddtui.metastore.models import DagStructure, Outlet, TaskGroupNode, TaskNode

# BaseOperator's colour, which Airflow leaves out of the serialization when unchanged.
DEFAULT_UI_COLOR = "#fff"


def load_document(data: Any, data_compressed: bytes | None) -> dict[str, Any]:
    """The JSON document, from `data` or, when Airflow compressed it, `data_compressed`."""
    if data is None and data_compressed is not None:
        return dict(json.loads(zlib.decompress(data_compressed)))
    if isinstance(data, str | bytes):
        return dict(json.loads(data))
    return dict(data)


def parse_dag(dag_id: str, document: dict[str, Any], version_number: int | None) -> DagStructure:
    dag = document.get("dag", document)
    tasks = [_parse_task(entry.get("__var", entry)) for entry in dag.get("tasks", [])]
    group_data = dag.get("task_group") or dag.get("_task_group")
    root_group = (
        _parse_group(group_data)
        if group_data
        else TaskGroupNode(None, tuple(t.task_id for t in tasks))
    )
    groups_of = _group_paths(root_group)
    tasks = [TaskNode(**{**t.__dict__, "group_path": groups_of.get(t.task_id, ())}) for t in tasks]
    return DagStructure(dag_id, tuple(_topological(tasks)), root_group, version_number)


def _parse_task(var: dict[str, Any]) -> TaskNode:
    field_names = var.get("template_fields") or []
    partial = _unwrap(var.get("partial_kwargs") or {})
    template_fields = {
        name: _unwrap(var[name] if name in var else partial.get(name))
        for name in field_names
        if name in var or name in partial
    }
    # DataDriver-style operators may keep output_table outside template_fields.
    if "output_table" in var and "output_table" not in template_fields:
        template_fields["output_table"] = _unwrap(var["output_table"])
    operator_name = var.get("_operator_name") or var.get("custom_operator_name")
    return TaskNode(
        task_id=var["task_id"],
        operator=operator_name or var.get("task_type") or var.get("_task_type") or "?",
        ui_color=var.get("ui_color", DEFAULT_UI_COLOR),
        downstream_task_ids=tuple(sorted(var.get("downstream_task_ids") or ())),
        group_path=(),
        template_fields=template_fields,
        outlets=tuple(_parse_outlets(var.get("outlets") or partial.get("outlets") or [])),
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
        if kind in ("asset", "dataset") and isinstance(var, dict) and var.get("uri"):
            outlets.append(Outlet(uri=var["uri"], name=var.get("name") or var["uri"]))
    return outlets


def _parse_group(data: dict[str, Any], parent_prefix: str | None = None) -> TaskGroupNode:
    """A group with its full id: Airflow prefixes a child's id with its parent's, if asked."""
    local_id = data.get("_group_id")
    group_id = f"{parent_prefix}.{local_id}" if parent_prefix and local_id else local_id
    prefix = group_id if data.get("prefix_group_id", True) else None
    children: list[TaskGroupNode | str] = []
    for kind, value in (data.get("children") or {}).values():
        if kind == "taskgroup":
            children.append(_parse_group(value, prefix))
        else:
            children.append(value)
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
