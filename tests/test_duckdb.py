"""DuckDB files read through ddtui's own engine: read-only, within the time budget, pushed down."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from datagen import make_mixed_frame
from profile_checks import assert_matches_pandas, reference_frame

from ddtui.db import create_readonly_engine, is_timeout
from ddtui.profile import profile_table

pytest.importorskip("duckdb_engine", reason="DuckDB needs ddtui[duckdb]")


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.duckdb"
    writer = sa.create_engine(f"duckdb:///{path}", poolclass=sa.NullPool)
    make_mixed_frame(30_000, seed=5).to_sql("orders", writer, index=False)
    writer.dispose()
    return path


def test_a_large_table_is_profiled_on_the_engine_and_equals_pandas(data_file: Path) -> None:
    engine = create_readonly_engine(f"duckdb:///{data_file}")
    profile = profile_table(engine, "orders")
    assert (profile.strategy, profile.exact, profile.row_count) == ("pushdown", True, 30_000)
    assert_matches_pandas(profile, reference_frame(engine, "orders"))
    assert profile.head[0]["id"] == 0 and profile.tail[-1]["id"] == 29_999


def test_the_engine_cannot_write(data_file: Path) -> None:
    engine = create_readonly_engine(f"duckdb:///{data_file}")
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="read-only"):
        conn.execute(sa.text("CREATE TABLE written (x INTEGER)"))


def test_a_statement_past_its_budget_is_interrupted(data_file: Path) -> None:
    engine = create_readonly_engine(f"duckdb:///{data_file}", statement_timeout_s=0.5)
    # A cross join of 30,000 rows with itself three times: hours of work.
    slow = sa.text("SELECT count(*) FROM orders a, orders b, orders c WHERE a.id + b.id = c.id")
    started = time.monotonic()
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as caught:
        conn.execute(slow)
    assert is_timeout(caught.value)
    assert time.monotonic() - started < 5


def test_duckdb_draws_no_progress_bar_on_our_terminal(data_file: Path) -> None:
    engine = create_readonly_engine(f"duckdb:///{data_file}")
    with engine.connect() as conn:
        shown = conn.execute(sa.text("SELECT current_setting('enable_progress_bar')")).scalar()
    assert shown is False
