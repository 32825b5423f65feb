"""A partition's profile (`WHERE ds = :value`) equals pandas on that partition's rows only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from airflow_home_support import MYSQL_URL, POSTGRES_URL, require_service
from partition_support import DAYS, partitioned_frame, the_slice
from profile_checks import assert_matches_pandas

from ddtui.errors import DataSourceError
from ddtui.outputs.table_slice import InvalidSliceError, TableSlice
from ddtui.profile import TableSchema, profile_stages, profile_table
from ddtui.profile import api as profile_api


def check_partition(engine: sa.Engine, table: str, frame: pd.DataFrame, **kwargs: object) -> None:
    day = DAYS[1]
    partition = TableSlice.from_mapping({"ds": day.isoformat()})
    columns = [c for c in frame.columns if c != "ds"]
    profile = profile_table(engine, table, partition=partition, columns=columns, **kwargs)
    expected = the_slice(frame, day)
    assert profile.table == f"{table} [ds=2024-01-02]"
    assert profile.exact
    assert_matches_pandas(profile, expected)
    assert [row["id"] for row in profile.head] == expected["id"].head(5).tolist()
    assert [row["id"] for row in profile.tail] == expected["id"].tail(5).tolist()


@pytest.fixture
def sqlite_table(tmp_path: Path) -> tuple[sa.Engine, pd.DataFrame]:
    frame = partitioned_frame()
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'parts.db'}")
    frame.to_sql("events", engine, index=False, dtype={"ds": sa.Date()})
    return engine, frame


def test_sqlite_partition_equals_pandas(sqlite_table: tuple[sa.Engine, pd.DataFrame]) -> None:
    engine, frame = sqlite_table
    check_partition(engine, "events", frame)


def test_sqlite_partition_in_passes_equals_pandas(
    sqlite_table: tuple[sa.Engine, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ddtui.profile.streaming import stream

    monkeypatch.setattr(stream, "MEMORY_VALUES", 0)
    engine, frame = sqlite_table
    check_partition(engine, "events", frame)


def test_a_sample_shows_the_partitions_ends(sqlite_table: tuple[sa.Engine, pd.DataFrame]) -> None:
    engine, frame = sqlite_table
    partition = TableSlice.from_mapping({"ds": "2024-01-02"})
    profile = profile_table(engine, "events", partition=partition, mode="sample", sample_rows=200)
    expected = the_slice(frame, DAYS[1])
    assert profile.sample_size == 200 and profile.row_count == len(expected)
    assert [row["id"] for row in profile.head] == expected["id"].head(5).tolist()
    assert [row["id"] for row in profile.tail] == expected["id"].tail(5).tolist()


def test_stages_count_the_partition(sqlite_table: tuple[sa.Engine, pd.DataFrame]) -> None:
    engine, frame = sqlite_table
    partition = TableSlice.from_mapping({"ds": "2024-01-03"})
    stages = list(profile_stages(engine, "events", partition=partition, sample_rows=500))
    assert isinstance(stages[0], TableSchema)
    assert stages[0].row_count == int((frame["ds"] == DAYS[2]).sum())
    assert stages[0].table == "events [ds=2024-01-03]"
    sample, exact = stages[1:]
    assert not sample.exact and sample.sample_size == 500
    assert exact.exact and exact.row_count == stages[0].row_count


def test_a_partition_without_rows_is_an_empty_profile(
    sqlite_table: tuple[sa.Engine, pd.DataFrame],
) -> None:
    engine, _ = sqlite_table
    profile = profile_table(
        engine, "events", partition=TableSlice.from_mapping({"ds": "1999-01-01"})
    )
    assert profile.row_count == 0 and profile.head == [] and profile.tail == []


def test_bad_partitions_are_one_line(sqlite_table: tuple[sa.Engine, pd.DataFrame]) -> None:
    engine, _ = sqlite_table
    with pytest.raises(DataSourceError, match="no partition column 'day' in table 'events'"):
        profile_table(engine, "events", partition=TableSlice.from_mapping({"day": "x"}))
    with pytest.raises(DataSourceError, match=r"'2024-13-01' is not a date \(column 'ds'\)"):
        profile_table(engine, "events", partition=TableSlice.from_mapping({"ds": "2024-13-01"}))
    with pytest.raises(InvalidSliceError, match="not COLUMN=VALUE"):
        TableSlice.parse(["ds"])
    with pytest.raises(InvalidSliceError, match="not a single value"):
        TableSlice.from_mapping({"ds": ["2024-01-01"]})


def test_values_are_bound_never_spliced() -> None:
    table = sa.Table("t", sa.MetaData(), sa.Column("ds", sa.String), sa.Column("n", sa.Integer))
    partition = TableSlice.parse(["ds=x'; DROP TABLE t; --", "n=7"])
    assert partition is not None
    compiled = sa.select(table).where(partition.where(table)).compile()
    assert "DROP" not in str(compiled)
    assert list(compiled.params.values()) == ["x'; DROP TABLE t; --", 7]


SERVERS = {"postgresql": ("PostgreSQL", POSTGRES_URL), "mysql": ("MariaDB/MySQL", MYSQL_URL)}


@pytest.fixture(params=[*sorted(SERVERS), "duckdb"])
def server_table(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[sa.Engine, str, pd.DataFrame]]:
    if request.param == "duckdb":
        pytest.importorskip("duckdb_engine", reason="the duckdb extra is not installed")
        url = f"duckdb:///{tmp_path / 'parts.duckdb'}"
    else:
        name, url = SERVERS[request.param]
        require_service(name, url)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    table = f"ddtui_part_{uuid.uuid4().hex[:10]}"
    frame = partitioned_frame()
    frame.to_sql(table, engine, index=False, dtype={"ds": sa.Date()})
    try:
        yield engine, table, frame
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))  # our own safe name
        engine.dispose()


@pytest.mark.parametrize("strategy", ["pushdown", "stream"])
def test_server_partition_equals_pandas(
    server_table: tuple[sa.Engine, str, pd.DataFrame],
    strategy: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine, table, frame = server_table
    limit = 0 if strategy == "pushdown" else 10**9
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", limit)
    check_partition(engine, table, frame)
    profile = profile_table(engine, table, partition=TableSlice.from_mapping({"ds": "2024-01-01"}))
    assert profile.strategy == strategy
