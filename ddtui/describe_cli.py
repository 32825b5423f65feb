"""What `ddtui describe` prints, given its options (kept out of cli.py to keep that thin)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from typing import TYPE_CHECKING

import typer

from ddtui.datasource import DataSources
from ddtui.describe import Description, describe_task
from ddtui.metastore import Metastore
from ddtui.settings import resolve_data_settings

if TYPE_CHECKING:
    from ddtui.drift.history import ProfileHistory

DRIFT_EXIT_CODE = 8
_LEVELS = {"ok": 0, "watch": 1, "drift": 2}


def use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def run_describe(
    store: Metastore,
    *,
    data_url: str | None,
    data_conn: str | None,
    dag_id: str,
    task_id: str,
    run_id: str | None,
    columns: list[str] | None,
    output_format: str,
    sample_rows: int | None,
    compare: str | None,
    record: bool,
    fail_on: str | None,
) -> int:
    """Profile, optionally record and compare, print; return the exit code."""
    from ddtui.render import render_profile

    data = resolve_data_settings(data_url, data_conn)
    sources = DataSources()
    description = describe_task(
        store, data, dag_id, task_id, run_id, columns=columns, sample_rows=sample_rows,
        sources=sources,
    )  # fmt: skip
    history = None
    if record or compare:
        from ddtui.drift.history import ProfileHistory

        history = ProfileHistory()
    if record and history is not None:
        _record(store, sources, description, history)
    if compare and description.target.run is not None:
        from ddtui.drift.runs import compare_task_runs

        description.drift = compare_task_runs(
            store, sources, data, dag_id, task_id, description.target.run.run.run_id,
            compare, history, record=record,
        )  # fmt: skip
    width = shutil.get_terminal_size((100, 24)).columns
    if output_format == "json":
        typer.echo(json.dumps(description.to_dict(), indent=2, allow_nan=False))
    else:
        fmt = "markdown" if output_format == "markdown" else "text"
        text = render_profile(description.profile, width=width, color=use_color(), fmt=fmt)
        typer.echo(f"{_heading(description)}\n{text}")
        if description.drift is not None:
            from ddtui.drift.text import render_drift

            typer.echo(render_drift(description.drift, width=width, color=use_color(), fmt=fmt))
    drift = description.drift
    if fail_on and drift is not None and _LEVELS[drift.verdict] >= _LEVELS[fail_on]:
        return DRIFT_EXIT_CODE
    return 0


def _heading(description: Description) -> str:
    target, output = description.target, description.output
    run = target.run.run if target.run else None
    run_text = f"run {run.run_id} ({run.state})" if run else "no runs"
    task_id = target.task.task_id if target.task else "?"
    return f"{target.structure.dag_id}.{task_id}, {run_text}\noutput: {output.reason}"


def _record(
    store: Metastore, sources: DataSources, description: Description, history: ProfileHistory
) -> None:
    """Store the profile (and value samples for later drift checks) in the local history."""
    from ddtui.drift.runs import history_key, record_profile, run_time

    target, output = description.target, description.output
    if target.run is None or target.task is None or output.data_url is None:
        return
    key = history_key(
        store, target.structure.dag_id, target.task.task_id, target.run.run.run_id, output
    )
    record_profile(
        history,
        key,
        description.profile,
        engine=sources.engine(output.data_url),
        table=output.table,
        schema=output.schema,
        run_after=run_time(target.run),
    )
