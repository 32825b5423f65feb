"""A column being pushed down: its SQL value, what the queries found, its pandas dtype."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa

from ddtui.backends.expressions import Expr
from ddtui.profile.bins import histogram_edges
from ddtui.profile.models import ColumnProfile, Histogram
from ddtui.profile.spec import QUANTILES, ColumnSpec
from ddtui.profile.summary import text_dtype
from ddtui.profile.values import (
    interpolate,
    iso_edges,
    micros_since_epoch,
    timestamp_from_ticks,
)

# Columns per aggregate query: Postgres allows 1664 select items, we use up to ~10 each.
BATCH_COLUMNS = 100


@dataclass
class PushedColumn:
    """One column's expressions and what the queries found so far."""

    spec: ColumnSpec
    column: sa.Column[Any]
    value: Expr  # the value aggregates see: a double for numbers, the column otherwise
    profile: ColumnProfile
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def exact(self) -> Expr:
        """What tells the values apart as pandas does (once pass 1 counted the missing):
        an integer column without NULLs (int64 to pandas) by its integers, which doubles
        (`value`) merge beyond 2**53."""
        if self.kind == "number" and self.spec.is_integer and not self.profile.missing:
            return self.column
        return self.value


def batches(
    items: Sequence[PushedColumn], size: int = BATCH_COLUMNS
) -> Iterator[Sequence[PushedColumn]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def padded(col: PushedColumn, key: Expr) -> Expr:
    """A Postgres text key as pandas gets its value: CHAR(n) padded to n (char_length and
    casts to text drop the padding; its output function keeps it)."""
    if isinstance(col.column.type, sa.CHAR):
        return sa.func.format("%s", key)
    return key


def pandas_dtype(col: PushedColumn) -> str:
    """The dtype pandas.read_sql_table would give the column."""
    kind, p = col.kind, col.profile
    if kind == "number":
        return "int64" if col.spec.is_integer and not p.missing else "float64"
    if kind == "datetime":
        return "datetime64[us, UTC]" if col.spec.tz_aware else "datetime64[us]"
    if kind == "boolean":
        return "bool" if not p.missing else "object"
    return text_dtype(True) if kind == "text" else "object"


def ticks_of(col: PushedColumn, value: Any) -> float:
    return float(micros_since_epoch(value)) if col.kind == "datetime" else float(value)


def finite_edges(col: PushedColumn, bins: int) -> np.ndarray | None:
    """Round or calendar bin edges (ddtui.profile.bins) over the finite values, None if
    there are none."""
    s = col.stats
    low, high = (s["min"], s["max"]) if col.kind == "datetime" else (s["fmin"], s["fmax"])
    if low is None:
        return None  # only infinities
    low, high = ticks_of(col, low), ticks_of(col, high)
    edges = histogram_edges(low, high, bins, dates=col.kind == "datetime")
    if np.any(edges[:-1] >= edges[1:]):  # the range is too narrow for `bins` floats
        edges = np.array([low, high])
    return edges


def few_numbers(counts: Sequence[tuple[Any, int]]) -> list[tuple[Any, int]]:
    """Value counts of a number column in value order, as plain ints and floats (NaN is
    missing to pandas: left out)."""
    plain = [(v if isinstance(v, int) else float(v), n) for v, n in counts]
    return sorted((v, n) for v, n in plain if v == v)  # noqa: PLR0124  (NaN != NaN)


def set_quantiles(col: PushedColumn, at_rank: dict[int, float]) -> None:
    """q25/q50/q75 by numpy's linear interpolation of the order statistics by rank."""
    p = col.profile
    if col.kind == "number":
        p.q25, p.q50, p.q75 = (interpolate(at_rank, p.count, q) for q in QUANTILES)
    else:
        p.q25, p.q50, p.q75 = (
            timestamp_from_ticks(interpolate(at_rank, p.count, q), col.spec.tz_aware)
            for q in QUANTILES
        )


def set_histogram(col: PushedColumn, edges: np.ndarray, counts: list[int]) -> None:
    if col.kind == "number":
        col.profile.histogram = Histogram(edges=[float(e) for e in edges], counts=counts)
    else:
        col.profile.histogram = Histogram(edges=iso_edges(edges, col.spec.tz_aware), counts=counts)
