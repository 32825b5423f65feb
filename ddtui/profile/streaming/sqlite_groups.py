"""Text, boolean and untyped columns of SQLite tables counted by SQLite itself (GROUP BY).

Counting a million strings in Python means fetching a million Python objects and
holding the GIL while doing it; SQLite groups them in C with the GIL released, on a
second connection in a parallel thread. The results are the ones the streaming
accumulators give (and pandas gives) on the same rows:

- groups compare as Python values do: BINARY collation (whatever the column
  declares), 1 and 1.0 one group, "1" another;
- the value shown for a group is its first one in scan order (rowid order), and
  ties in the top-k keep first-seen order, as Counter and value_counts do;
- lengths are SQLite's length() (characters, like len()), except for text holding
  NUL characters, where length() stops: those few values are measured in Python.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ddtui.backends import backend_for
from ddtui.profile.models import ColumnKind, ColumnProfile
from ddtui.profile.streaming.accumulate import ColumnSpec, Settings, new_profile
from ddtui.profile.summary import python_scalar, text_dtype

# Column kinds whose accumulators only count values, so GROUP BY can count them instead.
COUNTED_KINDS = frozenset({"text", "other", "boolean"})
# The rows whose distinct values tell a many-valued column (see many_valued), and the
# share of distinct values above which it is one (1 in 20).
PROBE_ROWS = 10_000
MANY_VALUED_SHARE = 20
# Rough CPU costs of a column per row, in units of streaming a number column (measured on
# a 1M-row table): streaming one (with the per-row cost apart), or SQLite grouping one.
STREAM_ROW = 1.5
STREAM_COST: dict[ColumnKind, float] = {
    "number": 1.0, "datetime": 1.5, "text": 2.0, "other": 2.0, "boolean": 0.7, "binary": 1.0,
}  # fmt: skip
STREAM_MANY_VALUED = 4.0
GROUP_COST: dict[ColumnKind, float] = {"text": 3.5, "other": 3.5, "boolean": 1.2}
GROUP_MANY_VALUED = 5.0


def rowid_column(conn: sa.Connection, table: sa.Table) -> sa.ColumnElement[Any] | None:
    """The table's rowid (scan order) if it has one: not for views and WITHOUT ROWID tables."""
    return backend_for(conn).rowid(conn, table)


def countable(column: sa.Column[Any], spec: ColumnSpec, dialect: sa.Dialect) -> bool:
    """True if SQLite's raw values are what the accumulator would count (no type processor)."""
    if spec.kind not in COUNTED_KINDS:
        return False
    if spec.kind == "boolean":
        return True  # the accumulator takes raw values and merges them by bool()
    return column.type.dialect_impl(dialect).result_processor(dialect, None) is None


def _groups(
    table: sa.Table, column: sa.Column[Any], rowid: sa.ColumnElement[Any]
) -> sa.Select[Any, int, int]:
    """One row per distinct value (NULL included): the value as first seen, count, first rowid."""
    # With exactly one min() in the query, SQLite takes the bare column from that row:
    # the group's first value in scan order (1.0 rather than a later 1). Raw values, as
    # the accumulators see them: no type processing (a BOOLEAN column may hold "yes").
    # Nothing else here: SQLite evaluates bare expressions again whenever min() changes.
    return (
        sa.select(
            sa.type_coerce(column, sa.types.NullType()).label("v"),
            sa.func.count().label("n"),
            sa.func.min(rowid).label("f"),
        )
        .select_from(table)
        .group_by(_binary(column))
    )


def _binary(column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """The column compared byte for byte, as Python compares values (not NOCASE, say)."""
    return sa.type_coerce(column, sa.Text()).collate("BINARY")


def _has_nul(value: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """Text with a NUL character (SQLite's length() stops there; Python's len() does not)."""
    return sa.func.instr(sa.cast(value, sa.LargeBinary), sa.literal(b"\x00")) > 0


def _length_or_nul(value: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    """Characters in a text value, -1 if it holds a NUL (measured apart), NULL if not text."""
    return sa.case(
        (sa.func.typeof(value) != "text", None), (_has_nul(value), -1), else_=sa.func.length(value)
    )


def _summary_query(groups: sa.Select[Any, int, int], top_k: int) -> sa.CompoundSelect[Any]:
    """A row of totals over all groups (part 0), then the top-k non-NULL groups (part 1)."""
    # SQLite materialises a CTE used twice: the table is grouped once. Each aggregate
    # evaluates its argument again: keep them few and cheap.
    g = groups.cte("g")
    v, n, f = g.c.v, g.c.n, g.c.f
    is_text = sa.func.typeof(v) == "text"
    length = _length_or_nul(v)
    totals = sa.select(
        sa.literal(0).label("part"),
        sa.null().label("v"),
        sa.func.sum(n).label("n"),
        sa.null().label("f"),
        sa.func.sum(sa.case((v.is_not(None), n))).label("present"),
        sa.func.count(v).label("distinct"),
        sa.func.sum(sa.case((is_text, 1), else_=0)).label("text_groups"),
        sa.func.sum(sa.case((is_text, n))).label("text_rows"),
        sa.func.min(length).label("min_length"),  # -1: some text holds a NUL
        sa.func.max(length).label("max_length"),
        sa.func.sum(length * n).label("total_length"),
    )
    top = (
        sa.select(v, n, f).where(v.is_not(None)).order_by(n.desc(), f).limit(top_k).subquery("top")
    )
    nothing = [sa.null()] * 7
    return sa.union_all(totals, sa.select(sa.literal(1), top.c.v, top.c.n, top.c.f, *nothing))


def _lengths_apart_from_nul(
    conn: sa.Connection, table: sa.Table, column: sa.Column[Any]
) -> tuple[list[int], int, int]:
    """Length bounds, total length and count of text values, measuring those with NUL in Python."""
    value = sa.type_coerce(column, sa.types.NullType())
    is_text = sa.func.typeof(value) == "text"
    plain = sa.select(
        sa.func.min(sa.func.length(value)),
        sa.func.max(sa.func.length(value)),
        sa.func.sum(sa.func.length(value)),
        sa.func.count(),
    ).where(is_text, sa.not_(_has_nul(value)))
    low, high, total, measured = conn.execute(plain.select_from(table)).one()
    bounds = [] if low is None else [int(low), int(high)]
    total, measured = int(total or 0), int(measured)
    with_nul = (
        sa.select(value, sa.func.count())
        .select_from(table)
        .where(is_text, _has_nul(value))
        .group_by(_binary(column))
    )
    for text, n in conn.execute(with_nul):
        characters = len(str(text))
        bounds.append(characters)
        total += characters * int(n)
        measured += int(n)
    return bounds, total, measured


@dataclass(frozen=True)
class CountJob:
    """One column to count by GROUP BY, and where its profile goes in the table's."""

    index: int
    table: sa.Table
    column: sa.Column[Any]
    spec: ColumnSpec
    rowid: sa.ColumnElement[Any]


def category_profile(conn: sa.Connection, job: CountJob, settings: Settings) -> ColumnProfile:
    """describe's count/unique/top/freq, the top-k values and text lengths, by GROUP BY."""
    result = conn.execute(_summary_query(_groups(job.table, job.column, job.rowid), settings.top_k))
    rows = result.all()
    totals = next(r for r in rows if r.part == 0)
    spec = job.spec
    distinct = int(totals.distinct)
    count = int(totals.present or 0)
    profile = new_profile(
        spec, text_dtype((totals.text_groups or 0) == distinct), int(totals.n or 0), count, distinct
    )
    if not count:
        return profile
    # By count, ties in first-seen order (Counter.most_common and value_counts do the same).
    top = sorted((r for r in rows if r.part == 1), key=lambda r: (-r.n, r.f))
    profile.top_values = [(python_scalar(r.v), int(r.n)) for r in top]
    profile.top, profile.freq = profile.top_values[0]
    # Lengths of text only (as the accumulator measures str keys only), weighted by count.
    if totals.min_length is None:
        return profile
    if totals.min_length >= 0:
        bounds = [int(totals.min_length), int(totals.max_length)]
        total, measured = int(totals.total_length), int(totals.text_rows)
    else:
        bounds, total, measured = _lengths_apart_from_nul(conn, job.table, job.column)
    profile.min_length, profile.max_length = min(bounds), max(bounds)
    profile.mean_length = total / measured
    return profile


def boolean_profile(conn: sa.Connection, job: CountJob) -> ColumnProfile:
    """True/false counts and describe's count/unique/top/freq, by GROUP BY."""
    groups = _groups(job.table, job.column, job.rowid).subquery("g")
    rows = conn.execute(sa.select(groups.c.v, groups.c.n).order_by(groups.c.f)).all()
    total = sum(int(n) for _, n in rows)
    merged: Counter[bool] = Counter()
    for value, n in rows:  # in first-seen order, as the streaming accumulator merges them
        if value is not None:
            merged[bool(value)] += int(n)
    count = sum(merged.values())
    profile = new_profile(
        job.spec, "bool" if count == total else "object", total, count, len(merged)
    )
    profile.true_count, profile.false_count = merged[True], merged[False]
    if count:
        profile.top_values = merged.most_common()
        profile.top, profile.freq = profile.top_values[0]
    return profile


def grouped_profile(conn: sa.Connection, job: CountJob, settings: Settings) -> ColumnProfile:
    """The column's profile computed by SQLite (see `countable`)."""
    if job.spec.kind == "boolean":
        return boolean_profile(conn, job)
    return category_profile(conn, job, settings)


def recount_if_moved(
    conn: sa.Connection,
    jobs: Sequence[CountJob],
    profiles: dict[int, ColumnProfile],
    rows: int,
    settings: Settings,
) -> None:
    """Count again on `conn` the columns whose counts did not see `rows` rows.

    The counting threads read on their own connections, so in their own snapshots: in
    WAL mode a writer may commit between theirs and `conn`'s (which the row count, the
    other columns, head and tail come from). A changed row count shows it; then `conn`
    counts those columns itself, in the profile's snapshot.
    """
    for job in jobs:
        if profiles[job.index].count + profiles[job.index].missing != rows:
            profiles[job.index] = grouped_profile(conn, job, settings)


def countable_jobs(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    specs: Sequence[ColumnSpec],
) -> list[CountJob]:
    """Jobs for every column SQLite can count (none for views, WITHOUT ROWID, other dialects)."""
    candidates = [
        (i, c, s) for i, (c, s) in enumerate(zip(columns, specs, strict=True))
        if countable(c, s, conn.dialect)
    ]  # fmt: skip
    rowid = rowid_column(conn, table) if candidates else None
    if rowid is None:
        return []
    return [CountJob(i, table, c, s, rowid) for i, c, s in candidates]


def many_valued(conn: sa.Connection, jobs: Sequence[CountJob]) -> set[int]:
    """Indexes of the jobs whose columns look many-valued in the first PROBE_ROWS rows."""
    if not jobs:
        return set()
    first = (
        sa.select(*[job.column for job in jobs])
        .select_from(jobs[0].table)
        .limit(PROBE_ROWS)
        .subquery("first")
    )
    measures = []
    for column in first.columns:
        raw = sa.type_coerce(column, sa.types.NullType())
        measures += [sa.func.count(sa.distinct(raw)), sa.func.count(raw)]
    counts = conn.execute(sa.select(*measures)).one()
    return {
        job.index for job, distinct, present in zip(jobs, counts[::2], counts[1::2], strict=True)
        if distinct * MANY_VALUED_SHARE > present
    }  # fmt: skip


def _stream_cost(spec: ColumnSpec, many: bool) -> float:
    return STREAM_MANY_VALUED if many else STREAM_COST[spec.kind]


def _group_cost(spec: ColumnSpec, many: bool) -> float:
    return GROUP_MANY_VALUED if many else GROUP_COST[spec.kind]


def balanced(
    jobs: Sequence[CountJob], specs: Sequence[ColumnSpec], many: set[int]
) -> list[CountJob]:
    """The jobs SQLite should run so that its thread and the stream end about together.

    Many-valued columns always: Python would hold every distinct value in memory, and
    counts them slowly. A few-valued column is cheaper to count in Python as it streams
    (a hash lookup a value, a few keys kept) than for SQLite to sort, but SQLite runs on
    the other core: it takes such columns while that shortens the longer of the two.
    """
    chosen = [job for job in jobs if job.index in many]
    stream = STREAM_ROW + sum(_stream_cost(s, False) for i, s in enumerate(specs) if i not in many)
    sql = sum(_group_cost(job.spec, True) for job in chosen)
    few = sorted(
        (job for job in jobs if job.index not in many),
        key=lambda job: -_stream_cost(job.spec, False),
    )
    for job in few:
        shorter_stream = stream - _stream_cost(job.spec, False)
        longer_sql = sql + _group_cost(job.spec, False)
        if max(shorter_stream, longer_sql) < max(stream, sql):
            chosen.append(job)
            stream, sql = shorter_stream, longer_sql
    return sorted(chosen, key=lambda job: job.index)


def count_jobs(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    specs: Sequence[ColumnSpec],
) -> list[CountJob]:
    """The columns SQLite should count in parallel with the stream of the others."""
    if not parallel_capable(conn.engine):
        return []  # no second connection: counting on this one would only add to its time
    jobs = countable_jobs(conn, table, columns, specs)
    return balanced(jobs, specs, many_valued(conn, jobs))


def parallel_capable(engine: sa.Engine) -> bool:
    """True if a second connection sees the same database (a file, not one in memory)."""
    return isinstance(engine.pool, sa.pool.QueuePool | sa.pool.NullPool)


__all__ = ["CountJob", "count_jobs", "grouped_profile"]
