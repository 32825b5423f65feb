"""The push-down SQL is built without a connection and compiles for every dialect at hand."""

from __future__ import annotations

import importlib

import pytest
import sqlalchemy as sa

from ddtui.backends import backend_for
from ddtui.profile.pushdown import pushdown_queries

MIXED = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.BigInteger),
    sa.Column("score", sa.Float),
    sa.Column("at", sa.DateTime),
    sa.Column("day", sa.Date),
    sa.Column("name", sa.String(40)),
    sa.Column("ok", sa.Boolean),
    schema="sales",
)
# Dialect modules that come with SQLAlchemy or with ddtui's extras and test dependencies.
DIALECTS = {
    "postgresql": "sqlalchemy.dialects.postgresql",
    "mysql": "sqlalchemy.dialects.mysql",
    "sqlite": "sqlalchemy.dialects.sqlite",
    "mssql": "sqlalchemy.dialects.mssql",
    "oracle": "sqlalchemy.dialects.oracle",
    "duckdb": "duckdb_engine",
}


def dialect_of(name: str) -> sa.Dialect:
    module = pytest.importorskip(DIALECTS[name])
    if name == "duckdb":
        dialect: sa.Dialect = module.Dialect()
        return dialect
    return importlib.import_module(DIALECTS[name]).dialect()


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_every_statement_compiles_for_the_dialect(name: str) -> None:
    dialect = dialect_of(name)
    backend = backend_for(dialect)
    statements = pushdown_queries(backend, MIXED, dialect=dialect)
    # One scan of every column's aggregates, then two queries per number or datetime
    # column (quantiles, histogram; three where the database selects order statistics:
    # distinct count, quantiles, histogram) and one per text column (top values).
    per_column = 3 if backend.expressions.order_statistics(MIXED.c.score, [0.5]) else 2
    assert len(statements) == 1 + per_column * 4 + 1
    for statement in statements:
        sql = str(statement.compile(dialect=dialect))
        assert "events" in sql and "FROM" in sql.upper()


def test_an_unknown_dialect_is_pushed_down_in_portable_sql() -> None:
    dialect = importlib.import_module("sqlalchemy.dialects.mssql").dialect()
    backend = backend_for(dialect)
    assert backend.capabilities.pushes_down and not backend.capabilities.fine_buckets
    first, *_ = pushdown_queries(backend, MIXED, dialect=dialect, columns=["score", "name"])
    sql = str(first.compile(dialect=dialect)).lower()
    assert "count(" in sql and "min(" in sql and "case when" in sql
