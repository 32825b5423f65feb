"""SQLite's GROUP BY counts of text, boolean and untyped columns equal the streamed counts.

The exact profile of an SQLite table lets SQLite count these columns
(streaming/sqlite_groups.py) while Python streams the others; the streaming
accumulators (and pandas) are the reference.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profile_checks import assert_column_matches, assert_matches_pandas, reference_frame

from ddtui.profile import ProfileCancelled, profile_table
from ddtui.profile.api import column_specs
from ddtui.profile.control import Control
from ddtui.profile.models import ColumnKind, ColumnProfile
from ddtui.profile.schema import reflect_table
from ddtui.profile.streaming import sqlite_groups as grouped_module
from ddtui.profile.streaming.accumulate import ColumnSpec, Settings
from ddtui.profile.streaming.scan import scan
from ddtui.profile.streaming.sqlite_groups import (
    CountJob,
    balanced,
    count_jobs,
    countable_jobs,
    grouped_profile,
    many_valued,
)
from ddtui.profile.streaming.stream import finish_all

DDL = (
    'CREATE TABLE t (id INTEGER, "label" TEXT COLLATE NOCASE, "any" , '
    '"flag" BOOLEAN, "note" VARCHAR(20))'
)


def make_table(engine: sa.Engine, rows: list[tuple[Any, ...]], ddl: str = DDL) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(ddl)
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            conn.exec_driver_sql(f"INSERT INTO t VALUES ({marks})", rows)


def streamed_and_grouped(
    engine: sa.Engine, top_k: int = 3
) -> list[tuple[ColumnProfile, ColumnProfile]]:
    """(streamed, grouped) profiles of each column SQLite can count."""
    options = Settings(top_k=top_k)
    with engine.connect() as conn:
        table = reflect_table(conn, "t", None)
        columns = list(table.columns)
        specs = column_specs(columns, conn.dialect)
        jobs = countable_jobs(conn, table, columns, specs)
        accumulators, *_ = scan(
            conn, table, columns, specs, settings=options, control=Control(), expected_rows=1
        )
        streamed = finish_all(accumulators, Control())
        return [(streamed[job.index], grouped_profile(conn, job, options)) for job in jobs]


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{tmp_path / 'data.sqlite'}")


def jobs_for(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        table = reflect_table(conn, "t", None)
        specs = column_specs(table.columns, conn.dialect)
        jobs = count_jobs(conn, table, list(table.columns), specs)
    return [job.spec.name for job in jobs]


def test_text_boolean_and_untyped_columns_can_be_counted(engine: sa.Engine) -> None:
    make_table(engine, [(1, "a", 1, 1, "x")])  # one row: every column looks many-valued
    assert jobs_for(engine) == ["label", "any", "flag", "note"]
    memory = sa.create_engine("sqlite://")  # no second connection to count on
    make_table(memory, [(1, "a", 1, 1, "x")])
    assert jobs_for(memory) == []


def test_many_valued_columns_are_counted_by_sqlite(engine: sa.Engine) -> None:
    # label: 3 values, any: 12,000, flag: 2, note: 2 in the first 10,000 rows only.
    rows = [
        (i, f"l{i % 3}", i, i % 2, f"n{i % 2}" if i < 10_000 else f"n{i}") for i in range(12_000)
    ]
    make_table(engine, rows)
    with engine.connect() as conn:
        table = reflect_table(conn, "t", None)
        specs = column_specs(table.columns, conn.dialect)
        jobs = countable_jobs(conn, table, list(table.columns), specs)
        assert many_valued(conn, jobs) == {2}
    # SQLite's thread also takes the boolean (cheap to sort), which shortens the stream.
    assert jobs_for(engine) == ["any", "flag"]
    profile = profile_table(engine, "t")
    assert profile.column("note").distinct == 2002
    assert_matches_pandas(profile, reference_frame(engine, "t"))


def kind_spec(kind: ColumnKind) -> ColumnSpec:
    return ColumnSpec(name=kind, kind=kind, db_type="")


def test_sqlite_takes_few_valued_columns_while_the_stream_is_longer() -> None:
    table = sa.Table("t", sa.MetaData(), sa.Column("x", sa.Text))
    rowid = sa.literal_column("rowid")
    texts = [kind_spec("text")] * 4
    specs = [kind_spec("number")] * 10 + texts
    jobs = [CountJob(10 + i, table, table.c.x, s, rowid) for i, s in enumerate(texts)]
    # Ten numbers make a long stream: SQLite counts three of the four text columns meanwhile.
    assert [job.index for job in balanced(jobs, specs, many=set())] == [10, 11, 12]
    # A lone few-valued text column: sorting it would take longer than counting in Python.
    lone = [CountJob(0, table, table.c.x, texts[0], rowid)]
    assert balanced(lone, texts[:1], many=set()) == []
    assert balanced(lone, texts[:1], many={0}) == lone


def test_python_equality_not_the_declared_collation(engine: sa.Engine) -> None:
    rows = [(i, label, None, None, None) for i, label in enumerate(["b", "A", "a", "B", "a", "A"])]
    make_table(engine, rows)
    profile = profile_table(engine, "t")
    label = profile.column("label")
    assert label.distinct == 4  # not 2, as NOCASE would group them
    assert label.top_values == [("A", 2), ("a", 2), ("b", 1), ("B", 1)]  # ties: first seen first
    assert_matches_pandas(profile, reference_frame(engine, "t"))


def test_nul_characters_count_in_lengths(engine: sa.Engine) -> None:
    values = ["ab\x00cd", "\x00", "xyz", None, "ab\x00cd", "longer text"]
    make_table(engine, [(i, v, v, None, v) for i, v in enumerate(values)])
    profile = profile_table(engine, "t")
    note = profile.column("note")
    assert (note.min_length, note.max_length) == (1, 11)
    assert note.mean_length == pytest.approx((5 + 1 + 3 + 5 + 11) / 5)
    assert_matches_pandas(profile, reference_frame(engine, "t"))
    for streamed, grouped in streamed_and_grouped(engine):
        assert grouped == streamed


def test_mixed_values_group_as_python_compares_them(engine: sa.Engine) -> None:
    values = [1.0, 1, "1", b"1", 1.5, None, 2, 2.0, "x", 0.0, -0.0, float("inf")]
    make_table(engine, [(i, None, v, v, None) for i, v in enumerate(values)])
    pairs = streamed_and_grouped(engine, top_k=10)
    for streamed, grouped in pairs:
        assert grouped == streamed
    untyped = pairs[1][1]
    assert untyped.top_values[:2] == [(1.0, 2), (2, 2)]  # the first value seen of each group
    assert isinstance(untyped.top_values[0][0], float)
    assert untyped.pandas_dtype == "object"


def test_odd_values_in_a_boolean_column(engine: sa.Engine) -> None:
    values = ["yes", 0, 1, "0", None, 2, 0.0, b"", "false"]
    make_table(engine, [(i, None, None, v, None) for i, v in enumerate(values)])
    for streamed, grouped in streamed_and_grouped(engine):
        assert grouped == streamed
    flag = profile_table(engine, "t").column("flag")
    # NUMERIC affinity stores "0" and 0.0 as 0; "false" stays text, and text is true.
    assert (flag.true_count, flag.false_count, flag.missing) == (4, 4, 1)


@pytest.mark.parametrize(
    "ddl",
    [
        'CREATE TABLE t (rowid TEXT, _rowid_ TEXT, oid TEXT, "s" TEXT)',  # every alias taken
        'CREATE TABLE t (k INTEGER PRIMARY KEY, "s" TEXT) WITHOUT ROWID',
        'CREATE TABLE t (rowid TEXT, "s" TEXT)',  # _rowid_ is the rowid then
    ],
)
def test_tables_without_a_usable_rowid(engine: sa.Engine, ddl: str) -> None:
    width = ddl.count(",") + 1
    rows = [tuple(f"v{(i * (c + 2)) % 5}" if c else i for c in range(width)) for i in range(40)]
    if "WITHOUT" not in ddl:
        rows = [tuple(str(v) for v in row) for row in rows]
    make_table(engine, rows, ddl)
    profile = profile_table(engine, "t")
    assert_matches_pandas(profile, reference_frame(engine, "t"))


def test_views_are_streamed(engine: sa.Engine) -> None:
    make_table(engine, [(i, f"l{i % 3}", i % 2, i % 2, f"n{i % 4}") for i in range(30)])
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE VIEW v AS SELECT * FROM t WHERE id > 4")
    profile = profile_table(engine, "v")
    assert profile.row_count == 25
    frame = reference_frame(engine, "v")
    assert_matches_pandas(profile, frame)


def test_in_memory_database_counts_on_the_one_connection() -> None:
    memory = sa.create_engine("sqlite://")  # a second connection would see another database
    make_table(memory, [(i, f"l{i % 3}", i, i % 2, None) for i in range(50)])
    profile = profile_table(memory, "t")
    assert profile.column("label").distinct == 3
    assert_matches_pandas(profile, reference_frame(memory, "t"))


def test_head_and_tail_cover_all_columns(engine: sa.Engine) -> None:
    make_table(engine, [(i, f"l{i}", i, i % 2, f"n{i}") for i in range(12)])
    profile = profile_table(engine, "t", head_rows=3)
    assert [r["label"] for r in profile.head] == ["l0", "l1", "l2"]
    assert [r["note"] for r in profile.tail] == ["n9", "n10", "n11"]
    assert profile.head[1] == {"id": 1, "label": "l1", "any": 1, "flag": True, "note": "n1"}


def test_cancelled_while_sqlite_counts(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [(i, f"label {i % 997}", i, i % 2, f"note {i}") for i in range(60_000)]
    make_table(engine, rows)
    messages: list[str] = []
    # The counts may not end before the profile is cancelled while it waits for them (on a
    # fast machine they would, and there would be nothing left to cancel).
    cancel_seen = threading.Event()
    count = grouped_module.grouped_profile

    def held_count(*args: Any) -> Any:
        cancel_seen.wait(30)
        return count(*args)

    monkeypatch.setattr(grouped_module, "grouped_profile", held_count)

    def cancelled() -> bool:
        if any(m.startswith("counting") for m in messages):
            cancel_seen.set()
        return cancel_seen.is_set()

    with pytest.raises(ProfileCancelled):
        profile_table(engine, "t", progress=lambda _, m: messages.append(m), cancelled=cancelled)
    assert not [t for t in threading.enumerate() if t.name.startswith("ddtui-count")]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.integers(-(2**63), 2**63 - 1),
            st.sampled_from([0, 1, 2**53, 2**53 + 1, 0.0, -0.0, 1.0, 2.0**53, 0.5, float("inf")]),
            st.text(alphabet="aAb\x00é", max_size=4),
            st.binary(max_size=3),
        ),
        max_size=25,
    )
)
def test_random_values_match_the_streamed_counts(tmp_path: Path, values: list[Any]) -> None:
    path = tmp_path / f"r{abs(hash(tuple(map(repr, values))))}.sqlite"
    path.unlink(missing_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    make_table(engine, [(i, v, v, v, v) for i, v in enumerate(values)])
    for streamed, grouped in streamed_and_grouped(engine):
        assert grouped == streamed, (streamed.name, values)
    engine.dispose()


def test_pandas_agrees_on_text_columns(engine: sa.Engine) -> None:
    rng_values = [f"v{(i * 7919) % 1009}" if i % 13 else None for i in range(3000)]
    make_table(engine, [(i, v, v, i % 3 == 0, v) for i, v in enumerate(rng_values)])
    profile = profile_table(engine, "t")
    frame = reference_frame(engine, "t")
    for name in ("label", "any", "note", "flag"):
        assert_column_matches(profile.column(name), frame[name])
    note = profile.column("note")
    counts = frame["note"].value_counts()
    assert note.top_values == list(zip(counts.index[:20], counts.iloc[:20].tolist(), strict=True))


def test_distinct_numbers_as_pandas_counts_them(engine: sa.Engine) -> None:
    values = [0.0, -0.0, float("inf"), -float("inf"), None, 1e308, 1e308, -5e-324, 5e-324, 0.0]
    frame = pd.DataFrame({"x": values, "i": [i // 3 for i in range(len(values))]})
    frame.to_sql("t", engine, index=False)
    profile = profile_table(engine, "t")
    assert profile.column("x").distinct == 6
    assert_matches_pandas(profile, reference_frame(engine, "t"))
