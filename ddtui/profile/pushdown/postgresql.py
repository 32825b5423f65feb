"""PostgreSQL's distinct counts, quantiles and histograms, with as few sorts as possible.

Sorting a column is what costs (seconds per million rows), so each column is sorted
at most once, for its exact distinct count, and only when it has many distinct values:

- One scan (GROUPING SETS, one small hash table per column) counts each value of the
  columns the planner's statistics call low-cardinality, and counts the values of every
  other number or datetime column in fine buckets: each histogram bin split in
  FINE_SPLIT. Value counts give those columns' distinct count, quantiles, histogram and
  top values on the client; fine buckets give the histogram and tell in which bucket
  each order statistic numpy interpolates between lies, and how many values precede it.
- One more scan sorts only the values of those buckets to pick the order statistics.
- COUNT(DISTINCT) per high-cardinality column: the one full sort left.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ddtui.backends import SqlExpressions
from ddtui.backends.watchdog import watched_rows
from ddtui.profile.models import FEW_VALUES, Histogram
from ddtui.profile.pushdown.columns import PushedColumn, few_numbers, finite_edges, ticks_of
from ddtui.profile.pushdown.workers import Task
from ddtui.profile.streaming.accumulate import QUANTILES
from ddtui.profile.values import (
    datetime_from_micros,
    interpolate,
    iso_edges,
    order_positions,
    timestamp_from_ticks,
)

# Sub-buckets per histogram bin: an order statistic's bucket holds about 1/(bins *
# FINE_SPLIT) of a smooth column's values, so the quantile scan sorts thousands of values,
# not millions. More buckets would cost more per row (a longer binary search, larger
# hash tables) than they save there.
FINE_SPLIT = 32
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


@dataclass
class _Fine:
    """A high-cardinality number or datetime column's fine buckets."""

    col: PushedColumn
    edges: np.ndarray  # numpy.histogram's edges (ticks for datetimes)
    thresholds: list[Any]  # bucket lower bounds, as values comparable with the column
    counts: list[int] = field(default_factory=list)  # per fine bucket


def _fine_thresholds(col: PushedColumn, edges: np.ndarray) -> list[Any]:
    """FINE_SPLIT ascending thresholds per bin, numpy's edges among them."""
    parts = [
        np.clip(np.linspace(a, b, FINE_SPLIT + 1)[:-1], a, b) for a, b in itertools.pairwise(edges)
    ]
    fine = np.maximum.accumulate(np.concatenate([*parts, edges[-1:]]))
    if col.kind != "datetime":
        return [float(t) for t in fine]
    # Whole microseconds: ticks >= t exactly when ticks >= ceil(t), so comparing timestamps
    # with these gives numpy's bins of the ticks without computing ticks row by row.
    return [datetime_from_micros(math.ceil(t), col.spec.tz_aware) for t in fine]


def _array(col: PushedColumn, values: Sequence[Any]) -> sa.ColumnElement[Any]:
    """One array parameter (dozens of separate binds per column compile slowly)."""
    if col.kind == "datetime":
        item: Any = postgresql.TIMESTAMP(timezone=col.spec.tz_aware)
    else:
        item = postgresql.DOUBLE_PRECISION
    return sa.cast(sa.bindparam(None, list(values), postgresql.ARRAY(item)), postgresql.ARRAY(item))


def _fine_bucket(fine: _Fine, sql: SqlExpressions) -> sa.ColumnElement[Any]:
    """1-based fine bucket of the column's finite value (the maximum's is one past the last).

    NULL for missing values: no least() to clamp it, which would turn NULL into a bucket.
    """
    col = fine.col
    bucket = sa.func.width_bucket(col.value, _array(col, fine.thresholds))
    finite = sql.is_finite(col.value) if col.profile.infinities else None
    return bucket if finite is None else sa.case((finite, bucket))


def _grouping_scan(
    conn: sa.Connection,
    table: sa.Table,
    keyed: Sequence[tuple[PushedColumn, sa.ColumnElement[Any]]],
    fines: Sequence[_Fine],
    sql: SqlExpressions,
) -> list[PushedColumn]:
    """Value counts of `keyed` columns and fine bucket counts of `fines`, in one scan.

    Returns the keyed columns with more values than MAX_COUNTED_VALUES (the statistics
    were stale); their value counts are left unset.
    """
    exprs = [key for _, key in keyed]
    exprs += [_fine_bucket(f, sql) for f in fines]
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
    _set_quantiles(col, {r: float(v) for r, v in at_rank.items()})
    edges = finite_edges(col, bins)
    if edges is None:
        return
    finite = np.isfinite(ticks)
    where = np.searchsorted(edges, ticks[finite], side="right") - 1
    binned = np.bincount(np.minimum(where, len(edges) - 2), weights[finite], len(edges) - 1)
    _set_histogram(col, edges, [int(c) for c in binned])


def _set_quantiles(col: PushedColumn, at_rank: dict[int, float]) -> None:
    """q25/q50/q75 by numpy's linear interpolation of the order statistics by rank."""
    p = col.profile
    if col.kind == "number":
        p.q25, p.q50, p.q75 = (interpolate(at_rank, p.count, q) for q in QUANTILES)
    else:
        p.q25, p.q50, p.q75 = (
            timestamp_from_ticks(interpolate(at_rank, p.count, q), col.spec.tz_aware)
            for q in QUANTILES
        )


def _set_histogram(col: PushedColumn, edges: np.ndarray, counts: list[int]) -> None:
    if col.kind == "number":
        col.profile.histogram = Histogram(edges=[float(e) for e in edges], counts=counts)
    else:
        col.profile.histogram = Histogram(edges=iso_edges(edges, col.spec.tz_aware), counts=counts)


def _rank_buckets(fine: _Fine, ranks: set[int]) -> dict[int, tuple[int, dict[int, int]]]:
    """Fine bucket -> (its value count, {rank: position within the bucket})."""
    upto = np.cumsum(fine.counts)
    found: dict[int, tuple[int, dict[int, int]]] = {}
    for r in sorted(ranks):
        b = int(np.searchsorted(upto, r))  # the first bucket whose running count reaches r
        before = int(upto[b - 1]) if b else 0
        found.setdefault(b, (fine.counts[b], {}))[1][r] = r - before
    return found


def _quantile_scan(conn: sa.Connection, *, table: sa.Table, fines: Sequence[_Fine]) -> None:
    """The order statistics of every column in `fines`, sorting only their fine buckets."""
    picks: list[tuple[_Fine, list[int]]] = []
    aggregates: list[sa.ColumnElement[Any]] = []
    for fine in fines:
        col, t = fine.col, fine.thresholds
        ranks_of_column = order_positions(col.profile.count, QUANTILES)
        for b, (size, positions) in _rank_buckets(fine, ranks_of_column).items():
            inside = col.value >= _literal(col, t[b])
            if b + 1 < len(t) - 1:  # the last bucket also holds the maximum
                inside = sa.and_(inside, col.value < _literal(col, t[b + 1]))
            ranks = sorted(positions)
            # percentile_disc(f) is the value at row ceil(f * size): f = (k - 0.5) / size is k.
            fractions = [(positions[r] - 0.5) / size for r in ranks]
            aggregates.append(
                sa.func.percentile_disc(_fractions(fractions))
                .within_group(col.value)
                .filter(inside)
            )
            picks.append((fine, ranks))
    if not aggregates:
        return
    row = conn.execute(sa.select(*aggregates).select_from(table)).one()
    at_rank: dict[int, dict[int, float]] = {id(f): {} for f in fines}
    for (fine, ranks), values in zip(picks, row, strict=True):
        for r, v in zip(ranks, values, strict=True):
            at_rank[id(fine)][r] = ticks_of(fine.col, v)
    for fine in fines:
        _set_quantiles(fine.col, at_rank[id(fine)])


def _literal(col: PushedColumn, value: Any) -> sa.ColumnElement[Any]:
    if col.kind == "datetime":
        return sa.literal(value, postgresql.TIMESTAMP(timezone=col.spec.tz_aware))
    return sa.literal(value, postgresql.DOUBLE_PRECISION)


def _fractions(fractions: Sequence[float]) -> sa.ColumnElement[Any]:
    array = postgresql.ARRAY(postgresql.DOUBLE_PRECISION)
    return sa.cast(sa.bindparam(None, list(fractions), array), array)


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
            sa.func.percentile_disc(_fractions([(r - 0.5) / n for r in ranks])).within_group(
                col.column if integers else col.value
            )
        )
    row = conn.execute(sa.select(*exprs).select_from(table)).one()
    col.profile.distinct = int(row[0])
    if quantiles:
        _set_quantiles(col, {r: ticks_of(col, v) for r, v in zip(ranks, row[1], strict=True)})
    if col.kind == "number" and col.profile.distinct <= FEW_VALUES:
        # The statistics guessed many values: one more scan, grouped into a few.
        value = col.exact
        stmt = sa.select(value, sa.func.count()).where(value.is_not(None)).group_by(value)
        counts = [(v, int(n)) for v, n in conn.execute(stmt.select_from(table))]
        col.profile.value_counts = few_numbers(counts)


def _fines(cols: Sequence[PushedColumn], bins: int) -> list[_Fine]:
    """Fine buckets of the number and datetime columns with finite values."""
    fines = []
    for col in cols:
        edges = finite_edges(col, bins) if col.kind != "text" else None
        if edges is not None:
            fines.append(_Fine(col, edges, _fine_thresholds(col, edges)))
    return fines


def _sorting_tasks(
    table: sa.Table,
    many: Sequence[PushedColumn],
    bracketed: Sequence[_Fine],
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
    fines = _fines(many, bins)
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
            all_fines += _fines(too_many, bins)
        for col in counted:
            _apply_value_counts(col, bins, top_k)
        for fine in all_fines:
            counts = np.add.reduceat(
                np.array(fine.counts), np.arange(0, len(fine.counts), FINE_SPLIT)
            )
            _set_histogram(fine.col, fine.edges, [int(c) for c in counts])
        moved = [c for c in keyed if c not in counted]
        first = {id(f) for f in fines}
        more = [f for f in all_fines if id(f) not in first and not f.col.profile.infinities]
        scan = functools.partial(_quantile_scan, table=table, fines=[*bracketed, *more])
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
