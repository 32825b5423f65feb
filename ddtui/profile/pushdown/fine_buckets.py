"""PostgreSQL's fine buckets: each histogram bin of a high-cardinality number or datetime
column split in FINE_SPLIT, counted in the grouping scan (`pushdown/postgresql.py`). The
counts give the histogram and say in which bucket each order statistic lies, and how many
values precede it; one more scan then sorts only those buckets to pick the order statistics.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ddtui.backends import SqlExpressions
from ddtui.profile.pushdown.columns import (
    PushedColumn,
    finite_edges,
    set_quantiles,
    ticks_of,
)
from ddtui.profile.streaming.accumulate import QUANTILES
from ddtui.profile.values import (
    datetime_from_micros,
    order_positions,
)

# Sub-buckets per histogram bin: an order statistic's bucket holds about 1/(bins *
# FINE_SPLIT) of a smooth column's values, so the quantile scan sorts thousands of values,
# not millions. More buckets would cost more per row (a longer binary search, larger
# hash tables) than they save there.
FINE_SPLIT = 32


@dataclass
class FineBuckets:
    """A high-cardinality number or datetime column's fine buckets."""

    col: PushedColumn
    edges: np.ndarray  # numpy.histogram's edges (ticks for datetimes)
    thresholds: list[Any]  # bucket lower bounds, as values comparable with the column
    counts: list[int] = field(default_factory=list)  # per fine bucket


def _thresholds(col: PushedColumn, edges: np.ndarray) -> list[Any]:
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


def fine_bucket(fine: FineBuckets, sql: SqlExpressions) -> sa.ColumnElement[Any]:
    """1-based fine bucket of the column's finite value (the maximum's is one past the last).

    NULL for missing values: no least() to clamp it, which would turn NULL into a bucket.
    """
    col = fine.col
    bucket = sa.func.width_bucket(col.value, _array(col, fine.thresholds))
    finite = sql.is_finite(col.value) if col.profile.infinities else None
    return bucket if finite is None else sa.case((finite, bucket))


def _rank_buckets(fine: FineBuckets, ranks: set[int]) -> dict[int, tuple[int, dict[int, int]]]:
    """Fine bucket -> (its value count, {rank: position within the bucket})."""
    upto = np.cumsum(fine.counts)
    found: dict[int, tuple[int, dict[int, int]]] = {}
    for r in sorted(ranks):
        b = int(np.searchsorted(upto, r))  # the first bucket whose running count reaches r
        before = int(upto[b - 1]) if b else 0
        found.setdefault(b, (fine.counts[b], {}))[1][r] = r - before
    return found


def quantile_scan(conn: sa.Connection, *, table: sa.Table, fines: Sequence[FineBuckets]) -> None:
    """The order statistics of every column in `fines`, sorting only their fine buckets."""
    picks: list[tuple[FineBuckets, list[int]]] = []
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
                sa.func.percentile_disc(fractions_array(fractions))
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
        set_quantiles(fine.col, at_rank[id(fine)])


def _literal(col: PushedColumn, value: Any) -> sa.ColumnElement[Any]:
    if col.kind == "datetime":
        return sa.literal(value, postgresql.TIMESTAMP(timezone=col.spec.tz_aware))
    return sa.literal(value, postgresql.DOUBLE_PRECISION)


def fractions_array(fractions: Sequence[float]) -> sa.ColumnElement[Any]:
    array = postgresql.ARRAY(postgresql.DOUBLE_PRECISION)
    return sa.cast(sa.bindparam(None, list(fractions), array), array)


def fine_buckets(cols: Sequence[PushedColumn], bins: int) -> list[FineBuckets]:
    """Fine buckets of the number and datetime columns with finite values."""
    fines = []
    for col in cols:
        edges = finite_edges(col, bins) if col.kind != "text" else None
        if edges is not None:
            fines.append(FineBuckets(col, edges, _thresholds(col, edges)))
    return fines
