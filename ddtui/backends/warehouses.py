"""Warehouses ddtui compile-checks but cannot run here (Snowflake, BigQuery, Trino,
Databricks, Redshift): the generic backend's portable SQL plus each one's approximate
aggregates, which `--approx` (or an exact profile over the time budget) uses, and, where
the driver takes it, the engine's own statement timeout (Snowflake, Trino).

Each class says, as data, what its engine calls them; the expressions are checked by
tests/test_dialects_compile.py (compiled by the maintained dialect, parsed by sqlglot).
"""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from ddtui.backends.base import Budget, Capabilities
from ddtui.backends.expressions import Expr, SqlExpressions
from ddtui.backends.generic import GenericBackend


def _approx_capabilities(percentiles: str, distinct: str) -> Capabilities:
    return Capabilities(
        pushes_down=True, networked=True, approx_percentiles=percentiles, approx_distinct=distinct
    )


class SnowflakeExpressions(SqlExpressions):
    def approx_quantiles(self, value: Expr, fractions: tuple[float, ...]) -> list[Expr] | None:
        return [sa.func.approx_percentile(value, sa.literal(float(f))) for f in fractions]

    def approx_distinct(self, value: Expr) -> Expr | None:
        return sa.func.approx_count_distinct(value)


class DatabricksExpressions(SnowflakeExpressions):
    """Spark SQL spells them as Snowflake does: approx_percentile, approx_count_distinct."""


class TrinoExpressions(SnowflakeExpressions):
    def approx_distinct(self, value: Expr) -> Expr | None:
        return sa.func.approx_distinct(value)


class BigQueryExpressions(SqlExpressions):
    # APPROX_QUANTILES(x, 100) returns 101 boundaries: the fraction f is at OFFSET(100 f).
    _buckets = 100

    def approx_quantiles(self, value: Expr, fractions: tuple[float, ...]) -> list[Expr] | None:
        found = sa.func.approx_quantiles(value, sa.literal(self._buckets), type_=sa.ARRAY(sa.Float))
        # The dialect writes an index as [OFFSET(n)].
        return [found[round(f * self._buckets)] for f in fractions]

    def approx_distinct(self, value: Expr) -> Expr | None:
        return sa.func.approx_count_distinct(value)


class Approximate(sa.sql.expression.ColumnElement[Any]):
    """Redshift's `APPROXIMATE` prefix on an aggregate (COUNT(DISTINCT), PERCENTILE_DISC)."""

    inherit_cache = True

    def __init__(self, aggregate: Expr) -> None:
        self.aggregate = aggregate
        self.type = aggregate.type


@compiles(Approximate)
def _approximate(element: Approximate, compiler: SQLCompiler, **kw: Any) -> str:
    return "APPROXIMATE " + compiler.process(element.aggregate, **kw)


class RedshiftExpressions(SqlExpressions):
    def approx_quantiles(self, value: Expr, fractions: tuple[float, ...]) -> list[Expr] | None:
        return [
            Approximate(sa.func.percentile_disc(sa.literal(float(f))).within_group(value))
            for f in fractions
        ]

    def approx_distinct(self, value: Expr) -> Expr | None:
        return Approximate(sa.func.count(sa.distinct(value)))


class SnowflakeBackend(GenericBackend):
    name = "snowflake"
    capabilities = _approx_capabilities("APPROX_PERCENTILE", "APPROX_COUNT_DISTINCT")
    expressions: ClassVar[SqlExpressions] = SnowflakeExpressions()

    def connect_args(self, url: URL, budget: Budget) -> dict[str, Any]:
        # The warehouse stops a statement past the budget itself: the client giving up
        # alone would leave it running, and billed.
        timeout = {"STATEMENT_TIMEOUT_IN_SECONDS": math.ceil(budget.statement_s)}
        return {"session_parameters": timeout}


class BigQueryBackend(GenericBackend):
    name = "bigquery"
    capabilities = _approx_capabilities("APPROX_QUANTILES", "APPROX_COUNT_DISTINCT")
    expressions: ClassVar[SqlExpressions] = BigQueryExpressions()


class TrinoBackend(GenericBackend):
    name = "trino"
    capabilities = _approx_capabilities("approx_percentile", "approx_distinct")
    expressions: ClassVar[SqlExpressions] = TrinoExpressions()

    def connect_args(self, url: URL, budget: Budget) -> dict[str, Any]:
        # The coordinator stops a query past the budget, queueing included; session
        # properties the URL sets are kept (connect_args would replace them).
        given = url.query.get("session_properties")
        properties = json.loads(given) if isinstance(given, str) else {}
        properties.setdefault("query_max_run_time", f"{math.ceil(budget.statement_s)}s")
        return {"session_properties": properties}


class DatabricksBackend(GenericBackend):
    name = "databricks"
    capabilities = _approx_capabilities("approx_percentile", "approx_count_distinct")
    expressions: ClassVar[SqlExpressions] = DatabricksExpressions()


class RedshiftBackend(GenericBackend):
    name = "redshift"
    capabilities = _approx_capabilities(
        "APPROXIMATE PERCENTILE_DISC", "APPROXIMATE COUNT(DISTINCT)"
    )
    expressions: ClassVar[SqlExpressions] = RedshiftExpressions()
