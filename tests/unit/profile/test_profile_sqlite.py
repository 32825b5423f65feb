"""The streaming and sampling profiler on SQLite, against pandas on the same data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from datagen import make_mixed_frame
from hypothesis import given, settings
from hypothesis import strategies as st
from profile_checks import assert_matches_pandas, reference_frame

from ddtui.errors import DataSourceError
from ddtui.profile import (
    ProfileCancelled,
    TableProfile,
    TableSchema,
    profile_stages,
    profile_table,
    read_schema,
)
from ddtui.profile.streaming import scan


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{tmp_path / 'data.sqlite'}")


def write(engine: sa.Engine, frame: pd.DataFrame, table: str = "t", **kwargs: object) -> None:
    frame.to_sql(table, engine, index=False, **kwargs)


def check(engine: sa.Engine, table: str = "t", **kwargs: object) -> TableProfile:
    """Profile exactly and compare with pandas on the same table."""
    profile = profile_table(engine, table, **kwargs)
    assert profile.exact and profile.strategy == "stream"
    assert_matches_pandas(profile, reference_frame(engine, table))
    return profile


def test_mixed_table_matches_pandas(engine: sa.Engine) -> None:
    write(engine, make_mixed_frame(3000, seed=1))
    profile = check(engine)
    assert profile.column("colour").kind == "text"
    assert profile.column("created").kind == "datetime"
    assert profile.column("active").kind == "boolean"
    assert profile.column("quantity").pandas_dtype == "float64"  # int with NULLs
    assert profile.column("id").pandas_dtype == "int64"
    assert len(profile.head) == 5 and len(profile.tail) == 5
    assert profile.head[0]["id"] == 0 and profile.tail[-1]["id"] == 2999
    assert isinstance(profile.head[0]["created"], dt.datetime | type(None))


def test_empty_table(engine: sa.Engine) -> None:
    write(engine, make_mixed_frame(0))
    profile = check(engine)
    assert profile.row_count == 0
    assert all(c.count == 0 and c.histogram is None for c in profile.columns)
    assert profile.head == [] and profile.tail == []


def test_one_row(engine: sa.Engine) -> None:
    write(engine, make_mixed_frame(1))
    profile = check(engine)
    assert profile.column("price").std is None  # pandas: NaN with one value


def test_all_null_constant_and_extreme_columns(engine: sa.Engine) -> None:
    frame = pd.DataFrame(
        {
            "all_null": pd.Series([None] * 6, dtype=float),
            "all_null_text": pd.Series([None] * 6, dtype=object),
            "constant": [0.1] * 6,
            "huge": [1e300, -1e300, 1e299, 1e300, 5e299, 0.0],
            "tiny": [1e-300, 2e-310, 0.0, -1e-300, 3e-300, 1e-299],
            "infinite": [np.inf, -np.inf, 1.0, 2.0, np.inf, None],
        }
    )
    write(engine, frame)
    profile = check(engine)
    assert profile.column("all_null").count == 0
    assert profile.column("constant").distinct == 1
    assert profile.column("constant").histogram.counts[10] == 6  # numpy's unit range
    assert profile.column("infinite").infinities == 3
    assert sum(profile.column("infinite").histogram.counts) == 2  # finite values only


def test_nan_is_missing_like_null(engine: sa.Engine) -> None:
    write(engine, pd.DataFrame({"x": [1.0, np.nan, None, 4.0]}))
    profile = check(engine)
    assert profile.column("x").missing == 2


def test_mixed_type_text_and_unicode_names(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql('CREATE TABLE t ("naïve 名前" TEXT, "mixed" , "long" TEXT)')
        rows = [("été", 1, "x" * 10_000), ("日本", "1", None), (None, 1.5, "y"), ("été", b"ab", "")]
        conn.exec_driver_sql("INSERT INTO t VALUES (?, ?, ?)", rows)
    profile = profile_table(engine, "t")
    frame = reference_frame(engine, "t")
    assert_matches_pandas(profile, frame)
    assert profile.column("naïve 名前").top == "été"
    assert profile.column("long").max_length == 10_000


def test_wide_table(engine: sa.Engine) -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(12, 320)), columns=[f"c{i}" for i in range(320)])
    write(engine, frame)
    profile = profile_table(engine, "t")
    assert profile.column_count == 320
    assert_matches_pandas(profile, reference_frame(engine, "t"), every=16)


def test_binary_booleans_and_datetimes(engine: sa.Engine) -> None:
    frame = pd.DataFrame(
        {
            "blob": [b"\x00\x01", None, b"abc", b""],
            "flag": [True, None, False, True],
            "day": pd.to_datetime(["2024-01-01", None, "2023-06-30", "2024-02-29"]),
            "aware": pd.to_datetime(
                [
                    "2024-01-01 10:00+02:00",
                    "2024-01-01 09:00+00:00",
                    None,
                    "2023-12-31 23:00-05:00",
                ],
                utc=True,
            ),
        }
    )
    write(engine, frame, dtype={"blob": sa.LargeBinary, "aware": sa.DateTime(timezone=True)})
    profile = profile_table(engine, "t")
    blob = profile.column("blob")
    assert (blob.kind, blob.count, blob.missing, blob.distinct, blob.histogram) == (
        "binary", 3, 1, None, None,
    )  # fmt: skip
    assert (blob.min_length, blob.max_length) == (0, 3)
    flag = profile.column("flag")
    assert (flag.true_count, flag.false_count, flag.missing) == (2, 1, 1)
    reference = reference_frame(engine, "t")
    for name in ("flag", "day", "aware"):
        from profile_checks import assert_column_matches

        assert_column_matches(profile.column(name), reference[name])


def test_columns_argument_and_unknown_names(engine: sa.Engine) -> None:
    write(engine, make_mixed_frame(20))
    profile = profile_table(engine, "t", columns=["price", "colour"])
    assert [c.name for c in profile.columns] == ["price", "colour"]
    with pytest.raises(DataSourceError, match="no column 'nope'"):
        profile_table(engine, "t", columns=["nope"])
    with pytest.raises(DataSourceError, match="table 'missing' not found in sqlite:///"):
        profile_table(engine, "missing")
    with pytest.raises(DataSourceError, match="not found"):
        read_schema(engine, "missing")


def test_read_schema(engine: sa.Engine) -> None:
    write(engine, make_mixed_frame(42))
    schema = read_schema(engine, "t")
    assert schema.row_count == 42
    assert schema.columns[0] == ("id", "BIGINT")
    assert len(schema.columns) == 10


def test_sample_is_labelled_and_bounded(engine: sa.Engine) -> None:
    write(engine, make_mixed_frame(5000, seed=2))
    sample = profile_table(engine, "t", mode="sample", sample_rows=1000)
    assert (sample.exact, sample.strategy, sample.sample_size, sample.row_count) == (
        False, "sample", 1000, 5000,
    )  # fmt: skip
    assert sample.column("id").count == 1000
    assert sample.tail[-1]["id"] == 4999  # the table's tail, not the sample's
    assert_matches_pandas(
        sample.__class__(**{**sample.__dict__, "row_count": 1000}),
        reference_frame(engine, "t").head(1000),
    )
    whole = profile_table(engine, "t", mode="sample", sample_rows=10_000)
    assert whole.exact and whole.sample_size is None


def test_stages(engine: sa.Engine) -> None:
    write(engine, make_mixed_frame(3000))
    stages = list(profile_stages(engine, "t", sample_rows=500))
    assert isinstance(stages[0], TableSchema) and stages[0].row_count == 3000
    assert [(s.exact, s.sample_size) for s in stages[1:]] == [(False, 500), (True, None)]
    small = list(profile_stages(engine, "t", sample_rows=5000))
    assert len(small) == 2 and small[1].exact


def test_progress_and_cancellation(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "CHUNK_VALUES", 5000)  # 500-row chunks: many progress steps
    write(engine, make_mixed_frame(5000))
    reports: list[tuple[float, str]] = []
    profile_table(engine, "t", progress=lambda f, m: reports.append((f, m)))
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 3
    assert all(isinstance(m, str) and m for _, m in reports)

    calls = 0

    def cancel_after_two() -> bool:
        nonlocal calls
        calls += 1
        return calls > 2

    with pytest.raises(ProfileCancelled):
        profile_table(engine, "t", cancelled=cancel_after_two)
    stages = profile_stages(engine, "t", sample_rows=100, cancelled=lambda: True)
    assert isinstance(next(stages), TableSchema)  # the schema is cheap and comes first
    with pytest.raises(ProfileCancelled):
        next(stages)


def test_profiles_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    write(sa.create_engine(f"sqlite:///{path}"), make_mixed_frame(500))
    path.chmod(0o444)
    before = path.read_bytes()
    readonly = sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    for mode in ("exact", "sample"):
        profile = profile_table(readonly, "t", mode=mode, sample_rows=100)  # type: ignore[arg-type]
        assert profile.row_count == 500
    list(profile_stages(readonly, "t", sample_rows=100))
    assert path.read_bytes() == before


def test_missing_table_names_the_database_as_the_user_wrote_it(tmp_path: Path) -> None:
    from ddtui.backends.engines import create_readonly_engine

    path = tmp_path / "data.sqlite"
    write(sa.create_engine(f"sqlite:///{path}"), make_mixed_frame(5))
    readonly = create_readonly_engine(f"sqlite:///{path}")
    with pytest.raises(DataSourceError) as caught:
        profile_table(readonly, "missing")
    # Not the read-only URI ddtui opens (file:...%3Fmode%3Dro?uri=true).
    assert str(caught.value) == f"table 'missing' not found in sqlite:///{path}"


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.floats(-1e15, 1e15, allow_nan=False), st.integers(-99, 99)),
            st.one_of(st.none(), st.integers(-(2**40), 2**40)),
            st.one_of(st.none(), st.text(max_size=8)),
            st.one_of(st.none(), st.booleans()),
        ),
        max_size=30,
    )
)
def test_random_tables_match_pandas(rows: list[tuple[object, ...]]) -> None:
    frame = pd.DataFrame(rows, columns=["x", "i", "s", "b"])
    frame = frame.astype({"x": float, "i": "Int64", "s": object, "b": object})
    engine = sa.create_engine("sqlite://")  # in memory: one fresh database per example
    frame.to_sql("t", engine, index=False, dtype={"b": sa.Boolean})
    check(engine)
