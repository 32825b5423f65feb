"""The "pushdown" strategy: the server computes every aggregate; rows never leave it.

Pass 1 (one scan per batch of columns): counts, extremes, zeros, negatives, infinities,
string lengths, true counts. Pass 2: mean and std (on values scaled by a power of two so
huge values cannot overflow the server's float arithmetic). Then per column, one
GROUP BY of the values gives the distinct count and, through a running count over the
sorted distinct values, the exact order statistics that numpy's linear interpolation
needs (this works on MySQL/MariaDB, which have no percentile_cont aggregate, and sorts
far less than COUNT(DISTINCT) plus percentile_cont); for text the same GROUP BY gives
the top values. A last GROUP BY per number or datetime column counts histogram bins.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa

from ddtui.profile.accumulate import QUANTILES, ColumnSpec, Settings
from ddtui.profile.control import Control
from ddtui.profile.models import ColumnProfile, Histogram
from ddtui.profile.pushdown_values import (
    as_timestamp,
    interpolate,
    iso_edges,
    order_positions,
    timestamp_from_ticks,
)
from ddtui.profile.sqlexpr import Expr, Flavour, flag_count, power_of_two_scale, scaled
from ddtui.profile.stream import as_records, read_tail, readable
from ddtui.profile.summary import histogram_edges, python_scalar, text_dtype

# Columns per aggregate query: Postgres allows 1664 select items, we use up to ~10 each.
BATCH_COLUMNS = 100


@dataclass
class _Column:
    """One column's expressions and what the passes found so far."""

    spec: ColumnSpec
    column: sa.Column[Any]
    value: Expr  # the value aggregates see: a double for numbers, the column otherwise
    profile: ColumnProfile
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.spec.kind


def _first_pass(col: _Column, flavour: Flavour) -> dict[str, Expr]:
    """Aggregates that need one scan and no earlier result."""
    v, kind = col.value, col.kind
    exprs: dict[str, Expr] = {"count": sa.func.count(v)}
    if kind == "number":
        exact = col.column if col.spec.is_integer else v  # integers keep exact extremes
        finite = flavour.is_finite(v)
        exprs |= {
            "min": sa.func.min(exact),
            "max": sa.func.max(exact),
            "zeros": flag_count(v == 0),
            "negatives": flag_count(v < 0),
        }
        if finite is None:
            exprs |= {"fmin": sa.func.min(v), "fmax": sa.func.max(v)}
            exprs["max_abs"] = sa.func.max(sa.func.abs(v))
        else:
            exprs |= {
                "infinities": flag_count(sa.not_(finite)),
                "fmin": sa.func.min(sa.case((finite, v))),
                "fmax": sa.func.max(sa.case((finite, v))),
                "max_abs": sa.func.max(sa.case((finite, sa.func.abs(v)))),
            }
    elif kind == "datetime":
        ticks = flavour.ticks(v)
        exprs |= {
            "min": sa.func.min(v),
            "max": sa.func.max(v),
            "mean_ticks": sa.func.avg(ticks),
            "min_ticks": sa.func.min(ticks),
            "max_ticks": sa.func.max(ticks),
        }
    elif kind in {"text", "binary"}:
        length = flavour.length(v, binary=kind == "binary")
        exprs |= {
            "min_length": sa.func.min(length),
            "mean_length": sa.func.avg(flavour.double(length)),
            "max_length": sa.func.max(length),
        }
    elif kind == "boolean":
        exprs["trues"] = flag_count(v)
    return exprs


def _second_pass(col: _Column, flavour: Flavour) -> dict[str, Expr]:
    """Mean, std and (Postgres) quantiles, which need the first pass's extremes."""
    if not col.profile.count:
        return {}
    if col.kind == "number":
        scale = col.stats["scale"] = power_of_two_scale(col.stats.get("max_abs"))
        return {
            "mean": sa.func.avg(scaled(col.value, scale)),
            "std": sa.func.stddev_samp(scaled(col.value, scale)),
        }
    return {}


def _batches(items: Sequence[_Column], size: int = BATCH_COLUMNS) -> Iterator[Sequence[_Column]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _run_pass(conn: sa.Connection, table: sa.Table, cols: Sequence[_Column], build: Any) -> None:
    """One SELECT of many aggregates over the table; results land in each column's stats."""
    wanted = [(col, key, expr) for col in cols for key, expr in build(col).items()]
    if not wanted:
        return
    row = conn.execute(sa.select(*(expr for _, _, expr in wanted)).select_from(table)).one()
    for (col, key, _), value in zip(wanted, row, strict=True):
        col.stats[key] = value


def _apply_first(col: _Column) -> None:
    """Copy first-pass results into the profile."""
    s, p = col.stats, col.profile
    p.count = int(s["count"])
    p.distinct = int(s["distinct"]) if "distinct" in s else p.distinct
    if not p.count:
        p.distinct = None if col.kind in {"binary", "other"} else 0
        if col.kind == "boolean":
            p.true_count = p.false_count = 0
        return
    if col.kind == "number":
        p.min, p.max = python_scalar(s["min"]), python_scalar(s["max"])
        if not col.spec.is_integer:
            p.min, p.max = float(p.min), float(p.max)
        p.zeros, p.negatives = int(s["zeros"]), int(s["negatives"])
        p.infinities = int(s.get("infinities", 0))
    elif col.kind == "datetime":
        p.min, p.max = as_timestamp(s["min"]), as_timestamp(s["max"])
        p.mean = timestamp_from_ticks(s["mean_ticks"], col.spec.tz_aware)
    elif col.kind in {"text", "binary"}:
        p.min_length, p.max_length = int(s["min_length"]), int(s["max_length"])
        p.mean_length = float(s["mean_length"])
    elif col.kind == "boolean":
        p.true_count = int(s["trues"])
        p.false_count = p.count - p.true_count
        p.distinct = (p.true_count > 0) + (p.false_count > 0)
        p.top_values = sorted([(True, p.true_count), (False, p.false_count)], key=lambda tv: -tv[1])
        p.top_values = [tv for tv in p.top_values if tv[1]]
        p.top, p.freq = p.top_values[0]


def _moments(col: _Column) -> None:
    """Mean and std from the scaled aggregates, overflowing to inf where pandas' would."""
    s, p = col.stats, col.profile
    scale, n = s["scale"], p.count
    mean = python_scalar(float(s["mean"])) if s["mean"] is not None else None
    if mean is not None:
        total = mean * n * scale  # pandas sums first: when the sum overflows, so does its mean
        p.mean = total if math.isinf(total) else mean * scale
    var_std = python_scalar(float(s["std"])) if s["std"] is not None else None
    if var_std is not None and n > 1:
        squares = var_std * var_std * (n - 1) * scale * scale
        p.std = math.inf if math.isinf(squares) else var_std * scale


def _distinct_and_quantiles(conn: sa.Connection, table: sa.Table, col: _Column) -> None:
    """Distinct count and the order statistics numpy interpolates between, in one query.

    The values are grouped (a hash aggregate, which the server can run in parallel) and
    only the distinct values are sorted for the running count, instead of sorting the
    whole column once for COUNT(DISTINCT) and again for each percentile.
    """
    p = col.profile
    ranks = sorted(order_positions(p.count, QUANTILES))
    values = (
        sa.select(col.value.label("v")).select_from(table).where(col.value.is_not(None))
    ).subquery("vals")
    groups = sa.select(values.c.v, sa.func.count().label("n")).group_by(values.c.v).subquery("grp")
    running = sa.select(
        groups.c.v,
        groups.c.n,
        sa.func.sum(groups.c.n).over(order_by=groups.c.v).label("upto"),
        sa.func.count().over().label("d"),
    ).subquery("run")
    hits = [sa.and_(running.c.upto - running.c.n < r, running.c.upto >= r) for r in ranks]
    stmt = sa.select(running.c.v, running.c.upto, running.c.n, running.c.d).where(sa.or_(*hits))
    found = [(v, int(upto), int(n), int(d)) for v, upto, n, d in conn.execute(stmt)]
    p.distinct = found[0][3]
    at_rank = {r: v for r in ranks for v, upto, n, _ in found if upto - n < r <= upto}
    if col.kind == "number":
        numbers = {r: float(v) for r, v in at_rank.items()}
        p.q25, p.q50, p.q75 = (interpolate(numbers, p.count, q) for q in QUANTILES)
    else:
        ticks = {r: as_timestamp(v).value / 1000 for r, v in at_rank.items()}
        p.q25, p.q50, p.q75 = (
            timestamp_from_ticks(interpolate(ticks, p.count, q), col.spec.tz_aware)
            for q in QUANTILES
        )


def _histogram(
    conn: sa.Connection, table: sa.Table, col: _Column, flavour: Flavour, bins: int
) -> None:
    """numpy.histogram of the finite values (or of the ticks of a datetime column)."""
    s, p = col.stats, col.profile
    if col.kind == "number":
        low, high, value = s["fmin"], s["fmax"], col.value
        finite = flavour.is_finite(value)
    else:
        low, high = s["min_ticks"], s["max_ticks"]
        value, finite = flavour.float_ticks(col.value), None
    if low is None:
        return  # only infinities
    low, high = float(low), float(high)
    edges = histogram_edges(low, high, bins)
    if np.any(edges[:-1] >= edges[1:]):  # the range is too narrow for `bins` floats
        edges = np.array([low, high])
    bucket = flavour.bucket(value, [float(e) for e in edges])
    where = value.is_not(None) if finite is None else sa.and_(value.is_not(None), finite)
    sub = sa.select(bucket.label("b")).select_from(table).where(where).subquery()
    counts = [0] * (len(edges) - 1)
    for b, n in conn.execute(sa.select(sub.c.b, sa.func.count()).group_by(sub.c.b)):
        counts[min(max(int(b), 1), len(counts)) - 1] += int(n)
    if col.kind == "number":
        p.histogram = Histogram(edges=[float(e) for e in edges], counts=counts)
    else:
        p.histogram = Histogram(edges=iso_edges(edges, col.spec.tz_aware), counts=counts)


def _distinct_and_top_values(
    conn: sa.Connection, table: sa.Table, col: _Column, flavour: Flavour, top_k: int
) -> None:
    """Distinct count and the k most frequent values (ties by value), grouped by bytes."""
    values = (
        sa.select(flavour.text_key(col.value).label("k"), col.value.label("v"))
        .select_from(table)
        .where(col.value.is_not(None))
    ).subquery("vals")
    groups = (
        sa.select(values.c.k, sa.func.min(values.c.v).label("v"), sa.func.count().label("n"))
        .group_by(values.c.k)
        .subquery("grp")
    )
    stmt = (
        sa.select(groups.c.v, groups.c.n, sa.func.count().over().label("d"))
        .order_by(groups.c.n.desc(), groups.c.k)
        .limit(max(top_k, 1))
    )
    p = col.profile
    rows = conn.execute(stmt).all()
    p.distinct = int(rows[0][2])
    p.top_values = [(value, int(count)) for value, count, _ in rows][:top_k]
    if p.top_values:
        p.top, p.freq = p.top_values[0]


def _pandas_dtype(col: _Column) -> str:
    """The dtype pandas.read_sql_table would give the column."""
    kind, p = col.kind, col.profile
    if kind == "number":
        return "int64" if col.spec.is_integer and not p.missing else "float64"
    if kind == "datetime":
        return "datetime64[us, UTC]" if col.spec.tz_aware else "datetime64[us]"
    if kind == "boolean":
        return "bool" if not p.missing else "object"
    return text_dtype(True) if kind == "text" else "object"


def pushdown_profile(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    specs: Sequence[ColumnSpec],
    *,
    settings: Settings,
    control: Control,
    rows: int,
    head_rows: int,
) -> tuple[list[ColumnProfile], list[dict[str, Any]], list[dict[str, Any]]]:
    """Profile the columns with server-side aggregates; return profiles, head and tail."""
    flavour = Flavour(postgres=conn.dialect.name == "postgresql")
    cols = [
        _Column(
            spec=spec,
            column=column,
            value=flavour.number(column) if spec.kind == "number" else column,
            profile=ColumnProfile(spec.name, spec.kind, spec.db_type, "", 0, 0, None),
        )
        for spec, column in zip(specs, columns, strict=True)
    ]
    batches = list(_batches(cols))
    for i, batch in enumerate(batches):
        control.report(0.3 * i / len(batches), "counting values on the server")
        _run_pass(conn, table, batch, lambda c: _first_pass(c, flavour))
    for col in cols:
        _apply_first(col)
        col.profile.missing = rows - col.profile.count
        col.profile.pandas_dtype = _pandas_dtype(col)
    for i, batch in enumerate(batches):
        control.report(0.3 + 0.2 * i / len(batches), "mean and std on the server")
        _run_pass(conn, table, batch, lambda c: _second_pass(c, flavour))
        for col in batch:
            if col.kind == "number" and col.profile.count:
                _moments(col)
    for i, col in enumerate(cols):
        control.report(
            0.5 + 0.45 * i / len(cols), f"distinct values and histogram of {col.spec.name}"
        )
        if not col.profile.count:
            continue
        if col.kind in {"number", "datetime"}:
            _distinct_and_quantiles(conn, table, col)
            _histogram(conn, table, col, flavour, settings.bins)
        elif col.kind == "text":
            _distinct_and_top_values(conn, table, col, flavour, settings.top_k)
    control.report(0.95, "head and tail")
    head = conn.execute(sa.select(*readable(columns)).select_from(table).limit(head_rows)).all()
    tail = read_tail(conn, table, columns, rows, head_rows)
    return [c.profile for c in cols], as_records(head, columns, [None] * len(columns)), tail
