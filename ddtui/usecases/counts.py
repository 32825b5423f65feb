"""Row counts of output tables: the profiler's first, cheap stage only (no full scan)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ddtui.errors import one_line

if TYPE_CHECKING:
    from ddtui.outputs.data_sources import DataSources
    from ddtui.outputs.resolve import OutputRef

Cancelled = Callable[[], bool]


class CountCancelled(Exception):
    """The caller asked the count to stop (the TUI moved on)."""


@dataclass(frozen=True)
class TableCount:
    """The rows of one table (or partition) and every task that writes it; `rows` None
    when it could not be counted (`problem` says why, in one line)."""

    task_ids: tuple[str, ...]
    rows: int | None
    problem: str = ""


def count_rows(sources: DataSources, ref: OutputRef, cancelled: Cancelled | None = None) -> int:
    """The row count of `ref`'s table (or partition); CountCancelled when `cancelled`."""
    from ddtui.profile import ProfileCancelled, profile_stages

    try:
        stages = profile_stages(
            sources.engine(ref.data_url or ""), ref.table or "", ref.schema,
            cancelled=cancelled, partition=ref.partition,
        )  # fmt: skip
        first = next(iter(stages))
    except ProfileCancelled as exc:
        raise CountCancelled from exc
    close = getattr(stages, "close", None)
    if close is not None:  # the later stages are not wanted
        close()
    return first.row_count


def count_tables(
    sources: DataSources, refs: dict[str, OutputRef], cancelled: Cancelled
) -> Iterator[TableCount]:
    """Each readable output's row count. Tasks often share an output table (one appends
    to what another wrote): each table is counted once, for every task that writes it."""
    by_table: dict[tuple[object, ...], list[str]] = {}
    for task_id, ref in refs.items():
        key = (ref.data_url, ref.schema, ref.table, ref.partition)
        by_table.setdefault(key, []).append(task_id)
    for task_ids in by_table.values():
        if cancelled():
            return
        try:
            rows = count_rows(sources, refs[task_ids[0]], cancelled)
        except CountCancelled:
            return
        except Exception as exc:
            yield TableCount(tuple(task_ids), None, one_line(exc))
            continue
        yield TableCount(tuple(task_ids), rows)


def per_run_counts(
    sources: DataSources, refs: list[OutputRef], cancelled: Cancelled
) -> list[int] | None:
    """Row counts of a task's outputs over runs (`refs` newest first), oldest first; None
    when the runs share one table (its older counts are only in the profile history) or
    when cancelled. A per-run table since dropped is left out."""
    readable = [r for r in refs if r.readable]
    names = {(r.data_url, r.schema, r.table, r.partition) for r in readable}
    if len(readable) < 2 or len(names) < len(readable):
        return None
    counts: list[int] = []
    for ref in readable:
        if cancelled():
            return None
        try:
            counts.append(count_rows(sources, ref, cancelled))
        except CountCancelled:
            return None
        except Exception:  # noqa: S112 - a dropped per-run table: the trend skips it
            continue
    return list(reversed(counts))
