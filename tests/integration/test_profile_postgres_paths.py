"""PostgreSQL push-down takes different paths per column; each one equals pandas.

Columns the planner's statistics call low-cardinality are counted value by value; the
others are counted in fine histogram buckets, and their quantiles picked by sorting one
bucket. Tables are ANALYZEd (or not) to steer columns down one path or the other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from datagen import make_mixed_frame
from profile_checks import assert_column_matches, assert_matches_pandas, reference_frame

from ddtui.profile import TableProfile, profile_stages, profile_table
from ddtui.profile import api as profile_api
from ddtui.profile.pushdown import postgresql as pushdown_pg


@pytest.fixture
def engine(postgres_engine: sa.Engine) -> sa.Engine:
    return postgres_engine


Writer = Callable[..., str]


@pytest.fixture
def write(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Writer]:
    """write(frame, analyze=..., dtype=...) -> a new table's name; dropped afterwards."""
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 0)  # these tests are about push-down
    names: list[str] = []

    def _write(frame: pd.DataFrame, analyze: bool, **kwargs: object) -> str:
        name = f"ddtui_p_{uuid.uuid4().hex[:12]}"
        names.append(name)
        frame.to_sql(name, engine, index=False, **kwargs)
        if analyze:
            with engine.begin() as conn:
                conn.execute(sa.text(f"ANALYZE {name}"))  # our own safe name
        return name

    yield _write
    with engine.begin() as conn:
        for name in names:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))


def profiled(engine: sa.Engine, name: str) -> TableProfile:
    profile = profile_table(engine, name)
    assert (profile.strategy, profile.exact) == ("pushdown", True)
    return profile


def estimates(engine: sa.Engine, name: str, rows: int) -> dict[str, float]:
    with engine.connect() as conn:
        table = sa.Table(name, sa.MetaData(), autoload_with=conn)
        return pushdown_pg.estimated_distinct(conn, table, rows)


@pytest.mark.parametrize("analyze", [True, False], ids=["analyzed", "no-statistics"])
def test_mixed_table_on_both_paths(
    engine: sa.Engine, write: Writer, analyze: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the table were large: only its categorical columns count as low-cardinality.
    monkeypatch.setattr(pushdown_pg, "LOW_CARDINALITY", 200)
    name = write(make_mixed_frame(4000, seed=21), analyze=analyze)
    low = {c for c, n in estimates(engine, name, 4000).items() if n <= 200}
    # Analyzed: the categorical columns are counted value by value, the rest bucketed.
    assert low == ({"quantity", "colour", "comment", "active"} if analyze else set())
    assert_matches_pandas(profiled(engine, name), reference_frame(engine, name))


def test_stale_statistics_fall_back_to_sorting(
    engine: sa.Engine, write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Statistics that promise few values, a table with more: the value counts are
    # abandoned and those columns take the bucket path instead, with the same results.
    monkeypatch.setattr(pushdown_pg, "MAX_COUNTED_VALUES", 20)
    name = write(make_mixed_frame(3000, seed=5), analyze=True)
    assert_matches_pandas(profiled(engine, name), reference_frame(engine, name))


@pytest.mark.parametrize("analyze", [True, False], ids=["analyzed", "no-statistics"])
def test_ties_infinities_and_time_zones(engine: sa.Engine, write: Writer, analyze: bool) -> None:
    rng = np.random.default_rng(9)
    rows = 2000
    stamps = pd.Timestamp("2023-03-26 00:59:59.999999", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 3, rows) * 3_600_000_001, unit="us"
    )
    frame = pd.DataFrame(
        {
            # Mostly one value: quantiles land inside a huge tie.
            "tied": np.where(rng.random(rows) < 0.9, 0.0, rng.normal(size=rows)),
            "steps": rng.integers(-3, 3, rows).astype(float),
            "with_inf": np.where(rng.random(rows) < 0.05, np.inf, rng.normal(size=rows)),
            "stamp_tz": stamps.where(rng.random(rows) > 0.1),
            "spread_tz": pd.Timestamp("1969-12-31 23:00", tz="Europe/Paris")
            + pd.to_timedelta(rng.integers(0, 10**12, rows), unit="us"),
        }
    )
    name = write(frame, analyze=analyze)
    profile = profiled(engine, name)
    assert_matches_pandas(profile, reference_frame(engine, name))
    assert profile.column("with_inf").infinities == int(np.isinf(frame["with_inf"]).sum())


@pytest.mark.parametrize("rows", [1, 2, 3, 5])
def test_tiny_tables(engine: sa.Engine, write: Writer, rows: int) -> None:
    frame = pd.DataFrame(
        {"x": [7.5, -1.0, 7.5, 2.0, 1e9][:rows], "t": ["b", "a", "b", "c", "a"][:rows]}
    )
    name = write(frame, analyze=False)
    assert_matches_pandas(profiled(engine, name), reference_frame(engine, name))


@pytest.mark.parametrize("analyze", [True, False], ids=["analyzed", "no-statistics"])
def test_dates_profile_as_midnight_timestamps(
    engine: sa.Engine, write: Writer, analyze: bool
) -> None:
    rng = np.random.default_rng(3)
    days = pd.Timestamp("1999-12-25") + pd.to_timedelta(rng.integers(0, 40, 500), unit="D")
    frame = pd.DataFrame({"day": days.date, "stamp": days})
    name = write(frame, analyze=analyze, dtype={"day": sa.Date})
    profile = profiled(engine, name)
    day, stamp = profile.column("day"), profile.column("stamp")
    assert day.db_type == "DATE"
    for metric in ("count", "distinct", "mean", "min", "q25", "q50", "q75", "max", "histogram"):
        assert getattr(day, metric) == getattr(stamp, metric), metric
    assert_column_matches(stamp, reference_frame(engine, name)["stamp"])


def test_rows_written_during_a_profile_count_in_its_snapshot(
    engine: sa.Engine, write: Writer
) -> None:
    # A pipeline appends to the table between the count shown first and the exact profile:
    # the profile's rows, counts and missing values all come from one snapshot.
    name = write(make_mixed_frame(3000, seed=5), analyze=True)
    stages = profile_stages(engine, name, sample_rows=500)
    schema = next(stages)
    assert schema.row_count == 3000
    with engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO {name} SELECT * FROM {name} LIMIT 1000"))
    *_, exact = stages
    assert exact.exact and exact.strategy == "pushdown"
    assert exact.row_count == 4000
    for column in exact.columns:
        assert column.missing >= 0 and column.count + column.missing == 4000, column.name
