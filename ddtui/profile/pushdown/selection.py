"""Exact order statistics of a column in bounded memory, where the database selects them
itself (DuckDB's quantile_disc).

Selecting a rank over a whole column holds every value of it in the aggregate's state
(measured: 700 MB for 30M doubles, outside DuckDB's memory limit). Instead:

1. One GROUP BY scan counts the column's values per fine bucket: FINE_BUCKETS equal
   slices of the finite values' range. A bucket is a monotone function of the value, so
   each holds a contiguous run of the sorted column.
2. Running counts over the buckets say which bucket holds each wanted rank, and where in
   it. A bucket holding more than MAX_SELECTED values (a spike, or one far outlier) is
   sliced again over its own range, by the same GROUP BY restricted to it (at most
   MAX_DEPTH times); a bucket of one repeated value needs no selection at all.
3. One scan selects the wanted positions inside those buckets only, found by their
   smallest and largest values: each aggregate holds one bucket's values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from ddtui.backends import SqlExpressions
from ddtui.backends.expressions import Expr, double_literal
from ddtui.profile.pushdown.columns import PushedColumn, ticks_of
from ddtui.profile.spec import QUANTILES
from ddtui.profile.values import order_positions

# Buckets per slice: the wanted ranks' buckets hold about 1/FINE_BUCKETS of a smooth
# column each; the GROUP BY stays a small hash table.
FINE_BUCKETS = 4096
# The most values one selection may hold (8 MB of doubles); a fuller bucket is sliced again...
MAX_SELECTED = 1_000_000
# ...up to this many times (values spread over hundreds of orders of magnitude would
# need a scan per few orders; past it, the bucket is selected among whatever its size).
MAX_DEPTH = 3


@dataclass(frozen=True)
class Slice:
    """The finite-or-not values of a column inside `where`, bucketed over [low, high]."""

    where: Expr  # the rows of this slice (every non-NULL value at the top)
    low: float
    high: float

    def bucket(self, ticks: Expr) -> Expr:
        """0-based fine bucket; infinities clamp to the ends, as they sort."""
        span = self.high - self.low
        scale = FINE_BUCKETS / span if span > 0 else 1.0
        raw = sa.func.floor((ticks - double_literal(self.low)) * double_literal(scale))
        return sa.func.least(sa.func.greatest(raw, 0), FINE_BUCKETS - 1)


@dataclass(frozen=True)
class Bucket:
    """What the GROUP BY found in one fine bucket."""

    key: int
    count: int
    low_ticks: float  # the bucket's smallest and largest values, as doubles
    high_ticks: float
    low: Any  # ...and as the column's own values
    high: Any


def _within(ticks: Expr, bucket: Bucket) -> Expr:
    """The rows of `bucket`: as buckets are monotone in the value, exactly those between
    its smallest and largest value (comparisons cost less than the bucket arithmetic, and
    let the database skip blocks by their min/max)."""
    low, high = (_bound(t) for t in (bucket.low_ticks, bucket.high_ticks))
    return ticks.between(low, high)


def _bound(ticks: float) -> Expr:
    if math.isfinite(ticks):
        return double_literal(ticks)
    return sa.literal(ticks, sa.Double())  # ±inf


def _ticks(col: PushedColumn, sql: SqlExpressions) -> Expr:
    """The double each value is bucketed by (microseconds for datetimes)."""
    return col.value if col.kind == "number" else sql.float_ticks(col.value)


def _selected(col: PushedColumn) -> Expr:
    """What ranks are selected among: an integer column by its integers (their order the
    doubles only coarsen), others by their values."""
    integers = col.kind == "number" and col.spec.is_integer
    return col.column if integers else col.value


def _count_query(
    table: sa.FromClause,
    col: PushedColumn,
    sql: SqlExpressions,
    part: Slice,
    edges: Sequence[float] | None = None,
) -> sa.Select[Any]:
    """Values per fine bucket with their extremes; with `edges`, per chart bin too (the
    1-based numpy.histogram bin of a finite value, NULL for infinities)."""
    ticks = _ticks(col, sql)
    cells = [part.bucket(ticks).label("k")]
    if edges is not None:
        finite = sql.is_finite(ticks) if col.kind == "number" else None
        chart_bin = sql.bucket(ticks, list(edges))
        cells.append((chart_bin if finite is None else sa.case((finite, chart_bin))).label("b"))
    cells += [ticks.label("t"), _selected(col).label("v")]
    # Grouped outside: the buckets' constants are parameters, which GROUP BY cannot hold.
    rows = sa.select(*cells).select_from(table).where(part.where).subquery("cells")
    keys = [rows.c.k, *([rows.c.b] if edges is not None else [])]
    return sa.select(
        *keys, sa.func.count(), sa.func.min(rows.c.t), sa.func.max(rows.c.t),
        sa.func.min(rows.c.v), sa.func.max(rows.c.v),
    ).group_by(*keys)  # fmt: skip


def _count_buckets(
    conn: sa.Connection,
    table: sa.Table,
    col: PushedColumn,
    sql: SqlExpressions,
    part: Slice,
    *,
    chart: list[int] | None = None,
) -> list[Bucket]:
    """The slice's fine buckets in order; with `chart` (a count per bin), the chart's
    histogram counted into it in the same scan."""
    edges = None if chart is None else col.stats["chart_edges"]
    merged: dict[int, Bucket] = {}
    for *keys, n, low_ticks, high_ticks, low, high in conn.execute(
        _count_query(table, col, sql, part, edges)
    ):
        if chart is not None and keys[1] is not None:
            chart[min(max(int(keys[1]), 1), len(chart)) - 1] += int(n)
        found = Bucket(int(keys[0]), int(n), float(low_ticks), float(high_ticks), low, high)
        seen = merged.get(found.key)
        merged[found.key] = found if seen is None else _merged(seen, found)
    return [merged[k] for k in sorted(merged)]


def _merged(a: Bucket, b: Bucket) -> Bucket:
    """One fine bucket counted in two chart bins (it straddles a bin edge)."""
    low = min((a.low_ticks, a.low), (b.low_ticks, b.low))
    high = max((a.high_ticks, a.high), (b.high_ticks, b.high))
    return Bucket(a.key, a.count + b.count, low[0], high[0], low[1], high[1])


@dataclass
class _Wanted:
    """Ranks still to find, inside one bucket of a slice: (rank in the column, position in
    the bucket), both 1-based."""

    part: Slice
    bucket: Bucket
    positions: dict[int, int]
    depth: int = 0  # how many times the column was sliced to find it


def _locate(
    buckets: Sequence[Bucket], part: Slice, ranks: dict[int, int], depth: int = 0
) -> list[_Wanted]:
    """The bucket of each rank (`ranks`: rank in the column -> position in the slice)."""
    upto = np.cumsum([b.count for b in buckets])
    found: dict[int, _Wanted] = {}
    for rank, position in ranks.items():
        i = int(np.searchsorted(upto, position))  # the first bucket reaching the position
        before = int(upto[i - 1]) if i else 0
        wanted = found.setdefault(i, _Wanted(part, buckets[i], {}, depth))
        wanted.positions[rank] = position - before
    return list(found.values())


def quantiles_and_histogram(
    conn: sa.Connection,
    table: sa.Table,
    col: PushedColumn,
    sql: SqlExpressions,
    edges: Sequence[float] | None,
    *,
    quartiles: bool,
) -> tuple[dict[int, Any], list[int] | None]:
    """The column's values at the ranks numpy interpolates between, by 1-based rank
    (unless not `quartiles`), and its chart's counts on `edges` (None without edges)."""
    chart = None if edges is None else [0] * (len(edges) - 1)
    col.stats["chart_edges"] = edges
    s = col.stats
    low, high = (s["min"], s["max"]) if col.kind == "datetime" else (s["fmin"], s["fmax"])
    ticks = _ticks(col, sql)
    if low is None or not math.isfinite(ticks_of(col, high) - ticks_of(col, low)):
        low = high = 0.0  # only infinities, or a range no double spans: one bucket per sign
    else:
        low, high = ticks_of(col, low), ticks_of(col, high)
    top = Slice(ticks.is_not(None), low, high)
    ranks = {r: r for r in order_positions(col.profile.count, QUANTILES)}
    buckets = _count_buckets(conn, table, col, sql, top, chart=chart)
    if not quartiles:
        return {}, chart
    pending = _locate(buckets, top, ranks)
    at_rank: dict[int, Any] = {}
    selections: list[_Wanted] = []
    while pending:
        wanted = pending.pop()
        b = wanted.bucket
        if b.low == b.high:  # one repeated value
            at_rank |= dict.fromkeys(wanted.positions, b.low)
        elif b.count > MAX_SELECTED and b.low_ticks < b.high_ticks and wanted.depth < MAX_DEPTH:
            part = Slice(_within(ticks, b), b.low_ticks, b.high_ticks)
            buckets = _count_buckets(conn, table, col, sql, part)
            pending += _locate(buckets, part, wanted.positions, wanted.depth + 1)
        else:
            selections.append(wanted)
    if selections:
        at_rank |= _select(conn, table, col, sql, selections)
    return at_rank, chart


def _select(
    conn: sa.Connection,
    table: sa.Table,
    col: PushedColumn,
    sql: SqlExpressions,
    selections: Sequence[_Wanted],
) -> dict[int, Any]:
    """The wanted positions inside their buckets, in one scan."""
    row = conn.execute(_select_query(table, col, sql, selections)).one()
    ranks = [r for wanted in selections for r in wanted.positions]
    return dict(zip(ranks, row, strict=True))


def _select_query(
    table: sa.FromClause, col: PushedColumn, sql: SqlExpressions, selections: Sequence[_Wanted]
) -> sa.Select[Any]:
    ticks, value = _ticks(col, sql), _selected(col)
    exprs: list[Expr] = []
    insides = [_within(ticks, wanted.bucket) for wanted in selections]
    for wanted, inside in zip(selections, insides, strict=True):
        size = wanted.bucket.count
        # Row ceil(f * size) for f = (k - 0.5) / size is row k, however f rounds.
        fractions = [(k - 0.5) / size for k in wanted.positions.values()]
        among = value if len(selections) == 1 else sa.case((inside, value))
        found = sql.order_statistics(among, fractions)
        assert found is not None  # planned only where the database selects
        exprs += found
    # The rows of the buckets first (comparisons), then each aggregate sees its own.
    return sa.select(*exprs).select_from(table).where(sa.or_(*insides))


def statements(
    table: sa.FromClause, col: PushedColumn, sql: SqlExpressions
) -> list[sa.Select[Any]]:
    """The two statements finding a column's order statistics, with stand-ins for what the
    first answers (values between 0 and 1,000, two ranks in bucket 0), to compile and show."""
    top = Slice(_ticks(col, sql).is_not(None), 0.0, 1000.0)
    bucket = Bucket(0, 1000, 0.0, 1.0, 0, 1)
    return [
        _count_query(table, col, sql, top, [0.0, 500.0, 1000.0]),
        _select_query(table, col, sql, [_Wanted(top, bucket, {250: 250, 251: 251})]),
    ]
