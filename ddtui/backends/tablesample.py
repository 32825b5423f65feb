"""The engine's own sampling (TABLESAMPLE), spelled as each database reads it.

`--sample N` on a large table reads a share of its storage blocks where the engine can
(`TABLESAMPLE SYSTEM`): on engines that bill by bytes scanned (BigQuery) or hold more
than a scan can afford, that is what makes a quick look cheap. Dialects missing here
(Redshift, MySQL, SQLite, ...) have no block sampling: the profile reads the first N rows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import TableSample

# Dialect -> (sampling method, whether it takes a seed: REPEATABLE, the same sample each
# time while the table is unchanged). Trino and BigQuery take no seed; Snowflake's applies to
# some methods only, so it is not asked for. DuckDB's SYSTEM draws whole vectors of 2,048
# rows (one or two for a small share: one stretch of the table); its BERNOULLI draws rows,
# and a local file costs nothing per byte read.
SAMPLING_DIALECTS: dict[str, tuple[str, bool]] = {
    "postgresql": ("system", True),
    "duckdb": ("bernoulli", True),
    "databricks": ("system", True),
    "bigquery": ("system", False),
    "snowflake": ("system", False),
    "trino": ("system", False),
}


def engine_sample(dialect: str, table: sa.Table, percent: float) -> TableSample | None:
    """`table` sampled by the engine at `percent` (0-100] of its blocks; None without."""
    if dialect not in SAMPLING_DIALECTS:
        return None
    # A number ddtui formats (never text from elsewhere): BigQuery takes no bound parameter.
    share: sa.ColumnElement[Any] = sa.literal_column(f"{min(max(percent, 1e-6), 100.0):.6g}")
    method, seeded = SAMPLING_DIALECTS[dialect]
    seed: sa.ColumnElement[Any] | None = sa.literal_column("0") if seeded else None
    sampling = getattr(sa.func, method)(share)
    return sa.tablesample(table, sampling, name=table.name, seed=seed)


def _percent(element: TableSample, compiler: SQLCompiler, **kw: Any) -> str:
    method = element._get_method()  # SQLAlchemy keeps the sampling call (`system(p)`) here
    return str(compiler.process(method.clauses, **kw))


def _method(element: TableSample) -> str:
    return str(element._get_method().name).upper()


def _seed(element: TableSample, compiler: SQLCompiler, **kw: Any) -> str:
    if element.seed is None:
        return ""
    seed: Any = element.seed
    return f" REPEATABLE ({compiler.process(seed, **kw)})"


@compiles(TableSample, "bigquery")
@compiles(TableSample, "duckdb")
def _in_percent(element: TableSample, compiler: SQLCompiler, **kw: Any) -> str:
    """`t AS t TABLESAMPLE SYSTEM (1.5 PERCENT)`: a bare number is a row count there."""
    kw.pop("asfrom", None)
    aliased = compiler.visit_alias(element, asfrom=True, **kw)
    percent, seed = _percent(element, compiler, **kw), _seed(element, compiler, **kw)
    return f"{aliased} TABLESAMPLE {_method(element)} ({percent} PERCENT){seed}"


@compiles(TableSample, "databricks")
def _spark(element: TableSample, compiler: SQLCompiler, **kw: Any) -> str:
    """Spark SQL: `t TABLESAMPLE (1.5 PERCENT) REPEATABLE (0) AS t` (the alias comes last)."""
    kw.pop("asfrom", None)
    table = compiler.process(element.element, asfrom=True, **kw)
    percent = _percent(element, compiler, **kw)
    alias = compiler.preparer.format_alias(element, str(element.name))
    seed = _seed(element, compiler, **kw)
    return f"{table} TABLESAMPLE ({percent} PERCENT){seed} AS {alias}"
