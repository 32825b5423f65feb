"""On SQLite, one profile reads one snapshot: a concurrent insert changes none of its numbers.

The table is in a WAL-mode database, where a writer commits while readers read. The rows
are inserted by a real second connection while the profile runs (at its first progress
report: after the row count, before the rows are read and counted), and the profile
must still describe exactly the rows that were there when it started, head and tail too.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from datagen import make_mixed_frame
from profile_checks import assert_matches_pandas

from ddtui.backends.engines import create_readonly_engine
from ddtui.errors import DataSourceError
from ddtui.profile import TableProfile, profile_stages, profile_table
from ddtui.profile.streaming import stream

ROWS = 3000
TABLE = "mixed"


@pytest.fixture
def wal_database(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    path = tmp_path / "wal.db"
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    frame = make_mixed_frame(ROWS, seed=23)
    frame.to_sql(TABLE, sa.create_engine(f"sqlite:///{path}"), index=False)
    return path, frame


def inserter(path: Path, extra: pd.DataFrame):
    """A progress callback that, the first time, commits `extra` from another connection."""
    done: list[bool] = []

    def progress(_fraction: float, _message: str) -> None:
        if not done:
            done.append(True)
            writer = sa.create_engine(f"sqlite:///{path}", poolclass=sa.NullPool)
            extra.to_sql(TABLE, writer, index=False, if_exists="append")
            writer.dispose()

    return progress, done


def new_rows(rows: int) -> pd.DataFrame:
    extra = make_mixed_frame(rows, seed=24)
    extra["id"] += 1_000_000
    extra["colour"] = "ultraviolet"  # values the snapshot does not have
    extra["user"] = "newcomer"
    return extra


def assert_one_snapshot(profile: TableProfile, frame: pd.DataFrame) -> None:
    assert profile.row_count == len(frame)
    for column in profile.columns:
        assert column.count + column.missing == len(frame), column.name
    assert [row["id"] for row in profile.tail] == list(frame["id"].tail(len(profile.tail)))
    assert [row["id"] for row in profile.head] == list(frame["id"].head(len(profile.head)))
    assert_matches_pandas(profile, frame)


@pytest.mark.parametrize("reading", ["one pass", "passes"])
def test_rows_inserted_during_an_exact_profile_are_not_in_it(
    wal_database, reading: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if reading == "passes":  # the bounded-memory path of tables too large for one pass
        monkeypatch.setattr(stream, "MEMORY_VALUES", 0)
    path, frame = wal_database
    progress, inserted = inserter(path, new_rows(500))
    engine = create_readonly_engine(f"sqlite:///{path}")
    profile = profile_table(engine, TABLE, progress=progress)
    assert inserted
    assert_one_snapshot(profile, frame)
    # The next profile sees them.
    assert profile_table(engine, TABLE).row_count == ROWS + 500
    engine.dispose()


def test_the_sample_and_the_exact_profile_read_the_same_snapshot(wal_database) -> None:
    path, frame = wal_database
    progress, inserted = inserter(path, new_rows(500))
    engine = create_readonly_engine(f"sqlite:///{path}")
    stages = list(profile_stages(engine, TABLE, sample_rows=1000, progress=progress))
    assert inserted
    schema, sample, exact = stages
    assert schema.row_count == sample.row_count == exact.row_count == ROWS
    assert not sample.exact and sample.tail == exact.tail
    assert_one_snapshot(exact, frame)
    engine.dispose()


# Rollback-journal SQLite (the default for files pandas writes) ---------------------------
# ddtui holds no read transaction there (it would lock the pipeline's writer out); a reading
# that another connection's commit overlapped is done again, so the numbers, head and tail
# still describe one state of the table.


@pytest.fixture
def journal_database(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    path = tmp_path / "journal.db"
    frame = make_mixed_frame(ROWS, seed=23)
    frame.to_sql(TABLE, sa.create_engine(f"sqlite:///{path}"), index=False)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    return path, frame


@pytest.mark.parametrize("reading", ["one pass", "passes"])
def test_a_reading_that_a_commit_overlapped_is_read_again(
    journal_database, reading: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if reading == "passes":
        monkeypatch.setattr(stream, "MEMORY_VALUES", 0)
    path, frame = journal_database
    extra = new_rows(500)
    progress, inserted = inserter(path, extra)
    engine = create_readonly_engine(f"sqlite:///{path}")
    profile = profile_table(engine, TABLE, progress=progress)
    assert inserted
    assert_one_snapshot(profile, pd.concat([frame, extra], ignore_index=True))
    engine.dispose()


def test_a_table_that_keeps_changing_is_one_clear_error(journal_database) -> None:
    path, _frame = journal_database
    writer = sa.create_engine(f"sqlite:///{path}", poolclass=sa.NullPool)
    more = new_rows(10)

    def progress(_fraction: float, _message: str) -> None:
        more.to_sql(TABLE, writer, index=False, if_exists="append")

    engine = create_readonly_engine(f"sqlite:///{path}")
    with pytest.raises(DataSourceError, match="changed while it was profiled, 3 times"):
        profile_table(engine, TABLE, progress=progress)
    engine.dispose()
    writer.dispose()
