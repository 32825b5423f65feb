"""DuckDB's exact quartiles, selected inside fine buckets (profile/pushdown/selection.py),
equal pandas' on the shapes that make the buckets uneven: a spike of one value, a far
outlier, infinities, integers beyond doubles, datetimes; with buckets so few and
selections so small that every rank is found by slicing buckets again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from profile_checks import assert_matches_pandas, reference_frame

from ddtui.backends.engines import create_readonly_engine
from ddtui.profile import api as profile_api
from ddtui.profile import profile_table
from ddtui.profile.pushdown import selection

pytest.importorskip("duckdb_engine", reason="DuckDB needs ddtui[duckdb]")
ROWS = 5_000


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    spike = np.where(rng.random(ROWS) < 0.7, 42.0, rng.normal(0.0, 1.0, ROWS))
    outlier = rng.random(ROWS)
    outlier[17] = 1e12
    infinite = rng.normal(0.0, 1.0, ROWS)
    infinite[[3, 9]] = np.inf
    infinite[11] = -np.inf
    start = np.datetime64("2024-01-01T00:00:00", "us")
    return pd.DataFrame(
        {
            "spike": spike,
            "outlier": outlier,
            "infinite": infinite,
            "huge_ints": 2**62 + rng.integers(0, 1000, ROWS, dtype=np.int64),
            "counts": pd.Series(rng.integers(0, 7, ROWS)).mask(rng.random(ROWS) < 0.1),
            "stamp": start + rng.integers(0, 10**12, ROWS).astype("timedelta64[us]"),
        }
    )


@pytest.fixture
def data_url(tmp_path: Path) -> str:
    url = f"duckdb:///{tmp_path / 'shapes.duckdb'}"
    writer = sa.create_engine(url, poolclass=sa.NullPool)
    _frame().to_sql("shapes", writer, index=False)
    writer.dispose()
    return url


def test_quartiles_equal_pandas_when_every_bucket_is_sliced_again(
    data_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 0)
    monkeypatch.setattr(selection, "FINE_BUCKETS", 4)
    monkeypatch.setattr(selection, "MAX_SELECTED", 5)
    engine = create_readonly_engine(data_url)
    selects: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _sent(conn, cursor, statement, parameters, context, executemany) -> None:
        if "quantile_disc" in statement:
            selects.append(statement)

    profile = profile_table(engine, "shapes")
    assert profile.strategy == "pushdown" and profile.exact
    frame = reference_frame(engine, "shapes")
    assert_matches_pandas(profile, frame)
    for name in ["spike", "outlier", "infinite", "huge_ints", "counts"]:
        described = frame[name].describe()
        column = profile.column(name)
        # Bit for bit: numpy's interpolation between the same order statistics.
        assert (column.q25, column.q50, column.q75) == (
            described["25%"],
            described["50%"],
            described["75%"],
        ), name
    assert selects, "the ranks were not selected by the database"


def test_each_selection_holds_one_small_bucket_not_the_column(
    data_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory: quantile_disc holds what it selects among outside DuckDB's memory limit."""
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 0)
    monkeypatch.setattr(selection, "MAX_SELECTED", 50)
    held: list[int] = []
    select = selection._select_query

    def _recording(table, col, sql, selections):
        held.extend(wanted.bucket.count for wanted in selections)
        return select(table, col, sql, selections)

    monkeypatch.setattr(selection, "_select_query", _recording)
    profile = profile_table(create_readonly_engine(data_url), "shapes", columns=["outlier"])
    assert profile.exact and held
    assert max(held) <= 50 < ROWS


def test_spills_go_to_a_directory_of_ddtui_with_a_memory_limit(data_url: str) -> None:
    """DuckDB's default spills into `<file>.tmp` beside the data file, in up to 80 % of
    the machine's memory."""
    engine = create_readonly_engine(data_url)
    with engine.connect() as conn:
        spill = conn.exec_driver_sql("SELECT current_setting('temp_directory')").scalar_one()
        limit = conn.exec_driver_sql("SELECT current_setting('memory_limit')").scalar_one()
    data_dir = Path(data_url.removeprefix("duckdb:///")).parent
    assert Path(spill).name.startswith("ddtui-duckdb-") and Path(spill).parent != data_dir
    assert limit.endswith("MiB") and float(limit.split()[0]) <= 256
