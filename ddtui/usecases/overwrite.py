"""Whether a newer run has overwritten the table a run wrote (one rule for CLI and TUI)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ddtui.outputs.resolve import resolve_output

if TYPE_CHECKING:
    from ddtui.config.settings import DataSettings
    from ddtui.metastore import MetastoreReader, TaskNode
    from ddtui.outputs.resolve import OutputRef


@dataclass(frozen=True)
class Overwrite:
    """`overwritten`: the table no longer holds the run's data, or may not (then `by_run`
    is None: more newer runs than were looked at, so none can be ruled out)."""

    overwritten: bool
    by_run: str | None = None

    def reason(self, table: str, run_id: str) -> str:
        """Why the run's profile of `table` is not recorded (when overwritten)."""
        if self.by_run is not None:
            return (
                f"{table} now holds the output of the newer run {self.by_run}, not of run {run_id}"
            )
        return f"{table} may hold a newer run's output: too many newer runs to tell"


STILL_HOLDS = Overwrite(False)


def overwritten(
    store: MetastoreReader, data: DataSettings, dag_id: str, task: TaskNode, *, run_id: str,
    ref: OutputRef,
) -> Overwrite:  # fmt: skip
    """Whether a newer successful run of the task wrote the same rows as `ref` (run
    `run_id`'s output). The newest successful writer decides what the table holds now; a
    task writing one table (or partition) per run never overwrites an older run's.

    Reads one page of runs, the task's states in them (one query), and at most one run's
    details; never one query per run.
    """
    from ddtui.drift.runs import newer_writers

    writers = newer_writers(store, dag_id, task.task_id, run_id)
    if not writers.run_ids:
        # Out of runs before finding `run_id`: a writer beyond them cannot be ruled out,
        # and a profile recorded under the wrong run would mislead every later comparison.
        return STILL_HOLDS if writers.complete else Overwrite(True)
    newest = writers.run_ids[0]
    newer = resolve_output(task, store.run_detail(dag_id, newest), data)
    return Overwrite(True, newest) if newer.same_rows(ref) else STILL_HOLDS
