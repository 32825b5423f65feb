"""The "pushdown" strategy: the database computes every aggregate; rows never leave it.

The plan: aggregate passes over the table (passes.py), then per column its distinct
count, quantiles, histogram or top values (postgresql.py on PostgreSQL, with as few
sorts as possible; portable.py elsewhere), and the head and tail rows, as tasks on one
connection or, where the database shares snapshots, two (workers.py).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ddtui.backends import backend_for
from ddtui.backends.expressions import Expr
from ddtui.profile.control import Control
from ddtui.profile.ends import read_ends
from ddtui.profile.models import ColumnProfile
from ddtui.profile.plan import StrategyResult
from ddtui.profile.pushdown import passes
from ddtui.profile.pushdown.columns import PushedColumn, batches, pandas_dtype
from ddtui.profile.pushdown.portable import approx_task, column_tasks, distinct_and_top_values
from ddtui.profile.pushdown.postgresql import distinct_quantiles_histograms
from ddtui.profile.pushdown.workers import Task, workers
from ddtui.profile.spec import ColumnSpec, Settings

# Head and tail are quick: after everything else on PostgreSQL; last on MySQL too, as before.
_ENDS_PRIORITY = 10


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
) -> StrategyResult:
    """Profile the columns with server-side aggregates: profiles, head, tail and the number
    of rows, counted in the same snapshot as the aggregates (`rows`, counted before in
    another transaction, only guides the plan)."""
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

    def first_scan(col: PushedColumn) -> dict[str, Expr]:
        exprs = passes.first_pass(col, backend)
        if col is cols[0]:
            # The rows of this snapshot: the count before it was taken in another transaction,
            # and the table may have changed since (a pipeline writing it).
            exprs["rows"] = sa.func.count()
        return exprs

    with workers(conn, backend) as pool:
        first = passes.pass_tasks(table, cols, first_scan, len(pool.conns))
        pool.run(first, control.slice(0.0, 0.3))
        if cols:
            rows = int(cols[0].stats["rows"])
        infinite = list(batches([c for c in cols if passes.has_infinite_extreme(c)]))
        for batch in infinite:
            control.report(0.3, "finding infinities on the server")
            build = functools.partial(passes.finite_extremes_pass, sql=sql)
            passes.run_pass(conn, table=table, cols=batch, build=build)
        for col in cols:
            passes.finite_extremes(col)
            passes.apply_first(col, sql)
            col.profile.missing = rows - col.profile.count
            col.profile.pandas_dtype = pandas_dtype(col)
        rescaled = list(batches([c for c in cols if passes.needs_second_pass(c)]))
        for batch in rescaled:
            control.report(0.3, "mean and std of huge values on the server")
            passes.run_pass(
                conn, table=table, cols=batch, build=lambda c: passes.second_pass(c, sql)
            )
        for col in cols:
            if col.kind == "number" and col.profile.count:
                passes.moments(col)
        found: dict[str, Any] = {}

        def ends(conn: sa.Connection) -> None:
            found["head"], found["tail"] = read_ends(conn, table, columns, rows, head_rows)

        tasks = [Task(_ENDS_PRIORITY, "head and tail", ends)]
        method: str | None = None
        if backend.capabilities.fine_buckets:
            tasks += distinct_quantiles_histograms(
                conn, table, cols, rows=rows, bins=settings.bins, top_k=settings.top_k,
                sql=sql,
                top_values=lambda conn, col: distinct_and_top_values(
                    conn, table, col, backend, settings.top_k
                ),
            )  # fmt: skip
        else:
            estimated, covered = (
                approx_task(table, cols, backend) if settings.approx else (None, set())
            )
            tasks += [estimated] if estimated is not None else []
            for col in cols:
                quartiles = id(col) not in covered
                tasks += column_tasks(table, col, backend, settings, quartiles=quartiles)
            if estimated is not None:
                method = backend.capabilities.approx_percentiles
        pool.run(tasks, control.slice(0.35, 1.0))
    return StrategyResult([c.profile for c in cols], found["head"], found["tail"], rows, method)
