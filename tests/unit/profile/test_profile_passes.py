"""Beyond the memory budget the exact profile reads in passes: same numbers, flat memory.

The one-pass profile (which keeps each number column in memory) and pandas are the
references: on the same tables, with the budget set to nothing, every metric of every
column must be the one the one-pass profile gives, bit for bit.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
import test_profile_sqlite as sqlite_tests
from datagen import make_mixed_frame
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from profile_checks import assert_matches_pandas, reference_frame

from ddtui.errors import DataSourceError
from ddtui.profile import TableProfile, profile_table
from ddtui.profile.streaming import bounded, distinct, passes, ranks, scan, stream, sums
from ddtui.profile.streaming.bounded import interpolated
from ddtui.profile.streaming.sums import BufferedSum, PairwiseSum


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{tmp_path / 'data.sqlite'}")


@pytest.fixture
def no_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every table is beyond the memory budget."""
    monkeypatch.setattr(stream, "MEMORY_VALUES", 0)


def both_ways(engine: sa.Engine) -> TableProfile:
    """The profile in passes, after checking it equals the one-pass profile field by field."""
    one_pass = profile_table(engine, "t")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stream, "MEMORY_VALUES", 0)
        patch.setattr(sums, "LEAF", 100)  # numpy's pairwise tree in many leaves
        in_passes = profile_table(engine, "t")
    assert in_passes.strategy == one_pass.strategy == "stream"
    for ours, reference in zip(in_passes.columns, one_pass.columns, strict=True):
        # Equal as Python values, NaN/None alike: the same sums, quantiles and bins.
        assert _fields(ours) == _fields(reference), ours.name
    assert (in_passes.head, in_passes.tail) == (one_pass.head, one_pass.tail)
    return in_passes


def _fields(column: Any) -> dict[str, Any]:
    """Floats by their repr (every bit), but 0.0 and -0.0 alike: numpy sorts them as equal."""
    return {k: (repr(v + 0.0) if isinstance(v, float) else v) for k, v in column.__dict__.items()}


def write(engine: sa.Engine, frame: pd.DataFrame, **kwargs: Any) -> None:
    frame.to_sql("t", engine, index=False, **kwargs)


def test_mixed_table_in_passes_is_the_one_pass_profile(engine: sa.Engine) -> None:
    write(engine, make_mixed_frame(30_000, seed=4))
    profile = both_ways(engine)
    assert_matches_pandas(profile, reference_frame(engine, "t"))


def test_hard_numbers_in_passes(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(distinct, "PART_VALUES", 2)  # many parts: -0.0 and 0.0 in one
    n = 40
    big = 2**53
    frame = pd.DataFrame(
        {
            "all_null": pd.Series([None] * n, dtype=float),
            "constant": [0.1] * n,
            "neg_zero": [-0.0, 0.0] * (n // 2),
            "huge": [1e300, -1e300, 1e299, 5e299, 0.0] * (n // 5),
            "tiny": [1e-300, 2e-310, 0.0, -1e-300, 3e-300] * (n // 5),
            "infinite": [np.inf, -np.inf, 1.0, 2.0, np.inf, None, np.nan, 3.0] * (n // 8),
            "only_inf": [np.inf, -np.inf, None, np.inf] * (n // 4),
            "few": [1, 2, 2, 3] * (n // 4),
            "wide_ints": pd.Series([big + i for i in range(n)], dtype="int64"),
            "wide_with_null": pd.Series([big + i for i in range(n - 1)] + [None], dtype="Int64"),
        }
    )
    write(engine, frame)
    profile = both_ways(engine)
    assert_matches_pandas(profile, reference_frame(engine, "t"))
    assert profile.column("wide_with_null").pandas_dtype == "float64"
    # 2**53 + 1 rounds to 2**53 as a float: pandas counts fewer distinct values.
    assert profile.column("wide_with_null").distinct < profile.column("wide_ints").distinct


def test_int64_extremes_in_passes(engine: sa.Engine) -> None:
    # Only against the one-pass profile: numpy's quantiles of these overflow in int64, where
    # pandas' do not (a difference of the one-pass profile, kept as it is).
    extremes = pd.Series([2**63 - 1, -(2**63), 0, 1] * 10, dtype="int64")
    write(engine, pd.DataFrame({"extremes": extremes, "with_null": extremes.astype("Int64")}))
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE t SET with_null = NULL WHERE rowid = 3")
    profile = both_ways(engine)
    assert profile.column("extremes").distinct == 4


def test_empty_and_one_row_tables(engine: sa.Engine) -> None:
    write(engine, make_mixed_frame(1))
    both_ways(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM t")
    profile = both_ways(engine)
    assert all(c.count == 0 for c in profile.columns)


def test_mixed_values_in_an_untyped_number_column(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x REAL, i INTEGER, d TIMESTAMP)")
        rows = [
            (1, 1, "2024-01-01 00:00:00.000000"),
            (1.0, None, "2024-01-01T00:00:00"),
            (2.5, 3, "2024-01-01 00:00:00"),
            (None, 3, None),
            ("4", 4, "2023-06-30"),
        ]
        conn.exec_driver_sql("INSERT INTO t VALUES (?, ?, ?)", rows * 3)
    profile = both_ways(engine)
    # Three texts of one instant and one other: SQLite's distinct texts would say four.
    assert profile.column("d").distinct == 2
    assert profile.column("x").distinct == 3  # 1 and 1.0 are one value, "4" is 4.0


def test_datetimes_in_passes(engine: sa.Engine) -> None:
    rng = np.random.default_rng(3)
    start = dt.datetime(1969, 12, 31, 23, 59, 59, 999_999)  # ticks either side of zero
    offsets = rng.integers(-(10**13), 10**13, 3001)
    moments = [start + dt.timedelta(microseconds=int(m)) for m in offsets]
    frame = pd.DataFrame(
        {
            "naive": pd.Series(moments).mask(rng.random(3001) < 0.1),
            "aware": pd.Series(pd.to_datetime(moments, utc=True)).mask(rng.random(3001) < 0.1),
            "few": pd.Series([moments[0], moments[1], None] * 1000 + [moments[0]]),
        }
    )
    write(engine, frame, dtype={"aware": sa.DateTime(timezone=True)})
    profile = both_ways(engine)
    assert_matches_pandas(profile, reference_frame(engine, "t"))


def test_more_passes_when_a_quartile_bucket_holds_many_values(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Few buckets and few kept values per bucket: the quartiles take a third pass or more.
    monkeypatch.setattr(ranks, "BITS", 2)
    monkeypatch.setattr(ranks, "KEEP_DISTINCT", 3)
    rng = np.random.default_rng(9)
    frame = pd.DataFrame(
        {
            "clustered": 1e6 + rng.normal(0, 1e-3, 2000),  # one bucket at first
            "ints": rng.integers(-(2**62), 2**62, 2000),
            "repeated": np.repeat(np.arange(8.0), 250),
        }
    )
    write(engine, frame)
    profile = both_ways(engine)
    assert_matches_pandas(profile, reference_frame(engine, "t"))


def test_text_that_turns_many_valued_is_handed_over_to_sqlite(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Few values in the first rows, then a new value a row: Python stops counting it.
    labels = [f"first {i % 5}" for i in range(3000)] + [f"later {i}" for i in range(2000)]
    write(engine, pd.DataFrame({"label": labels, "x": np.arange(5000) * 0.5}))
    monkeypatch.setattr(bounded, "COUNTED_KEYS", 100)
    monkeypatch.setattr(passes, "count_jobs", lambda *args: [])  # every text column streamed
    handed_over = []
    original = bounded.HandedOverCounts._check

    def spy(self: bounded.HandedOverCounts) -> None:
        original(self)
        handed_over.append(self.handed_over)

    monkeypatch.setattr(bounded.HandedOverCounts, "_check", spy)
    profile = both_ways(engine)
    assert handed_over[-1]
    assert profile.column("label").distinct == 2005
    assert_matches_pandas(profile, reference_frame(engine, "t"))


def test_a_table_changed_between_passes_is_an_error(
    engine: sa.Engine, no_budget: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(engine, make_mixed_frame(500))
    read_again = passes.read_again

    def after_an_insert(*args: Any, **kwargs: Any) -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t (id, score) VALUES (500, 1.5)")
        read_again(*args, **kwargs)

    monkeypatch.setattr(passes, "read_again", after_an_insert)
    with pytest.raises(DataSourceError, match="changed while it was profiled"):
        profile_table(engine, "t")


def test_no_room_for_temporary_files_is_one_line(
    engine: sa.Engine, no_budget: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(engine, make_mixed_frame(50))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with pytest.raises(DataSourceError, match="temporary files, and they could not be written"):
        profile_table(engine, "t")


@pytest.mark.parametrize(
    "name",
    [
        "test_mixed_table_matches_pandas",
        "test_all_null_constant_and_extreme_columns",
        "test_nan_is_missing_like_null",
        "test_mixed_type_text_and_unicode_names",
        "test_wide_table",
        "test_binary_booleans_and_datetimes",
    ],
)
@pytest.mark.usefixtures("no_budget")
def test_sqlite_checks_hold_in_passes(name: str, engine: sa.Engine) -> None:
    getattr(sqlite_tests, name)(engine)


@pytest.mark.usefixtures("no_budget")
def test_random_tables_in_passes_match_pandas() -> None:
    # In-memory databases: no second connection, so Python counts the text columns.
    sqlite_tests.test_random_tables_match_pandas()


def test_memory_stays_flat_as_rows_grow(
    tmp_path: Path, no_budget: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks and buffers, so that both tables are well beyond them.
    monkeypatch.setattr(scan, "CHUNK_VALUES", 5000)
    monkeypatch.setattr(ranks, "COUNT_BUFFER", 4096)
    monkeypatch.setattr(ranks, "KEEP_DISTINCT", 512)
    monkeypatch.setattr(sums, "LEAF", 1024)
    monkeypatch.setattr(ranks, "BITS", 10)
    monkeypatch.setattr(distinct, "BUFFERED_VALUES", 4096)
    monkeypatch.setattr(distinct, "PART_VALUES", 16384)

    def peak(rows: int) -> int:
        path = tmp_path / f"{rows}.sqlite"
        frame = make_mixed_frame(rows, seed=1)[["id", "score", "price", "amount", "created"]]
        frame.to_sql("t", sa.create_engine(f"sqlite:///{path}"), index=False)
        engine = sa.create_engine(f"sqlite:///{path}")
        tracemalloc.start()
        try:
            profile_table(engine, "t")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(20_000), peak(80_000)
    # Kept columns would take 5 x 8 bytes x 60,000 more rows: 2.4 MB more.
    assert large - small < 500_000, (small, large)


def test_zero_and_negative_zero_are_one_distinct_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(distinct, "PART_VALUES", 1)  # a part a value
    counter = distinct.DistinctCounter(6, tmp_path, "x")  # their bits go to different parts
    counter.add(np.array([-0.0, 0.0, 1.5, -0.0, np.inf, 1.5]))
    assert counter.count() == 3
    assert not list(tmp_path.iterdir())


# The streamed sums and the quantiles from order statistics, against numpy itself.


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.integers(0, 200_000),
        elements=st.one_of(st.floats(-1e300, 1e300), st.sampled_from([np.inf, -np.inf, -0.0])),
        fill=st.floats(-1e6, 1e6),
    ),
    st.integers(1, 90_000),
    st.sampled_from([128, 129, 136, 1000, sums.LEAF]),
)
def test_streamed_pairwise_sum_is_numpy_sum(values: np.ndarray, piece: int, leaf: int) -> None:
    total = PairwiseSum(values.size, leaf)
    for start in range(0, values.size, piece):
        total.add(values[start : start + piece])
    with np.errstate(all="ignore"):
        expected = np.sum(values)
    assert repr(total.total()) == repr(float(expected))


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(np.int64, st.integers(0, 50_000), elements=st.integers(-(2**62), 2**62)),
    st.integers(1, 20_000),
)
def test_streamed_cast_sum_is_numpy_sum(values: np.ndarray, piece: int) -> None:
    total = BufferedSum()
    for start in range(0, values.size, piece):
        total.add(values[start : start + piece])
    assert total.result() == float(values.sum(dtype=np.float64))


@settings(max_examples=300, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.integers(1, 60),
        elements=st.one_of(
            st.floats(allow_nan=False), st.sampled_from([0.0, -0.0, np.inf, -np.inf, 1e308])
        ),
    )
)
def test_quartiles_from_order_statistics_are_numpy_percentiles(values: np.ndarray) -> None:
    ordered = np.sort(values)
    found = dict(enumerate(ordered))
    with np.errstate(all="ignore"):
        expected = np.percentile(ordered, [25, 50, 75], method="linear")
        actual = interpolated(len(ordered), found, ordered.dtype, _percentile)
    # Every bit, but 0.0 and -0.0 alike: numpy's partition may order them either way.
    assert [repr(float(v) + 0.0) for v in actual] == [repr(float(v) + 0.0) for v in expected]


def _percentile(values: np.ndarray, q: float) -> Any:
    return np.percentile(values, [100 * q], method="linear")
