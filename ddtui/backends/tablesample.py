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

# Dialect -> whether its TABLESAMPLE takes a seed (REPEATABLE: the same blocks each time
# while the table is unchanged). Trino and BigQuery have none; Snowflake's seed applies to
# some sampling methods only, so it is not asked for.
SAMPLING_DIALECTS: dict[str, bool] = {
    "postgresql": True,
    "duckdb": True,
    "databricks": True,
    "bigquery": False,
    "snowflake": False,
    "trino": False,
}


def engine_sample(dialect: str, table: sa.Table, percent: float) -> TableSample | None:
    """`table` sampled by the engine at `percent` (0-100] of its blocks; None without."""
    if dialect not in SAMPLING_DIALECTS:
        return None
    # A number ddtui formats (never text from elsewhere): BigQuery takes no bound parameter.
    share: sa.ColumnElement[Any] = sa.literal_column(f"{min(max(percent, 1e-6), 100.0):.6g}")
    seed: sa.ColumnElement[Any] | None = (
        sa.literal_column("0") if SAMPLING_DIALECTS[dialect] else None
    )
    return sa.tablesample(table, sa.func.system(share), name=table.name, seed=seed)


def _percent(element: TableSample, compiler: SQLCompiler, **kw: Any) -> str:
    method = element._get_method()  # SQLAlchemy keeps the sampling call (`system(p)`) here
    return str(compiler.process(method.clauses, **kw))


def _seed(element: TableSample, compiler: SQLCompiler, **kw: Any) -> str:
    if element.seed is None:
        return ""
    seed: Any = element.seed
    return f" REPEATABLE ({compiler.process(seed, **kw)})"


@compiles(TableSample, "bigquery")
@compiles(TableSample, "duckdb")
def _system_percent(element: TableSample, compiler: SQLCompiler, **kw: Any) -> str:
    """`t AS t TABLESAMPLE SYSTEM (1.5 PERCENT)`: a bare number is a row count there."""
    kw.pop("asfrom", None)
    aliased = compiler.visit_alias(element, asfrom=True, **kw)
    percent = _percent(element, compiler, **kw)
    return f"{aliased} TABLESAMPLE SYSTEM ({percent} PERCENT){_seed(element, compiler, **kw)}"


@compiles(TableSample, "databricks")
def _spark(element: TableSample, compiler: SQLCompiler, **kw: Any) -> str:
    """Spark SQL: `t TABLESAMPLE (1.5 PERCENT) REPEATABLE (0) AS t` (the alias comes last)."""
    kw.pop("asfrom", None)
    table = compiler.process(element.element, asfrom=True, **kw)
    percent = _percent(element, compiler, **kw)
    alias = compiler.preparer.format_alias(element, str(element.name))
    seed = _seed(element, compiler, **kw)
    return f"{table} TABLESAMPLE ({percent} PERCENT){seed} AS {alias}"
