"""`--sample N` on a large table: the engine's TABLESAMPLE where it has one, spread over the
whole table (not its first N rows), a partition sampled within itself; the first N rows
elsewhere (SQLite) and on small tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from airflow_home_support import POSTGRES_URL, require_service
from datagen import write_postgres

from ddtui.backends import backend_for
from ddtui.outputs.table_slice import TableSlice
from ddtui.profile import profile_table
from ddtui.profile.api import plan_for

ROWS = 200_000
SAMPLE = 2_000


def big_frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "id": np.arange(ROWS, dtype="int64"),
            "day": np.where(np.arange(ROWS) % 2 == 0, "even", "odd"),
            "value": rng.normal(0.0, 1.0, ROWS),
        }
    )


def check_spread(engine: sa.Engine, table: str) -> None:
    profile = profile_table(engine, table, mode="sample", sample_rows=SAMPLE)
    assert profile.strategy == "sample" and not profile.exact
    assert SAMPLE // 2 <= (profile.sample_size or 0) <= 2 * SAMPLE
    ids = profile.column("id")
    # Blocks from all over the table: the first 2,000 rows would end at id 1,999.
    assert ids.max is not None and ids.max > ROWS // 2
    assert ids.min is not None and ids.min < ROWS // 2
    assert profile.row_count == ROWS  # counted exactly, as always
    assert [row["id"] for row in profile.head] == [0, 1, 2, 3, 4]  # the table's own ends
    sliced = profile_table(
        engine, table, mode="sample", sample_rows=SAMPLE // 4,
        partition=TableSlice.from_mapping({"day": "odd"}),
    )  # fmt: skip
    odd = sliced.column("id")
    assert sliced.row_count == ROWS // 2
    assert odd.max is not None and odd.max > ROWS // 2
    assert sliced.column("day").distinct == 1 and sliced.column("day").top == "odd"


@pytest.fixture
def pg_table() -> Iterator[tuple[sa.Engine, str]]:
    require_service("PostgreSQL", POSTGRES_URL)
    engine = sa.create_engine(POSTGRES_URL, poolclass=sa.NullPool)
    table = f"ddtui_sample_{uuid.uuid4().hex[:10]}"
    write_postgres(big_frame(), POSTGRES_URL, table)
    try:
        yield engine, table
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))  # our own safe name
        engine.dispose()


def test_postgres_samples_blocks_of_the_whole_table(pg_table: tuple[sa.Engine, str]) -> None:
    check_spread(*pg_table)


def test_duckdb_samples_rows_of_the_whole_table(tmp_path: Path) -> None:
    """DuckDB reads a bare number as a row count (and refuses it for SYSTEM), and its SYSTEM
    draws whole 2,048-row vectors: the backend asks for BERNOULLI (n PERCENT)."""
    pytest.importorskip("duckdb_engine", reason="the duckdb extra (duckdb-engine) is not installed")
    path = tmp_path / "big.duckdb"
    writer = sa.create_engine(f"duckdb:///{path}")
    with writer.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE big AS SELECT range AS id, "
            "CASE WHEN range % 2 = 0 THEN 'even' ELSE 'odd' END AS day, random() AS value "
            f"FROM range({ROWS})"
        )
    writer.dispose()
    engine = sa.create_engine(f"duckdb:///{path}")
    try:
        check_spread(engine, "big")
    finally:
        engine.dispose()


def test_sqlite_has_no_block_sampling_and_reads_the_first_rows(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'big.db'}")
    big_frame().to_sql("big", engine, index=False)
    profile = profile_table(engine, "big", mode="sample", sample_rows=SAMPLE)
    assert profile.sample_size == SAMPLE
    assert profile.column("id").max == SAMPLE - 1


def test_the_plan_says_which_sample_it_reads() -> None:
    engine_side = plan_for(backend_for("postgresql"), "sample", 1_000_000, 10_000)
    assert "TABLESAMPLE" in engine_side.runs
    small = plan_for(backend_for("postgresql"), "sample", 50_000, 10_000)
    assert small.runs == "one pass over the first 10,000 rows"
    no_sampling = plan_for(backend_for("mysql"), "sample", 1_000_000, 10_000)
    assert no_sampling.runs == "one pass over the first 10,000 rows"
