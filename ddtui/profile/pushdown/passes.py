"""Aggregate passes over the whole table, many columns per scan.

Pass 1 (one scan per batch of columns): counts, extremes, zeros, negatives, infinities,
string lengths, true counts, and mean and std of values too small to overflow the
database's float arithmetic. Pass 2, only for columns with huge values or infinities:
mean and std again, on values scaled by a power of two.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ddtui.backends import Backend, SqlExpressions
from ddtui.backends.expressions import Expr
from ddtui.profile.pushdown.columns import PushedColumn, batches
from ddtui.profile.pushdown.scaling import overflow_safe, power_of_two_scale, scaled
from ddtui.profile.pushdown.workers import Task
from ddtui.profile.summary import python_scalar
from ddtui.profile.values import (
    as_timestamp,
    timestamp_from_ticks,
)


def first_pass(col: PushedColumn, backend: Backend) -> dict[str, Expr]:
    """Aggregates that need one scan and no earlier result."""
    v, kind, sql = col.value, col.kind, backend.expressions
    exprs: dict[str, Expr] = {"count": sa.func.count(v)}
    if kind == "number":
        exact = col.column if col.spec.is_integer else v  # integers keep exact extremes
        finite = sql.is_finite(v)
        # Integers cannot overflow; other values above 2**500 (or infinite) make these
        # moot (a second pass redoes them scaled), and would make Postgres raise.
        moment = v if col.spec.is_integer else overflow_safe(v)
        exprs |= {
            "min": sa.func.min(exact),
            "max": sa.func.max(exact),
            "zeros": sql.flag_count(v == 0),
            "negatives": sql.flag_count(v < 0),
            "mean": sa.func.avg(moment),
            "std": sql.std(moment),
        }
        if finite is None:  # MySQL/MariaDB: every value is finite
            exprs |= {"fmin": sa.func.min(v), "fmax": sa.func.max(v)}
            exprs["max_abs"] = sa.func.max(sa.func.abs(v))
        # Postgres: the finite extremes are the extremes, unless those are infinite (rare):
        # see finite_extremes.
    elif kind == "datetime":
        exprs |= {
            "min": sa.func.min(v),
            "max": sa.func.max(v),
            # A sum, exact, divided on the client: AVG of a numeric keeps ~16 digits only.
            "epoch_sum": sa.func.sum(sql.epoch(v)),
        }
    elif kind == "binary" or (kind == "text" and not backend.capabilities.fine_buckets):
        # Postgres' char_length counts characters one by one, each time it is called:
        # pushdown/postgresql.py takes text lengths from its value counts or grouped values instead.
        length = sql.length(v, binary=kind == "binary")
        exprs |= {
            "min_length": sa.func.min(length),
            "mean_length": sa.func.avg(sql.double(length)),
            "max_length": sa.func.max(length),
        }
    elif kind == "boolean":
        exprs["trues"] = sql.flag_count(v)
    return exprs


def has_infinite_extreme(col: PushedColumn) -> bool:
    """Whether a Postgres number column's min or max is infinite (it then holds infinities)."""
    s = col.stats
    if col.kind != "number" or "fmin" in s or not s["count"]:
        return False
    return math.isinf(float(s["min"])) or math.isinf(float(s["max"]))


def finite_extremes_pass(col: PushedColumn, sql: SqlExpressions) -> dict[str, Expr]:
    """Infinities and the finite extremes, for columns whose extremes are infinite."""
    v, finite = col.value, sql.is_finite(col.value)
    assert finite is not None  # only Postgres stores infinities
    return {
        "infinities": sql.flag_count(sa.not_(finite)),
        "fmin": sa.func.min(sa.case((finite, v))),
        "fmax": sa.func.max(sa.case((finite, v))),
        "max_abs": sa.func.max(sa.case((finite, sa.func.abs(v)))),
    }


def finite_extremes(col: PushedColumn) -> None:
    """A Postgres number column without infinities: its finite extremes are its extremes."""
    s = col.stats
    if col.kind == "number" and "fmin" not in s and s["count"]:
        s["infinities"] = 0
        s["fmin"], s["fmax"] = float(s["min"]), float(s["max"])
        s["max_abs"] = max(abs(s["fmin"]), abs(s["fmax"]))


def needs_second_pass(col: PushedColumn) -> bool:
    """Whether pass 1 left out values of this number column from its mean and std."""
    if col.kind != "number" or not col.profile.count or col.spec.is_integer:
        return False
    return bool(col.profile.infinities) or power_of_two_scale(col.stats["max_abs"]) != 1.0


def second_pass(col: PushedColumn, sql: SqlExpressions) -> dict[str, Expr]:
    """Mean and std over every value, scaled by the first pass's largest magnitude."""
    scale = col.stats["scale"] = power_of_two_scale(col.stats.get("max_abs"))
    return {
        "mean": sa.func.avg(scaled(col.value, scale)),
        "std": sql.std(scaled(col.value, scale)),
    }


def run_pass(
    conn: sa.Connection, *, table: sa.Table, cols: Sequence[PushedColumn], build: Any
) -> None:
    """One SELECT of many aggregates over the table; results land in each column's stats."""
    wanted = [(col, key, expr) for col in cols for key, expr in build(col).items()]
    if not wanted:
        return
    row = conn.execute(sa.select(*(expr for _, _, expr in wanted)).select_from(table)).one()
    for (col, key, _), value in zip(wanted, row, strict=True):
        col.stats[key] = value


def apply_first(col: PushedColumn, sql: SqlExpressions) -> None:
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
        mean = Decimal(s["epoch_sum"]) * sql.micros_per_epoch_unit / p.count
        p.mean = timestamp_from_ticks(mean, col.spec.tz_aware)
    elif "min_length" in s:
        p.min_length, p.max_length = int(s["min_length"]), int(s["max_length"])
        p.mean_length = float(s["mean_length"])
    elif col.kind == "boolean":
        p.true_count = int(s["trues"])
        p.false_count = p.count - p.true_count
        p.distinct = (p.true_count > 0) + (p.false_count > 0)
        p.top_values = sorted([(True, p.true_count), (False, p.false_count)], key=lambda tv: -tv[1])
        p.top_values = [tv for tv in p.top_values if tv[1]]
        p.top, p.freq = p.top_values[0]


def moments(col: PushedColumn) -> None:
    """Mean and std from the scaled aggregates, overflowing to inf where pandas' would."""
    s, p = col.stats, col.profile
    scale, n = s.setdefault("scale", 1.0), p.count
    mean = python_scalar(float(s["mean"])) if s["mean"] is not None else None
    if mean is not None:
        total = mean * n * scale  # pandas sums first: when the sum overflows, so does its mean
        p.mean = total if math.isinf(total) else mean * scale
    var_std = python_scalar(float(s["std"])) if s["std"] is not None else None
    if var_std is not None and n > 1:
        squares = var_std * var_std * (n - 1) * scale * scale
        p.std = math.inf if math.isinf(squares) else var_std * scale


def pass_tasks(table: sa.Table, cols: Sequence[PushedColumn], build: Any, parts: int) -> list[Task]:
    """One aggregate scan per batch of columns, the columns dealt into `parts` scans.

    Each part is a scan of its own, on its own connection: columns are dealt by their
    number of aggregates (the per-row work), heaviest first, to the lightest part.
    """
    groups: list[list[PushedColumn]] = [[] for _ in range(min(parts, len(cols)) or 1)]
    weights = [0] * len(groups)
    for col in sorted(cols, key=lambda c: -len(build(c))):
        lightest = weights.index(min(weights))
        groups[lightest].append(col)
        weights[lightest] += len(build(col))
    order = {id(c): i for i, c in enumerate(cols)}
    return [
        Task(0, "counting values on the server",
             functools.partial(run_pass, table=table, cols=batch, build=build))
        for group in groups
        for batch in batches(sorted(group, key=lambda c: order[id(c)]))
    ]  # fmt: skip
