"""Distinct counts, quantiles, histograms and top values in portable SQL, one column at a
time: MySQL/MariaDB, DuckDB and any other dialect (PostgreSQL has its own: postgresql.py).

One GROUP BY of the values per column gives the distinct count and, through a running
count over the sorted distinct values, the exact order statistics that numpy's linear
interpolation needs; for text the same GROUP BY gives the top values. A last GROUP BY per
number or datetime column counts histogram bins, bucketed by CASE on edges from min/max.

Where the database selects order statistics itself (DuckDB's quantile_disc), the
distinct count and the order statistics are two statements instead: each is a fast
hash or selection, where the running count over millions of sorted groups is slow.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ddtui.backends import Backend, SqlExpressions
from ddtui.backends.expressions import Expr
from ddtui.profile.bins import histogram_edges
from ddtui.profile.models import FEW_VALUES, ColumnProfile
from ddtui.profile.pushdown import selection
from ddtui.profile.pushdown.columns import (
    PushedColumn,
    few_numbers,
    finite_edges,
    padded,
    set_histogram,
    set_quantiles,
)
from ddtui.profile.pushdown.workers import Task
from ddtui.profile.spec import QUANTILES, Settings, column_specs
from ddtui.profile.values import (
    micros_since_epoch,
    order_positions,
    timestamp_from_ticks,
)

_DEFAULT = sa.engine.default.DefaultDialect()


def _distinct_and_quantiles(conn: sa.Connection, table: sa.Table, col: PushedColumn) -> None:
    """Distinct count and the order statistics numpy interpolates between, in one query.

    The values are grouped (a hash aggregate, which the server can run in parallel) and
    only the distinct values are sorted for the running count, instead of sorting the
    whole column once for COUNT(DISTINCT) and again for each percentile.
    """
    p = col.profile
    ranks = sorted(order_positions(p.count, QUANTILES))
    found = [
        (v, int(upto), int(n), int(d))
        for v, upto, n, d in conn.execute(quantile_query(table, col, ranks))
    ]
    p.distinct = found[0][3]
    if col.kind == "number" and p.distinct <= FEW_VALUES:
        p.value_counts = few_numbers([(v, n) for v, _, n, _ in found])
    _set_quantiles(col, {r: v for r in ranks for v, upto, n, _ in found if upto - n < r <= upto})


def _set_quantiles(col: PushedColumn, at_rank: dict[int, Any]) -> None:
    """q25/q50/q75 from the order statistics as the database returned them, by rank."""
    if col.kind == "number":
        set_quantiles(col, {r: float(v) for r, v in at_rank.items()})
    else:
        set_quantiles(col, {r: float(micros_since_epoch(v)) for r, v in at_rank.items()})


def _distinct(conn: sa.Connection, table: sa.Table, col: PushedColumn) -> None:
    """COUNT(DISTINCT), and a number column's value counts when it has few values."""
    value = col.exact  # as pandas tells values apart
    count = sa.select(sa.func.count(sa.distinct(value))).select_from(table)
    col.profile.distinct = int(conn.execute(count).scalar_one())
    if col.kind == "number" and col.profile.distinct <= FEW_VALUES:
        # A few groups: the chart draws one bar per value.
        stmt = sa.select(value, sa.func.count()).where(value.is_not(None)).group_by(value)
        counts = [(v, int(n)) for v, n in conn.execute(stmt.select_from(table))]
        col.profile.value_counts = few_numbers(counts)


def _quantiles_and_histogram(
    conn: sa.Connection,
    table: sa.Table,
    col: PushedColumn,
    sql: SqlExpressions,
    bins: int,
    *,
    quartiles: bool,
) -> None:
    """The chart's counts and the fine buckets in one scan, then the order statistics."""
    edges = finite_edges(col, bins)
    chart_edges = None if edges is None else [float(e) for e in edges]
    at_rank, counts = selection.quantiles_and_histogram(
        conn, table, col, sql, chart_edges, quartiles=quartiles
    )
    if edges is not None and counts is not None:
        set_histogram(col, edges, counts)
    if quartiles:
        _set_quantiles(col, at_rank)


def quantile_query(table: sa.FromClause, col: PushedColumn, ranks: Sequence[int]) -> sa.Select[Any]:
    """The distinct values at the 1-based `ranks` of the sorted column, with their running
    count, group size and the number of distinct values; every value when there are at
    most FEW_VALUES (the chart draws one bar per value)."""
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
    few = running.c.d <= FEW_VALUES
    return sa.select(running.c.v, running.c.upto, running.c.n, running.c.d).where(
        sa.or_(*hits, few)
    )


def _histogram(
    conn: sa.Connection, table: sa.Table, col: PushedColumn, sql: SqlExpressions, bins: int
) -> None:
    """numpy.histogram of the finite values (or of the ticks of a datetime column)."""
    edges = finite_edges(col, bins)
    if edges is None:
        return  # only infinities
    counts = [0] * (len(edges) - 1)
    for b, n in conn.execute(histogram_query(table, col, sql, [float(e) for e in edges])):
        counts[min(max(int(b), 1), len(counts)) - 1] += int(n)
    set_histogram(col, edges, counts)


def histogram_query(
    table: sa.FromClause, col: PushedColumn, sql: SqlExpressions, edges: list[float]
) -> sa.Select[Any]:
    """Rows per 1-based bin of the finite values (ticks of datetimes) for these edges."""
    if col.kind == "number":
        value, finite = col.value, sql.is_finite(col.value)
    else:
        value, finite = sql.float_ticks(col.value), None
    bucket = sql.bucket(value, edges)
    where = value.is_not(None) if finite is None else sa.and_(value.is_not(None), finite)
    sub = sa.select(bucket.label("b")).select_from(table).where(where).subquery()
    return sa.select(sub.c.b, sa.func.count()).group_by(sub.c.b)


def distinct_and_top_values(
    conn: sa.Connection, table: sa.Table, col: PushedColumn, backend: Backend, top_k: int
) -> None:
    """Distinct count and the k most frequent values (ties by value), grouped by bytes."""
    p = col.profile
    lengths_per_group = backend.capabilities.fine_buckets  # see first_pass
    rows = conn.execute(top_values_query(table, col, backend, top_k)).all()
    p.distinct = int(rows[0][2])
    if lengths_per_group:
        p.min_length, p.max_length = int(rows[0][3]), int(rows[0][4])
        p.mean_length = int(rows[0][5]) / p.count
    p.top_values = [(row[0], int(row[1])) for row in rows][:top_k]
    if p.top_values:
        p.top, p.freq = p.top_values[0]


def top_values_query(
    table: sa.FromClause, col: PushedColumn, backend: Backend, top_k: int
) -> sa.Select[Any]:
    """The k most frequent values with their counts and the number of distinct values (and,
    on PostgreSQL, the shortest, longest and total lengths)."""
    key = backend.expressions.text_key(col.value)
    if backend.capabilities.fine_buckets:
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
    elif key is col.value:  # values compare as pandas compares them: grouped as they are
        groups = (
            sa.select(key.label("k"), key.label("v"), sa.func.count().label("n"))
            .select_from(table)
            .where(col.value.is_not(None))
            .group_by(key)
            .subquery("grp")
        )
        lengths = [sa.over(sa.func.count())]
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
    return (
        sa.select(groups.c.v, groups.c.n, *lengths)
        .order_by(groups.c.n.desc(), groups.c.k)
        .limit(max(top_k, 1))
    )


def approx_columns(cols: Sequence[PushedColumn], backend: Backend) -> list[PushedColumn]:
    """The columns --approx estimates where the database can: numbers and datetimes with
    values, not those with infinities (the exact queries handle them); [] where it cannot."""
    if backend.expressions.approx_quantiles(sa.literal(0.0), QUANTILES) is None:
        return []
    return [
        c for c in cols
        if c.profile.count and c.kind in {"number", "datetime"} and not c.profile.infinities
    ]  # fmt: skip


def approx_query(
    table: sa.Table, wanted: Sequence[PushedColumn], sql: SqlExpressions
) -> sa.Select[Any]:
    """One scan estimating, for each column, its distinct count then its quartiles."""
    exprs: list[Expr] = []
    for col in wanted:
        value = col.value if col.kind == "number" else sql.ticks(col.value)
        quartiles, distinct = sql.approx_quantiles(value, QUANTILES), sql.approx_distinct(value)
        assert quartiles is not None and distinct is not None
        exprs += [distinct, *quartiles]
    return sa.select(*exprs).select_from(table)


def approx_task(
    table: sa.Table, cols: Sequence[PushedColumn], backend: Backend
) -> tuple[Task | None, set[int]]:
    """With --approx, where the database estimates quantiles: estimated distinct counts and
    quartiles of the number and datetime columns in one scan, and the ids of the columns
    it covers."""
    wanted = approx_columns(cols, backend)
    if not wanted:
        return None, set()
    width = 1 + len(QUANTILES)

    def run(conn: sa.Connection) -> None:
        row = conn.execute(approx_query(table, wanted, backend.expressions)).one()
        for i, col in enumerate(wanted):
            p = col.profile
            distinct, *found = row[width * i : width * (i + 1)]
            # An estimate may exceed what pass 1 counted exactly.
            p.distinct = min(int(distinct), p.count)
            if col.kind == "number":
                p.q25, p.q50, p.q75 = (float(q) for q in found)
            else:
                p.q25, p.q50, p.q75 = (timestamp_from_ticks(q, col.spec.tz_aware) for q in found)

    return Task(0, "estimating quartiles on the server", run), {id(c) for c in wanted}


def column_tasks(
    table: sa.Table, col: PushedColumn, backend: Backend, settings: Settings, *, quartiles: bool
) -> list[Task]:
    """Distinct count, quantiles (unless `quartiles` is False: estimated already) and
    histogram, or top values, of one column: one task, or where the database selects
    order statistics itself, a task per statement (they run on two connections)."""
    if not col.profile.count:
        return []
    sql, name = backend.expressions, col.spec.name
    if col.kind == "text":
        label = f"distinct and top values of {name}"
        return [Task(0, label, lambda conn: distinct_and_top_values(
            conn, table, col, backend, settings.top_k))]  # fmt: skip
    if col.kind not in {"number", "datetime"}:
        return []

    def histogram(conn: sa.Connection) -> None:
        _histogram(conn, table, col, sql, settings.bins)

    if sql.order_statistics(col.value, [0.5]) is None:

        def grouped(conn: sa.Connection) -> None:
            if quartiles:
                _distinct_and_quantiles(conn, table, col)
            histogram(conn)

        return [Task(0, f"distinct values and histogram of {name}", grouped)]
    charted = functools.partial(
        _quantiles_and_histogram, table=table, col=col, sql=sql, bins=settings.bins,
        quartiles=quartiles,
    )  # fmt: skip
    tasks = [Task(0, f"quantiles and histogram of {name}", charted)]
    if quartiles:  # else estimated, with the distinct count
        label = f"distinct values of {name}"
        tasks.append(Task(0, label, lambda conn: _distinct(conn, table, col)))
    return tasks


def pushdown_queries(
    backend: Backend,
    table: sa.Table,
    *,
    dialect: sa.Dialect | None = None,
    columns: Sequence[str] | None = None,
    bins: int = 20,
    top_k: int = 20,
    approx: bool = False,
) -> list[sa.Select[Any]]:
    """The statements a push-down profile of `table` sends through portable SQL, built
    without a connection: compile them with any SQLAlchemy dialect to check or show them.

    Queries that depend on an earlier answer get stand-ins for it (1,000 values between 0
    and 1,000 without infinities): their shape is the real one, their constants are not.
    With `approx`, the estimating scan --approx sends instead of the exact quantile queries
    (where the backend has approximate aggregates).
    """
    from ddtui.profile.pushdown import passes

    chosen = [table.columns[n] for n in columns] if columns is not None else list(table.columns)
    sql = backend.expressions
    cols = [
        PushedColumn(
            spec=spec,
            column=column,
            value=sql.value(column, spec.kind),
            profile=ColumnProfile(spec.name, spec.kind, spec.db_type, "", 1000, 0, None),
        )
        for spec, column in zip(column_specs(chosen, dialect or _DEFAULT), chosen, strict=True)
    ]
    first = [(key, expr) for col in cols for key, expr in passes.first_pass(col, backend).items()]
    labelled = (expr.label(f"{key}_{i}") for i, (key, expr) in enumerate(first))
    first_scan: sa.Select[Any] = sa.select(*labelled).select_from(table)
    statements = [first_scan]
    ranks = sorted(order_positions(1000, QUANTILES))
    edges = [float(e) for e in histogram_edges(0.0, 1000.0, bins)]
    estimated = approx_columns(cols, backend) if approx else []
    if estimated:
        statements.append(approx_query(table, estimated, sql))
    covered = {id(c) for c in estimated}
    for col in cols:
        estimated_here = id(col) in covered
        if col.kind in {"number", "datetime"} and sql.order_statistics(col.value, [0.5]):
            # The chart is counted with the fine buckets; their selection finds the ranks.
            found = selection.statements(table, col, sql)
            distinct = sa.select(sa.func.count(sa.distinct(col.exact))).select_from(table)
            statements += found[:1] if estimated_here else [distinct, *found]
        elif col.kind in {"number", "datetime"}:
            if not estimated_here:
                statements.append(quantile_query(table, col, ranks))
            statements.append(histogram_query(table, col, sql, edges))
        elif col.kind == "text":
            statements.append(top_values_query(table, col, backend, top_k))
    return statements
