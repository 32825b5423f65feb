"""The "pushdown" strategy: the server computes every aggregate; rows never leave it.

Pass 1 (one scan per batch of columns): counts, extremes, zeros, negatives, infinities,
string lengths, true counts, and mean and std of values too small to overflow the
server's float arithmetic. Pass 2, only for columns with huge values or infinities:
mean and std again, on values scaled by a power of two.

On PostgreSQL, distinct counts, quantiles, histograms and top values come from
pushdown_pg (few scans, at most one sort per column). On MySQL/MariaDB, which have no
percentile aggregate, one GROUP BY of the values per column gives the distinct count
and, through a running count over the sorted distinct values, the exact order
statistics that numpy's linear interpolation needs; for text the same GROUP BY gives
the top values. A last GROUP BY per number or datetime column counts histogram bins.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ddtui.backends import Backend, SqlExpressions, backend_for
from ddtui.backends.expressions import Expr
from ddtui.profile.accumulate import QUANTILES, ColumnSpec, Settings
from ddtui.profile.control import Control
from ddtui.profile.models import ColumnProfile, Histogram
from ddtui.profile.pushdown_pg import distinct_quantiles_histograms, finite_edges
from ddtui.profile.pushdown_values import (
    as_timestamp,
    interpolate,
    iso_edges,
    order_positions,
    timestamp_from_ticks,
)
from ddtui.profile.pushdown_workers import Task, workers
from ddtui.profile.sqlexpr import (
    overflow_safe,
    power_of_two_scale,
    scaled,
)
from ddtui.profile.stream import read_ends
from ddtui.profile.summary import python_scalar, text_dtype

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


def _first_pass(col: PushedColumn, backend: Backend) -> dict[str, Expr]:
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
        # see _finite_extremes.
    elif kind == "datetime":
        exprs |= {
            "min": sa.func.min(v),
            "max": sa.func.max(v),
            # A sum, exact, divided on the client: AVG of a numeric keeps ~16 digits only.
            "epoch_sum": sa.func.sum(sql.epoch(v)),
        }
    elif kind == "binary" or (kind == "text" and not backend.capabilities.fine_buckets):
        # Postgres' char_length counts characters one by one, each time it is called:
        # pushdown_pg takes text lengths from its value counts or grouped values instead.
        length = sql.length(v, binary=kind == "binary")
        exprs |= {
            "min_length": sa.func.min(length),
            "mean_length": sa.func.avg(sql.double(length)),
            "max_length": sa.func.max(length),
        }
    elif kind == "boolean":
        exprs["trues"] = sql.flag_count(v)
    return exprs


def _has_infinite_extreme(col: PushedColumn) -> bool:
    """Whether a Postgres number column's min or max is infinite (it then holds infinities)."""
    s = col.stats
    if col.kind != "number" or "fmin" in s or not s["count"]:
        return False
    return math.isinf(float(s["min"])) or math.isinf(float(s["max"]))


def _finite_extremes_pass(col: PushedColumn, sql: SqlExpressions) -> dict[str, Expr]:
    """Infinities and the finite extremes, for columns whose extremes are infinite."""
    v, finite = col.value, sql.is_finite(col.value)
    assert finite is not None  # only Postgres stores infinities
    return {
        "infinities": sql.flag_count(sa.not_(finite)),
        "fmin": sa.func.min(sa.case((finite, v))),
        "fmax": sa.func.max(sa.case((finite, v))),
        "max_abs": sa.func.max(sa.case((finite, sa.func.abs(v)))),
    }


def _finite_extremes(col: PushedColumn) -> None:
    """A Postgres number column without infinities: its finite extremes are its extremes."""
    s = col.stats
    if col.kind == "number" and "fmin" not in s and s["count"]:
        s["infinities"] = 0
        s["fmin"], s["fmax"] = float(s["min"]), float(s["max"])
        s["max_abs"] = max(abs(s["fmin"]), abs(s["fmax"]))


def _needs_second_pass(col: PushedColumn) -> bool:
    """Whether pass 1 left out values of this number column from its mean and std."""
    if col.kind != "number" or not col.profile.count or col.spec.is_integer:
        return False
    return bool(col.profile.infinities) or power_of_two_scale(col.stats["max_abs"]) != 1.0


def _second_pass(col: PushedColumn, sql: SqlExpressions) -> dict[str, Expr]:
    """Mean and std over every value, scaled by the first pass's largest magnitude."""
    scale = col.stats["scale"] = power_of_two_scale(col.stats.get("max_abs"))
    return {
        "mean": sa.func.avg(scaled(col.value, scale)),
        "std": sql.std(scaled(col.value, scale)),
    }


def _batches(
    items: Sequence[PushedColumn], size: int = BATCH_COLUMNS
) -> Iterator[Sequence[PushedColumn]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _run_pass(
    conn: sa.Connection, *, table: sa.Table, cols: Sequence[PushedColumn], build: Any
) -> None:
    """One SELECT of many aggregates over the table; results land in each column's stats."""
    wanted = [(col, key, expr) for col in cols for key, expr in build(col).items()]
    if not wanted:
        return
    row = conn.execute(sa.select(*(expr for _, _, expr in wanted)).select_from(table)).one()
    for (col, key, _), value in zip(wanted, row, strict=True):
        col.stats[key] = value


def _apply_first(col: PushedColumn, sql: SqlExpressions) -> None:
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


def _moments(col: PushedColumn) -> None:
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


def _distinct_and_quantiles(conn: sa.Connection, table: sa.Table, col: PushedColumn) -> None:
    """Distinct count and the order statistics numpy interpolates between, in one query.

    The values are grouped (a hash aggregate, which the server can run in parallel) and
    only the distinct values are sorted for the running count, instead of sorting the
    whole column once for COUNT(DISTINCT) and again for each percentile.
    """
    p = col.profile
    ranks = sorted(order_positions(p.count, QUANTILES))
    value = col.exact  # as pandas tells values apart
    present = sa.select(value.label("v")).select_from(table).where(value.is_not(None))
    values = present.subquery("vals")
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
    conn: sa.Connection, table: sa.Table, col: PushedColumn, sql: SqlExpressions, bins: int
) -> None:
    """numpy.histogram of the finite values (or of the ticks of a datetime column)."""
    p = col.profile
    if col.kind == "number":
        value, finite = col.value, sql.is_finite(col.value)
    else:
        value, finite = sql.float_ticks(col.value), None
    edges = finite_edges(col, bins)
    if edges is None:
        return  # only infinities
    bucket = sql.bucket(value, [float(e) for e in edges])
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
    conn: sa.Connection, table: sa.Table, col: PushedColumn, backend: Backend, top_k: int
) -> None:
    """Distinct count and the k most frequent values (ties by value), grouped by bytes."""
    key = backend.expressions.text_key(col.value)
    p = col.profile
    lengths_per_group = backend.capabilities.fine_buckets  # see _first_pass
    if lengths_per_group:
        # The key is the string itself (in the "C" collation): no need to carry the value.
        # Lengths per group (not per row): char_length is slow on long strings.
        groups = (
            sa.select(
                key.label("k"),
                key.label("v"),
                sa.func.count().label("n"),
                sa.func.char_length(padded(col, key)).label("len"),
            )
            .select_from(table)
            .where(col.value.is_not(None))
            .group_by(key)
            .subquery("grp")
        )
        lengths = [
            sa.over(sa.func.count()),
            sa.over(sa.func.min(groups.c.len)),
            sa.over(sa.func.max(groups.c.len)),
            sa.over(sa.func.sum(groups.c.n * groups.c.len)),
        ]
    else:
        values = (
            sa.select(key.label("k"), col.value.label("v"))
            .select_from(table)
            .where(col.value.is_not(None))
        ).subquery("vals")
        groups = (
            sa.select(values.c.k, sa.func.min(values.c.v).label("v"), sa.func.count().label("n"))
            .group_by(values.c.k)
            .subquery("grp")
        )
        lengths = [sa.over(sa.func.count())]
    stmt = (
        sa.select(groups.c.v, groups.c.n, *lengths)
        .order_by(groups.c.n.desc(), groups.c.k)
        .limit(max(top_k, 1))
    )
    rows = conn.execute(stmt).all()
    p.distinct = int(rows[0][2])
    if lengths_per_group:
        p.min_length, p.max_length = int(rows[0][3]), int(rows[0][4])
        p.mean_length = int(rows[0][5]) / p.count
    p.top_values = [(row[0], int(row[1])) for row in rows][:top_k]
    if p.top_values:
        p.top, p.freq = p.top_values[0]


# Head and tail are quick: after everything else on PostgreSQL; last on MySQL too, as before.
_ENDS_PRIORITY = 10


def _pass_tasks(
    table: sa.Table, cols: Sequence[PushedColumn], build: Any, parts: int
) -> list[Task]:
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
             functools.partial(_run_pass, table=table, cols=batch, build=build))
        for group in groups
        for batch in _batches(sorted(group, key=lambda c: order[id(c)]))
    ]  # fmt: skip


def _grouped_task(table: sa.Table, col: PushedColumn, backend: Backend, settings: Settings) -> Task:
    """MySQL/MariaDB: distinct count, quantiles and histogram, or top values, of one column."""

    def run(conn: sa.Connection) -> None:
        if not col.profile.count:
            return
        if col.kind in {"number", "datetime"}:
            _distinct_and_quantiles(conn, table, col)
            _histogram(conn, table, col, backend.expressions, settings.bins)
        elif col.kind == "text":
            _distinct_and_top_values(conn, table, col, backend, settings.top_k)

    return Task(0, f"distinct values and histogram of {col.spec.name}", run)


def padded(col: PushedColumn, key: Expr) -> Expr:
    """A Postgres text key as pandas gets its value: CHAR(n) padded to n (char_length and
    casts to text drop the padding; its output function keeps it)."""
    if isinstance(col.column.type, sa.CHAR):
        return sa.func.format("%s", key)
    return key


def _pandas_dtype(col: PushedColumn) -> str:
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
) -> tuple[list[ColumnProfile], list[dict[str, Any]], list[dict[str, Any]], int]:
    """Profile the columns with server-side aggregates; return profiles, head, tail and the
    number of rows, counted in the same snapshot as the aggregates (`rows`, counted before
    in another transaction, only guides the plan)."""
    backend = backend_for(conn)
    sql = backend.expressions
    cols = [
        PushedColumn(
            spec=spec,
            column=column,
            value=sql.value(column, spec.kind),
            profile=ColumnProfile(spec.name, spec.kind, spec.db_type, "", 0, 0, None),
        )
        for spec, column in zip(specs, columns, strict=True)
    ]

    def first_pass(col: PushedColumn) -> dict[str, Expr]:
        exprs = _first_pass(col, backend)
        if col is cols[0]:
            # The rows of this snapshot: the count before it was taken in another transaction,
            # and the table may have changed since (a pipeline writing it).
            exprs["rows"] = sa.func.count()
        return exprs

    with workers(conn, backend) as pool:
        first = _pass_tasks(table, cols, first_pass, len(pool.conns))
        pool.run(first, control.slice(0.0, 0.3))
        if cols:
            rows = int(cols[0].stats["rows"])
        infinite = list(_batches([c for c in cols if _has_infinite_extreme(c)]))
        for batch in infinite:
            control.report(0.3, "finding infinities on the server")
            build = functools.partial(_finite_extremes_pass, sql=sql)
            _run_pass(conn, table=table, cols=batch, build=build)
        for col in cols:
            _finite_extremes(col)
            _apply_first(col, sql)
            col.profile.missing = rows - col.profile.count
            col.profile.pandas_dtype = _pandas_dtype(col)
        rescaled = list(_batches([c for c in cols if _needs_second_pass(c)]))
        for batch in rescaled:
            control.report(0.3, "mean and std of huge values on the server")
            _run_pass(conn, table=table, cols=batch, build=lambda c: _second_pass(c, sql))
        for col in cols:
            if col.kind == "number" and col.profile.count:
                _moments(col)
        found: dict[str, Any] = {}

        def ends(conn: sa.Connection) -> None:
            found["head"], found["tail"] = read_ends(conn, table, columns, rows, head_rows)

        tasks = [Task(_ENDS_PRIORITY, "head and tail", ends)]
        if backend.capabilities.fine_buckets:
            tasks += distinct_quantiles_histograms(
                conn, table, cols, rows=rows, bins=settings.bins, top_k=settings.top_k,
                sql=sql,
                top_values=lambda conn, col: _distinct_and_top_values(
                    conn, table, col, backend, settings.top_k
                ),
            )  # fmt: skip
        else:
            tasks += [_grouped_task(table, col, backend, settings) for col in cols]
        pool.run(tasks, control.slice(0.35, 1.0))
    return [c.profile for c in cols], found["head"], found["tail"], rows
