"""PostgreSQL's distinct counts, quantiles and histograms, with as few sorts as possible.

Sorting a column is what costs (seconds per million rows), so each column is sorted
at most once, for its exact distinct count, and only when it has many distinct values:

- One scan (GROUPING SETS, one small hash table per column) counts each value of the
  columns the planner's statistics call low-cardinality, and counts the values of every
  other number or datetime column in fine buckets: each histogram bin split in
  FINE_SPLIT. Value counts give those columns' distinct count, quantiles, histogram and
  top values on the client; fine buckets give the histogram and tell in which bucket
  each order statistic numpy interpolates between lies, and how many values precede it.
- One more scan sorts only the values of those buckets to pick the order statistics
  (the fine buckets and that scan: `fine_buckets.py`).
- COUNT(DISTINCT) per high-cardinality column: the one full sort left.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa

from ddtui.backends import SqlExpressions
from ddtui.backends.watchdog import watched_rows
from ddtui.profile.models import FEW_VALUES
from ddtui.profile.pushdown.columns import (
    PushedColumn,
    few_numbers,
    finite_edges,
    set_histogram,
    set_quantiles,
    ticks_of,
)
from ddtui.profile.pushdown.fine_buckets import (
    FINE_SPLIT,
    FineBuckets,
    fine_bucket,
    fine_buckets,
    fractions_array,
    quantile_scan,
)
from ddtui.profile.pushdown.workers import Task
from ddtui.profile.streaming.accumulate import QUANTILES
from ddtui.profile.values import order_positions

# Columns the statistics estimate at no more distinct values than this are counted value
# by value in a hash table (cheap, and it replaces their sort)...
LOW_CARDINALITY = 100_000
# ...and abandoned for the sorting path if the estimate was stale and they have more.
MAX_COUNTED_VALUES = 500_000


def estimated_distinct(conn: sa.Connection, table: sa.Table, rows: int) -> dict[str, float]:
    """The planner's distinct-value estimates per column name (only for analyzed tables)."""
    if not isinstance(table, sa.Table):
        return {}  # a partition's rows: the whole table's estimates would overstate them
    schema = table.schema if table.schema is not None else sa.func.current_schema()
    stats = sa.table(
        "pg_stats",
        sa.column("schemaname"),
        sa.column("tablename"),
        sa.column("attname"),
        sa.column("n_distinct"),
        schema="pg_catalog",
    )
    query = sa.select(stats.c.attname, stats.c.n_distinct).where(
        stats.c.schemaname == schema, stats.c.tablename == table.name
    )
    # Negative n_distinct is a fraction of the rows (the column grows with the table).
    return {name: (-n * rows if n < 0 else n) for name, n in conn.execute(query)}


def _grouping_scan(
    conn: sa.Connection,
    table: sa.Table,
    keyed: Sequence[tuple[PushedColumn, sa.ColumnElement[Any]]],
    fines: Sequence[FineBuckets],
    sql: SqlExpressions,
) -> list[PushedColumn]:
    """Value counts of `keyed` columns and fine bucket counts of `fines`, in one scan.

    Returns the keyed columns with more values than MAX_COUNTED_VALUES (the statistics
    were stale); their value counts are left unset.
    """
    exprs = [key for _, key in keyed]
    exprs += [fine_bucket(f, sql) for f in fines]
    if not exprs:
        return []
    inner = sa.select(*(e.label(f"g{i}") for i, e in enumerate(exprs))).select_from(table)
    # OFFSET 0 keeps the subquery whole, so the planner knows nothing of its columns and
    # assumes a few hundred groups each. Seeing through it, it would estimate a bucket
    # (a function of a unique column) at millions of groups, and sort the whole table
    # for each such set instead of hashing it.
    sub = inner.offset(0).subquery("cells")
    groups = list(sub.c)
    stmt = sa.select(*groups, sa.func.count()).group_by(
        sa.func.grouping_sets(*(sa.tuple_(g) for g in groups))
    )
    counted: list[list[tuple[Any, int]]] = [[] for _ in keyed]
    for f in fines:
        f.counts = [0] * (len(f.thresholds) - 1)
    result = conn.execute(stmt.execution_options(yield_per=10_000))
    try:
        # Row by row, but watched chunk by chunk (a row costs less than a watch).
        for part in watched_rows(conn, result, result.partitions()):
            for *cells, n in part:
                # Each row belongs to one grouping set: the others' columns are NULL. A row
                # with every cell NULL is some set's NULL group (missing values): skipped.
                i = next((i for i, c in enumerate(cells) if c is not None), None)
                if i is None:
                    continue
                if i < len(keyed):
                    counted[i].append((cells[i], int(n)))
                    if len(counted[i]) > MAX_COUNTED_VALUES:
                        return [col for (col, _), c in zip(keyed, counted, strict=True)
                                if len(c) > MAX_COUNTED_VALUES]  # fmt: skip
                else:
                    fine = fines[i - len(keyed)]
                    fine.counts[min(int(cells[i]), len(fine.counts)) - 1] += int(n)
    finally:
        result.close()
    for (col, _), values in zip(keyed, counted, strict=True):
        col.stats["value_counts"] = values
    return []


def _apply_value_counts(col: PushedColumn, bins: int, top_k: int) -> None:
    """Distinct count, quantiles, histogram and top values from the exact value counts."""
    p, counts = col.profile, col.stats.pop("value_counts")
    p.distinct = len(counts)
    if col.kind == "text":
        lengths = [(len(v), n) for v, n in counts]
        p.min_length = min(length for length, _ in lengths)
        p.max_length = max(length for length, _ in lengths)
        p.mean_length = sum(length * n for length, n in lengths) / p.count
        counts.sort(key=lambda vn: (-vn[1], vn[0]))  # ties by code point, like bytes
        p.top_values = counts[:top_k]
        if p.top_values:
            p.top, p.freq = p.top_values[0]
        return
    counts.sort(key=lambda vn: vn[0])
    if col.kind == "number" and len(counts) <= FEW_VALUES:
        p.value_counts = few_numbers(counts)
    ticks = np.array([ticks_of(col, v) for v, _ in counts], dtype=np.float64)
    weights = np.array([n for _, n in counts], dtype=np.int64)
    upto = np.cumsum(weights)
    at_rank = {r: ticks[int(np.searchsorted(upto, r))] for r in order_positions(p.count, QUANTILES)}
    set_quantiles(col, {r: float(v) for r, v in at_rank.items()})
    edges = finite_edges(col, bins)
    if edges is None:
        return
    finite = np.isfinite(ticks)
    where = np.searchsorted(edges, ticks[finite], side="right") - 1
    binned = np.bincount(np.minimum(where, len(edges) - 2), weights[finite], len(edges) - 1)
    set_histogram(col, edges, [int(c) for c in binned])


def _sorted_distinct(
    conn: sa.Connection, *, table: sa.Table, col: PushedColumn, quantiles: bool
) -> None:
    """COUNT(DISTINCT), and the quantiles by a full sort when the fine buckets could not."""
    exprs: list[sa.ColumnElement[Any]] = [sa.func.count(sa.distinct(col.exact))]
    ranks = sorted(order_positions(col.profile.count, QUANTILES))
    if quantiles:
        n = col.profile.count
        # An integer column sorts faster by its integers, in an order its doubles only
        # coarsen: the order statistics, as doubles, are the same.
        integers = col.kind == "number" and col.spec.is_integer
        exprs.append(
            sa.func.percentile_disc(fractions_array([(r - 0.5) / n for r in ranks])).within_group(
                col.column if integers else col.value
            )
        )
    row = conn.execute(sa.select(*exprs).select_from(table)).one()
    col.profile.distinct = int(row[0])
    if quantiles:
        set_quantiles(col, {r: ticks_of(col, v) for r, v in zip(ranks, row[1], strict=True)})
    if col.kind == "number" and col.profile.distinct <= FEW_VALUES:
        # The statistics guessed many values: one more scan, grouped into a few.
        value = col.exact
        stmt = sa.select(value, sa.func.count()).where(value.is_not(None)).group_by(value)
        counts = [(v, int(n)) for v, n in conn.execute(stmt.select_from(table))]
        col.profile.value_counts = few_numbers(counts)


def _sorting_tasks(
    table: sa.Table,
    many: Sequence[PushedColumn],
    bracketed: Sequence[FineBuckets],
    top_values: Callable[[sa.Connection, PushedColumn], None],
) -> list[Task]:
    """Top values of high-cardinality text, COUNT(DISTINCT) (and quantiles) of the others."""
    sorted_here = {id(f.col) for f in bracketed}
    tasks = []
    for col in many:
        label = f"distinct values of {col.spec.name}"
        if col.kind == "text":
            # A hash aggregate of every value and a sort of the groups: the longest.
            tasks.append(Task(_TEXT_PRIORITY, label, _bound(top_values, col)))
        else:
            sort = functools.partial(
                _sorted_distinct, table=table, col=col, quantiles=id(col) not in sorted_here
            )
            tasks.append(Task(_SORT_PRIORITY, label, sort))
    return tasks


def _bound(
    run: Callable[[sa.Connection, PushedColumn], None], col: PushedColumn
) -> Callable[[sa.Connection], None]:
    return lambda conn: run(conn, col)


# Task priorities (lower first). The grouping scan and the quantile scan it enables are
# the longest chain; the quantile scan, once possible, is what everything waits for.
_QUANTILE_PRIORITY, _GROUPING_PRIORITY, _TEXT_PRIORITY, _SORT_PRIORITY = range(4)


def distinct_quantiles_histograms(
    conn: sa.Connection,
    table: sa.Table,
    cols: Sequence[PushedColumn],
    *,
    rows: int,
    bins: int,
    top_k: int,
    sql: SqlExpressions,
    top_values: Callable[[sa.Connection, PushedColumn], None],
) -> list[Task]:
    """Tasks that fill distinct counts, quantiles, histograms and top values of non-empty columns.

    The grouping scan runs first, then the quantile scan of its fine buckets; the sorts of
    high-cardinality columns are independent of both and of each other.
    """
    estimates = estimated_distinct(conn, table, rows)
    wanted = [c for c in cols if c.profile.count and c.kind in {"number", "datetime", "text"}]
    keyed = [c for c in wanted if estimates.get(c.spec.name, math.inf) <= LOW_CARDINALITY]
    many = [c for c in wanted if c not in keyed]
    fines = fine_buckets(many, bins)
    # Columns with infinities are sorted whole (rare): the fine buckets hold finite values.
    bracketed = [f for f in fines if not f.col.profile.infinities]

    def grouping(conn: sa.Connection) -> list[Task]:
        counted, all_fines = list(keyed), list(fines)
        while True:
            too_many = _grouping_scan(conn, table, [(c, _group_key(c)) for c in counted],
                                      all_fines, sql)  # fmt: skip
            if not too_many:
                break
            # The statistics were stale: these go the high-cardinality way, scan again.
            counted = [c for c in counted if c not in too_many]
            all_fines += fine_buckets(too_many, bins)
        for col in counted:
            _apply_value_counts(col, bins, top_k)
        for fine in all_fines:
            counts = np.add.reduceat(
                np.array(fine.counts), np.arange(0, len(fine.counts), FINE_SPLIT)
            )
            set_histogram(fine.col, fine.edges, [int(c) for c in counts])
        moved = [c for c in keyed if c not in counted]
        first = {id(f) for f in fines}
        more = [f for f in all_fines if id(f) not in first and not f.col.profile.infinities]
        scan = functools.partial(quantile_scan, table=table, fines=[*bracketed, *more])
        return [
            Task(_QUANTILE_PRIORITY, "quantiles on the server", scan),
            *_sorting_tasks(table, moved, more, top_values),
        ]

    if not keyed and not fines:
        return _sorting_tasks(table, many, bracketed, top_values)
    label = "counting values and histograms on the server"
    return [
        Task(_GROUPING_PRIORITY, label, grouping),
        *_sorting_tasks(table, many, bracketed, top_values),
    ]


def _group_key(col: PushedColumn) -> sa.ColumnElement[Any]:
    """What a low-cardinality column's values are counted by."""
    if col.kind == "text" and not isinstance(col.column.type, sa.Enum):
        # Deterministic collations compare equal exactly when bytes are equal; "C" makes
        # nondeterministic (case-insensitive) ones count as pandas does, by exact string.
        return sa.collate(col.value, "C")
    return col.exact
