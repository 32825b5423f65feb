"""What `ddtui describe` prints, given its options (kept out of cli.py to keep that thin)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import typer

from ddtui.config.settings import DataSettings
from ddtui.metastore import Metastore
from ddtui.outputs.data_sources import DataSources
from ddtui.terminal_text import safe_text
from ddtui.usecases.describe import Description, describe_task

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ddtui.drift.history import ProfileHistory
    from ddtui.drift.report import DriftReport
    from ddtui.outputs.table_slice import TableSlice
    from ddtui.profile.models import TableProfile

DRIFT_EXIT_CODE = 8
_LEVELS = {"ok": 0, "watch": 1, "drift": 2}


def use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def run_describe(
    store: Metastore,
    data: DataSettings,
    *,
    dag_id: str,
    task_id: str,
    run_id: str | None,
    columns: list[str] | None,
    output_format: str,
    sample_rows: int | None,
    compare: str | None,
    record: bool,
    fail_on: str | None,
    sources: DataSources | None = None,
    approx: bool = False,
) -> int:
    """Profile, optionally record and compare, print; return the exit code."""
    from ddtui.render.profile import description_to_dict, render_profile

    sources = sources or DataSources()
    description = describe_task(
        store, data, dag_id, task_id, run_id, columns=columns, sample_rows=sample_rows,
        approx=approx, sources=sources,
    )  # fmt: skip
    note_if_not_estimated(description.profile, approx)
    history = None
    if record or compare:
        from ddtui.drift.history import ProfileHistory

        history = ProfileHistory()
    if record and columns:
        # A profile of some columns would read as "columns dropped" in later comparisons.
        _note("not recorded: --record stores whole-table profiles only (drop --column)")
        record = False
    if record and description.profile.method is not None:
        # Estimated quartiles would read as drift against the exact profiles of other runs.
        _note("not recorded: --record stores exact profiles only (drop --approx)")
        record = False
    if compare:
        description.drift = _compare(
            store, sources, data, description,
            baseline_run_id=compare, history=history, record=record, columns=columns,
        )  # fmt: skip
    elif record and history is not None:
        record_if_current(store, sources, data, description, history)
    width = shutil.get_terminal_size((100, 24)).columns
    if output_format == "json":
        typer.echo(json.dumps(description_to_dict(description), indent=2, allow_nan=False))
    else:
        fmt: Literal["text", "markdown"] = "markdown" if output_format == "markdown" else "text"
        text = render_profile(description.profile, width=width, color=use_color(), fmt=fmt)
        typer.echo(f"{_heading(description)}\n{text}")
        if description.drift is not None:
            from ddtui.render.drift import render_drift

            typer.echo(render_drift(description.drift, width=width, color=use_color(), fmt=fmt))
    drift = description.drift
    if fail_on and drift is not None and _LEVELS[drift.verdict] >= _LEVELS[fail_on]:
        return DRIFT_EXIT_CODE
    return 0


def _heading(description: Description) -> str:
    """`dag.task, run ID (state)` and where the output was found, terminal-safe."""
    target, output = description.target, description.output
    run = target.run.run if target.run else None
    run_text = f"run {run.run_id} ({run.state})" if run else "no runs"
    task_id = target.task.task_id if target.task else "?"
    heading = safe_text(f"{target.structure.dag_id}.{task_id}, {run_text}")
    return f"{heading}\noutput: {safe_text(output.reason)}"


def note_if_not_estimated(profile: TableProfile, approx: bool) -> None:
    """--approx on a database without approximate aggregates: say the profile is exact
    (stderr, so JSON on stdout stays one document; it says `"exact": true` itself)."""
    if approx and profile.exact:
        _note("--approx: this database has no approximate aggregates; the profile is exact")


def _note(message: str) -> None:
    typer.echo(f"ddtui: {safe_text(message)}", err=True)


def _compare(
    store: Metastore,
    sources: DataSources,
    data: DataSettings,
    description: Description,
    *,
    baseline_run_id: str,
    history: ProfileHistory | None,
    record: bool,
    columns: list[str] | None,
) -> DriftReport:
    """Compare the described run with the baseline; the described table is not profiled twice.

    With `record`, `compare_task_runs` records each side it profiles live, which is exactly the
    runs whose tables still hold their data. When there is no baseline yet (the first run),
    the current run is still recorded, so the next run has something to compare with.
    """
    from ddtui.drift.runs import BaselineUnavailableError, compare_task_runs

    target = description.target
    if target.run is None or target.task is None:
        raise BaselineUnavailableError(f"{target.structure.dag_id} has no run to compare")
    try:
        return compare_task_runs(
            store, sources, data, target.structure.dag_id, target.task.task_id,
            target.run.run.run_id, baseline_run_id, history, record=record,
            profiler=_reusing_profiler(sources, description, columns),
        )  # fmt: skip
    except BaselineUnavailableError:
        if record and history is not None:
            record_if_current(store, sources, data, description, history)
        raise


def _reusing_profiler(
    sources: DataSources, description: Description, columns: list[str] | None
) -> Callable[..., TableProfile]:
    """A profiler for `compare_task_runs` that hands back the profile `describe` computed for
    the described table, and profiles other tables with the same `--column` selection."""
    from ddtui.profile import profile_table

    output = description.output
    assert output.data_url is not None
    described_engine = sources.engine(output.data_url)

    def profiler(
        engine: Engine,
        table: str,
        schema: str | None = None,
        *,
        mode: str = "exact",
        partition: TableSlice | None = None,
    ) -> TableProfile:
        described = (table, schema, partition) == (output.table, output.schema, output.partition)
        if engine is described_engine and described:
            return description.profile
        return profile_table(engine, table, schema, columns=columns, mode=mode, partition=partition)  # type: ignore[arg-type]

    return profiler


def record_if_current(
    store: Metastore,
    sources: DataSources,
    data: DataSettings,
    description: Description,
    history: ProfileHistory,
) -> None:
    """Record the profile unless a newer run has since overwritten the table it came from
    (then say so on stderr)."""
    from ddtui.usecases.record import record_description

    why_not = record_description(store, sources, data, description, history)
    if why_not is not None:
        _note(f"not recorded: {why_not}")
