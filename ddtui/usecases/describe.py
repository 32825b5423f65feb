"""`ddtui describe`: a task's output table, profiled and printed (no Textual)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ddtui.config.settings import DataSettings
from ddtui.errors import NoOutputError, NotFoundError
from ddtui.metastore import MetastoreReader
from ddtui.metastore.lookup import TaskTarget, find_target
from ddtui.outputs.data_sources import DataSources
from ddtui.outputs.resolve import OutputRef, resolve_output

if TYPE_CHECKING:
    from ddtui.drift.compare import DriftReport
    from ddtui.profile import TableProfile

Format = Literal["text", "json", "markdown"]


@dataclass
class Description:
    """A task's output and its profile, plus a comparison when one was asked for."""

    target: TaskTarget
    output: OutputRef
    profile: TableProfile
    drift: DriftReport | None = None


def find_output(
    store: MetastoreReader, data: DataSettings, dag_id: str, task_id: str, run_id: str | None
) -> tuple[TaskTarget, OutputRef]:
    """The task's output table, or NoOutputError saying why there is none."""
    target = find_target(store, dag_id, task_id, run_id)
    assert target.task is not None  # find_target raised for an unknown task
    output = resolve_output(target.task, target.run, data)
    run_text = f"run {target.run.run.run_id}" if target.run else "no runs"
    if not output.found:
        raise NoOutputError(f"{dag_id}.{task_id} ({run_text}) has {output.reason}")
    if not output.readable:
        raise NoOutputError(f"{dag_id}.{task_id}: {output.reason}")
    return target, output


def describe_task(
    store: MetastoreReader,
    data: DataSettings,
    dag_id: str,
    task_id: str,
    run_id: str | None = None,
    *,
    columns: list[str] | None = None,
    sample_rows: int | None = None,
    approx: bool = False,
    sources: DataSources | None = None,
) -> Description:
    """Profile the task's output table: exact, or a sample of `sample_rows` rows, or (with
    `approx`) quartiles and distinct counts estimated where the database can."""
    from ddtui.profile import profile_table, read_schema

    target, output = find_output(store, data, dag_id, task_id, run_id)
    sources = sources or DataSources()
    assert output.table is not None and output.data_url is not None
    engine = sources.engine(output.data_url)
    if columns:
        known = [name for name, _ in read_schema(engine, output.table, output.schema).columns]
        for name in columns:
            if name not in known:
                raise NotFoundError("column", name, known, where=output.shown_name)
    profile = profile_table(
        engine,
        output.table,
        output.schema,
        columns=columns or None,
        mode="sample" if sample_rows else ("approx" if approx else "exact"),
        sample_rows=sample_rows or 10_000,
        partition=output.partition,
    )
    return Description(target, output, profile)
