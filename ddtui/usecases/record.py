"""Record a task's exact profile in the history, if its table still holds that run's data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ddtui.usecases.overwrite import overwritten

if TYPE_CHECKING:
    from ddtui.config.settings import DataSettings
    from ddtui.drift.history import ProfileHistory
    from ddtui.metastore import MetastoreReader, RunDetail, TaskNode
    from ddtui.outputs.data_sources import DataSources
    from ddtui.outputs.resolve import OutputRef
    from ddtui.profile.models import TableProfile
    from ddtui.usecases.describe import Description


def record_if_current(
    store: MetastoreReader,
    sources: DataSources,
    data: DataSettings,
    history: ProfileHistory,
    *,
    dag_id: str,
    task: TaskNode,
    detail: RunDetail,
    ref: OutputRef,
    profile: TableProfile,
) -> str | None:
    """Store `profile` (run `detail`'s output `ref`) and value samples drawn from its table
    in the history, unless a newer run has overwritten that table: then say why not."""
    from ddtui.drift.runs import history_key, record_profile, run_time

    if ref.data_url is None:
        return f"{ref.qualified_name} has no data source to read samples from"
    run_id = detail.run.run_id
    newer = overwritten(store, data, dag_id, task, run_id=run_id, ref=ref)
    if newer.overwritten:
        return newer.reason(ref.shown_name, run_id)
    record_profile(
        history,
        history_key(store, dag_id, task.task_id, run_id, ref),
        profile,
        engine=sources.engine(ref.data_url),
        table=ref.table,
        schema=ref.schema,
        run_after=run_time(detail),
        partition=ref.partition,
    )
    return None


def record_description(
    store: MetastoreReader,
    sources: DataSources,
    data: DataSettings,
    description: Description,
    history: ProfileHistory,
) -> str | None:
    """`record_if_current` for what `describe_task` found; None when recorded (or there is
    no run to record it under), else why not."""
    target = description.target
    if target.run is None or target.task is None:
        return None
    return record_if_current(
        store, sources, data, history,
        dag_id=target.structure.dag_id, task=target.task, detail=target.run,
        ref=description.output, profile=description.profile,
    )  # fmt: skip
