"""The Arrow reading path of SQLite's exact profile gives the stream's profile, equal to pandas.

arrow_profile.py reads SQLite tables as Arrow batches (ADBC) in two rowid ranges; where the
table holds values it would read otherwise than the stream (SQLite is dynamically typed),
it hands the table back to the stream. Small batches here make every table several of
them, in both ranges, with merges of the value counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profile_checks import assert_matches_pandas, reference_frame

from ddtui.profile import TableProfile, profile_table
from ddtui.profile.streaming import arrow_profile, arrow_read, stream
from ddtui.profile.streaming import sqlite_groups as grouped

pytest.importorskip("pyarrow")
pytest.importorskip("adbc_driver_sqlite")

DDL = (
    "CREATE TABLE t (id INTEGER, score FLOAT, qty INTEGER, label TEXT, note TEXT, "
    "flag BOOLEAN, at TIMESTAMP)"
)
START = datetime(2024, 1, 1)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrow_profile, "MIN_ROWS", 0)
    monkeypatch.setattr(arrow_read, "BATCH_ROWS", 4)
    monkeypatch.setattr(arrow_read, "MERGE_ENTRIES", 3)
    # No column is many-valued: Arrow counts every text and boolean column (in tables this
    # small, the default share would hand them all to SQLite's GROUP BY).
    monkeypatch.setattr(grouped, "MANY_VALUED_SHARE", 0)


@pytest.fixture
def arrow_used(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per exact profile: whether the Arrow path read it."""
    used: list[bool] = []
    real = stream.arrow_scan

    def spy(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        used.append(result is not None)
        return result

    monkeypatch.setattr(stream, "arrow_scan", spy)
    return used


def make_table(path: Path, rows: list[tuple[Any, ...]], ddl: str = DDL) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql(ddl)
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            conn.exec_driver_sql(f"INSERT INTO t VALUES ({marks})", rows)
    return engine


def mixed_rows(n: int) -> list[tuple[Any, ...]]:
    return [
        (
            i,
            None if i % 7 == 3 else (i * 37 % 101) / 4 - 9.5,
            None if i % 11 == 5 else i * 13 % 17 - 4,
            None if i % 5 == 0 else ["red", "green", "blue", "x\x00y"][i * 7 % 4],
            f"note {i * 7919 % 53}",  # many ties, first seen order matters
            None if i % 9 == 0 else i % 3 == 0,
            None if i % 6 == 2 else str(START + timedelta(minutes=i * 97, microseconds=i)),
        )
        for i in range(n)
    ]


def stream_only(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> TableProfile:
    with monkeypatch.context() as patch:
        patch.setattr(arrow_profile, "applicable", lambda *args: False)
        return profile_table(engine, "t")


def assert_same(arrow: TableProfile, streamed: TableProfile) -> None:
    assert arrow.columns == streamed.columns
    assert (arrow.head, arrow.tail, arrow.row_count) == (
        streamed.head,
        streamed.tail,
        streamed.row_count,
    )


@pytest.mark.parametrize("many_valued_share", [0, grouped.MANY_VALUED_SHARE])
def test_arrow_profile_equals_the_stream_and_pandas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arrow_used: list[bool], many_valued_share: int
) -> None:
    """Arrow reads all columns, or (the default share) SQLite counts the text ones."""
    monkeypatch.setattr(grouped, "MANY_VALUED_SHARE", many_valued_share)
    engine = make_table(tmp_path / "d.sqlite", mixed_rows(61))
    profile = profile_table(engine, "t")
    assert arrow_used == [True]
    assert_matches_pandas(profile, reference_frame(engine, "t"))
    assert_same(profile, stream_only(engine, monkeypatch))
    assert profile.column("label").top_values[0] == ("x\x00y", 12)  # a NUL in text is no end


def replaced(column: int, value: Any, rows: range) -> Any:
    """A change of `column` to `value` in the rows of `rows`."""
    return lambda row, i: (*row[:column], value if i in rows else row[column], *row[column + 1 :])


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("bytes in a TEXT column", replaced(3, b"\x01", range(30, 31))),
        ("a real in an INTEGER column", replaced(2, 2.5, range(30, 31))),
        ("NULLs before text, more than a batch", replaced(3, None, range(9))),
    ],
)
def test_values_arrow_would_misread_go_to_the_stream(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    arrow_used: list[bool],
    case: str,
    change: Any,
) -> None:
    rows = [change(row, i) for i, row in enumerate(mixed_rows(40))]
    engine = make_table(tmp_path / "d.sqlite", rows)
    profile = profile_table(engine, "t")
    assert arrow_used == [False], case
    assert_same(profile, stream_only(engine, monkeypatch))


def test_break_the_guard_and_the_profile_goes_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arrow_used: list[bool]
) -> None:
    """An integer among timestamps (NUMERIC affinity keeps it one): ADBC would read it as
    text, '1234567', and parse a year; the guard hands the table to the stream instead."""
    rows = [(*row[:6], 1234567 if i == 30 else row[6]) for i, row in enumerate(mixed_rows(40))]
    engine = make_table(tmp_path / "d.sqlite", rows)
    streamed = stream_only(engine, monkeypatch)
    assert_same(profile_table(engine, "t"), streamed)
    unguarded = {k: (*v, "integer") for k, v in arrow_read.STORAGE.items()}
    monkeypatch.setattr(arrow_read, "STORAGE", unguarded)
    assert profile_table(engine, "t").column("at") != streamed.column("at")
    assert arrow_used == [False, True]


rows_strategy = st.lists(
    st.tuples(
        st.none() | st.integers(-(2**40), 2**40),
        st.none() | st.floats(allow_nan=False, width=32),
        st.none() | st.integers(-5, 5),
        st.none() | st.sampled_from(["a", "b", "A", "", "é", "a\x00"]),
        st.none() | st.text(max_size=3),
        st.none() | st.booleans(),
        st.none() | st.integers(0, 10**6).map(lambda s: str(START + timedelta(seconds=s))),
    ),
    max_size=40,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy)
def test_arrow_and_stream_agree_on_any_rows(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, rows: list[Any]
) -> None:
    engine = make_table(tmp_path_factory.mktemp("h") / "d.sqlite", rows)
    assert_same(profile_table(engine, "t"), stream_only(engine, monkeypatch))
