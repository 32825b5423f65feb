"""The SQL ddtui sends to warehouses that cannot run here compiles with each one's maintained
SQLAlchemy dialect and parses with sqlglot for that engine.

For a mixed table (one column of each kind, schema-qualified) and a partition of it, the
statements a profile runs through the backend of each engine: the row count, head, tail,
the engine's TABLESAMPLE where it has one, and the rows streamed or, once the backend pushes
down, the queries it sends (and the scan of its approximate aggregates, for --approx). Each is
compiled by the dialect (values rendered inline, as the engine would see them bound), then
parsed by sqlglot for the engine and written back with unsupported constructs an error
(sqlglot drops, with that error, e.g. a TABLESAMPLE Redshift does not have). The SQL is
kept in tests/unit/backends/dialect_sql/<dialect>.sql: a change shows in review; rewrite them with
DDTUI_UPDATE_SQL=1.

Parsing is a syntax check: it cannot say that the engine accepts a function or a type.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from ddtui.backends import backend_for
from ddtui.outputs.table_slice import TableSlice
from ddtui.profile.ends import readable
from ddtui.profile.engine_sampling import engine_sampled

sqlglot = pytest.importorskip(
    "sqlglot", reason="sqlglot is not installed: pip install 'ddtui[compat-dialects]'"
)

SNAPSHOTS = Path(__file__).parent / "dialect_sql"
UPDATE_ENV = "DDTUI_UPDATE_SQL"
# name: (the module of its maintained dialect package, a URL SQLAlchemy loads it from,
# sqlglot's name for the engine)
DIALECTS = {
    "redshift": ("sqlalchemy_redshift", "redshift+psycopg2://", "redshift"),
    "snowflake": ("snowflake.sqlalchemy", "snowflake://", "snowflake"),
    "bigquery": ("sqlalchemy_bigquery", "bigquery://", "bigquery"),
    "trino": ("trino.sqlalchemy", "trino://", "trino"),
    "databricks": ("databricks.sqlalchemy", "databricks://", "databricks"),
}


def mixed_table() -> sa.Table:
    return sa.Table(
        "events",
        sa.MetaData(),
        sa.Column("ds", sa.Date),
        sa.Column("id", sa.BigInteger),
        sa.Column("quantity", sa.Integer),
        sa.Column("score", sa.Float),
        sa.Column("price", sa.Numeric(12, 2)),
        sa.Column("colour", sa.String(20)),
        sa.Column("comment", sa.Text),
        sa.Column("active", sa.Boolean),
        sa.Column("created", sa.DateTime),
        sa.Column("payload", sa.LargeBinary),
        schema="analytics",
    )


def profile_statements(dialect: sa.Dialect) -> list[tuple[str, Any]]:
    """What a profile of the table, and of its partition, asks of an engine of `dialect`:
    the count, head and tail, the engine's sample, then the rows streamed or, where the
    backend pushes down, the queries it sends (pushdown_queries)."""
    backend = backend_for(dialect)
    table = mixed_table()
    partition = TableSlice.from_mapping({"ds": "2024-01-01", "colour": "red"})
    statements: list[tuple[str, Any]] = []
    for label, source in (("table", table), ("partition", partition.rows_of(table))):
        columns = [source.c[c.name] for c in table.columns]
        read = sa.select(*readable(columns)).select_from(source)
        statements += [
            (f"{label}: row count", sa.select(sa.func.count()).select_from(source)),
            (f"{label}: head", read.limit(5)),
            (f"{label}: tail", read.offset(1_000_000).limit(5)),
        ]
        sampled = engine_sampled(backend, source, rows=10_000_000, sample_rows=10_000)
        if sampled is not None:
            statements.append((f"{label}: --sample 10000", sa.select(*sampled.c).limit(20_000)))
        if not backend.capabilities.pushes_down:
            statements.append((f"{label}: rows streamed", read))
            continue
        from ddtui.profile.pushdown import pushdown_queries  # the backend's portable SQL

        exact = pushdown_queries(backend, source, dialect=dialect)
        for i, query in enumerate(exact):
            statements.append((f"{label}: push-down query {i + 1}", query))
        if backend.capabilities.approx_percentiles:
            # --approx: one scan estimating the quartiles and distinct counts (second, after
            # the first pass) in place of the exact quantile queries.
            approx = pushdown_queries(backend, source, dialect=dialect, approx=True)
            assert len(approx) < len(exact)
            statements.append((f"{label}: --approx estimates", approx[1]))
    return statements


def compiled(statement: Any, dialect: sa.Dialect) -> str:
    text = statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return str(text).strip()


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_profile_sql_compiles_and_parses(name: str) -> None:
    module, url, engine_name = DIALECTS[name]
    pytest.importorskip(module, reason=f"{name}'s dialect is not installed: ddtui[compat-dialects]")
    dialect = make_url(url).get_dialect()()
    assert dialect.name == name
    parts = []
    for label, statement in profile_statements(dialect):
        sql = compiled(statement, dialect)
        try:
            parsed = sqlglot.parse_one(sql, read=engine_name)
            parsed.sql(dialect=engine_name, unsupported_level=sqlglot.ErrorLevel.RAISE)
        except sqlglot.errors.SqlglotError as exc:
            pytest.fail(f"{name}, {label}: {exc}\n{sql}")
        parts.append(f"-- {label}\n{sql};\n")
    snapshot = SNAPSHOTS / f"{name}.sql"
    text = "\n".join(parts)
    if os.environ.get(UPDATE_ENV) == "1" or not snapshot.exists():
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
    assert text == snapshot.read_text(encoding="utf-8"), f"rewrite with {UPDATE_ENV}=1"


def test_the_partition_is_bound_not_spliced_for_every_dialect() -> None:
    """Compiled with parameters (as ddtui runs it), a hostile value is a parameter only."""
    table = mixed_table()
    partition = TableSlice.from_mapping({"colour": "x'; DROP TABLE t; --"})
    for module, url, _ in DIALECTS.values():
        pytest.importorskip(module)
        dialect = make_url(url).get_dialect()()
        statement = sa.select(sa.func.count()).select_from(partition.rows_of(table))
        sql = str(statement.compile(dialect=dialect))
        assert "DROP" not in sql, sql
