"""Plain-text views of the metastore for `ddtui dags` and `ddtui tasks` (no Textual)."""

from __future__ import annotations

from ddtui.config.settings import DataSettings
from ddtui.config.sources import mask_uri_passwords
from ddtui.errors import ConfigError
from ddtui.metastore import DagStructure, DagSummary, MetastoreInfo, RunDetail, TaskNode
from ddtui.outputs.resolve import resolve_output
from ddtui.render.values import format_duration, format_when
from ddtui.terminal_text import safe_text
from ddtui.usecases.tasks import TaskRow, task_rows

ID_LIMIT = 250  # Airflow's own limit for DAG and task ids; longer text from data is cut


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Aligned columns; every cell is made terminal-safe and cut to ID_LIMIT here."""
    rows = [[safe_text(cell, ID_LIMIT) for cell in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines)


def format_dag_list(info: MetastoreInfo, dags: list[DagSummary]) -> str:
    rows = [
        [
            d.dag_id,
            ",".join(d.tags) or "-",
            "paused" if d.is_paused else ("stale" if d.is_stale else "active"),
            d.schedule or "-",
            (d.latest_run.state or "-") if d.latest_run else "no runs",
            format_when(d.latest_run.logical_date) if d.latest_run else "-",
        ]
        for d in dags
    ]
    header = f"{safe_text(info.url)} (Airflow {safe_text(info.airflow_version)}), DAGs: {len(dags)}"
    if info.note:
        header += f" ({info.note})"
    table = format_table(["DAG", "TAGS", "STATUS", "SCHEDULE", "LATEST RUN", "LOGICAL DATE"], rows)
    return f"{header}\n{table}"


def format_task_list(structure: DagStructure, run: RunDetail | None, data: DataSettings) -> str:
    rows = []
    for row in task_rows(structure, run, {}):
        rows.append(
            [
                row.task.task_id,
                _state_cell(row),
                str(row.try_number) if row.try_number is not None else "-",
                format_duration(row.duration),
                row.task.operator,
                _output_cell(row.task, run, data),
            ]
        )
    head = f"DAG {safe_text(structure.dag_id, ID_LIMIT)}, run " + (
        f"{safe_text(run.run.run_id, ID_LIMIT)} ({safe_text(run.run.state)})"
        if run
        else "- (no runs)"
    )
    table = format_table(["TASK", "STATE", "TRY", "DURATION", "OPERATOR", "OUTPUT"], rows)
    return f"{head}\n{table}"


def _output_cell(task: TaskNode, run: RunDetail | None, data: DataSettings) -> str:
    """The task's output table, or the one line why its connection cannot be used."""
    try:
        return resolve_output(task, run, data).label or "-"
    except ConfigError as exc:
        # One task's unusable connection (wrong fernet key, ...) must not hide the others.
        return mask_uri_passwords(str(exc))


def _state_cell(row: TaskRow) -> str:
    """`success`; a mapped task: `success x3`, or `failed (mixed x3)`, the most alarming."""
    state, count = row.state or "-", len(row.instances)
    if count <= 1:
        return state
    mixed = len({ti.state for ti in row.instances}) > 1
    return f"{state} (mixed x{count})" if mixed else f"{state} x{count}"
