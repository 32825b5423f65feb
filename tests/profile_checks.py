"""Compare a TableProfile with pandas on the same data (pandas is the reference)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ddtui.profile import ColumnProfile, TableProfile
from ddtui.profile.models import FEW_VALUES

# Relative tolerance for mean/std/quantiles; the absolute floor scales with the data so
# that a std of 1e-17 (pandas' rounding noise on a constant column) equals 0.
REL = 1e-9


def reference_frame(engine: sa.Engine, table: str, schema: str | None = None) -> pd.DataFrame:
    """The table as pandas users load it."""
    if engine.dialect.name == "duckdb":
        # duckdb-engine's reflection (which read_sql_table needs) fails on SQLAlchemy 2.1;
        # its driver returns typed values, so a query reads the same frame.
        name = engine.dialect.identifier_preparer.format_table(sa.table(table, schema=schema))
        return pd.read_sql_query(f"SELECT * FROM {name}", engine)
    return pd.read_sql_table(table, engine, schema=schema)


def close(actual: Any, expected: Any, scale: float) -> bool:
    """Equal within REL (relative) or REL * 1e-3 of the data's magnitude (absolute)."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    if actual is None:
        return False
    if isinstance(expected, pd.Timestamp):
        # Push-down interpolates timestamps in microseconds, pandas in its own unit.
        return abs(pd.Timestamp(actual) - expected) <= pd.Timedelta(microseconds=1)
    expected, actual = float(expected), float(actual)
    if math.isinf(expected) or math.isinf(actual):
        return expected == actual
    return math.isclose(actual, expected, rel_tol=REL, abs_tol=REL * 1e-3 * scale)


def assert_round_bins(column: ColumnProfile, finite: np.ndarray) -> None:
    """numpy.histogram's counts on the profile's edges, which are equal, round (multiples of
    a 1-2-5 step) and cover the values."""
    where = f"column {column.name!r}"
    assert column.histogram is not None, where
    edges = np.array(column.histogram.edges)
    assert column.histogram.counts == np.histogram(finite, bins=edges)[0].tolist(), where
    assert edges[0] <= finite.min() and finite.max() <= edges[-1], where
    # the last edge is above the values, except in the one bin of a range floats cannot split
    assert finite.max() < edges[-1] or len(edges) == 2, where
    step = (edges[-1] - edges[0]) / (len(edges) - 1)
    # as equal as floats of this magnitude allow
    assert np.allclose(np.diff(edges), step, rtol=1e-9, atol=np.abs(edges).max() * 1e-14), where
    if len(edges) > 2 or finite.min() == finite.max():
        scale = 10 ** np.floor(np.log10(step))
        nominal = [m * scale for m in (1, 2, 5, 10) if np.isclose(step / scale, m, rtol=1e-3)]
        assert nominal, (where, step)
        # Against the round step itself: near 1e7 edges 0.1 apart are 0.1 apart only to float
        # resolution, so edges[0] / (the measured step) drifts from a whole number.
        first = edges[0] / nominal[0]
        assert np.isclose(first, round(first), rtol=1e-9), (where, step)


def calendar_counts(column: ColumnProfile, series: pd.Series) -> list[int]:
    """numpy.histogram of the timestamps (microseconds, UTC) on the profile's edges."""
    assert column.histogram is not None
    stamps = pd.to_datetime(series.dropna(), utc=True, format="ISO8601").dt.tz_convert(None)
    ticks = stamps.astype("datetime64[us]").astype("int64").to_numpy()
    edges = pd.to_datetime(column.histogram.edges, utc=True, format="ISO8601")
    micros = edges.tz_convert(None).as_unit("us").asi8
    return [int(n) for n in np.histogram(ticks, bins=micros)[0]]


def assert_column_matches(column: ColumnProfile, series: pd.Series) -> None:
    """One column's profile equals pandas' describe/isna/nunique on the same values."""
    where = f"column {column.name!r}"
    assert column.count == int(series.count()), where
    assert column.missing == int(series.isna().sum()), where
    if column.kind != "binary":
        assert column.distinct == int(series.nunique()), where
    if column.kind == "number" and column.count:
        values = series.dropna().astype(float)
        finite = values[np.isfinite(values)]
        scale = float(finite.abs().max()) if len(finite) else 1.0
        described = series.astype(float).describe()
        for metric, key in [("mean", "mean"), ("std", "std"), ("min", "min"), ("q25", "25%"),
                            ("q50", "50%"), ("q75", "75%"), ("max", "max")]:  # fmt: skip
            assert close(getattr(column, metric), described[key], scale), (where, metric)
        assert column.zeros == int((values == 0).sum()), where
        assert column.negatives == int((values < 0).sum()), where
        assert column.infinities == int(np.isinf(values).sum()), where
        if len(finite):
            assert_round_bins(column, finite.to_numpy())
        counted = series.value_counts().sort_index()  # as pandas reads the column
        expected = list(counted.items()) if len(counted) <= FEW_VALUES else []
        assert column.value_counts == expected, where
    if column.kind == "datetime" and column.count:
        described = series.describe()
        for metric, key in [("mean", "mean"), ("min", "min"), ("q25", "25%"), ("q50", "50%"),
                            ("q75", "75%"), ("max", "max")]:  # fmt: skip
            assert close(getattr(column, metric), described[key], 0.0), (where, metric)
        assert sum(column.histogram.counts) == column.count, where
        assert column.histogram.counts == calendar_counts(column, series), where
    if column.kind in {"text", "boolean", "other"} and column.count:
        counts = series.value_counts()
        assert column.freq == int(counts.iloc[0]), where
        tied = set(counts[counts == counts.iloc[0]].index)
        assert column.top in tied, where
        assert [n for _, n in column.top_values] == counts.head(len(column.top_values)).tolist()
    if column.kind == "text" and column.count:
        lengths = series.dropna().map(len)
        assert column.min_length == lengths.min(), where
        assert column.max_length == lengths.max(), where
        assert math.isclose(column.mean_length, lengths.mean(), rel_tol=1e-12), where
    if column.kind == "boolean":
        values = series.dropna().astype(bool)
        assert column.true_count == int(values.sum()), where
        assert column.false_count == int((~values).sum()), where


def assert_matches_pandas(profile: TableProfile, frame: pd.DataFrame, every: int = 1) -> None:
    """Columns of the profile (every n-th one) equal pandas on `frame`; the shape agrees."""
    assert profile.row_count == len(frame)
    assert [c.name for c in profile.columns] == [str(c) for c in frame.columns]
    for column in profile.columns[::every]:
        assert_column_matches(column, frame[column.name])


def assert_json_matches_pandas(profile: dict[str, Any], frame: pd.DataFrame) -> None:
    """`ddtui describe --format json`'s profile equals pandas on `frame`."""
    assert profile["row_count"] == len(frame)
    assert profile["exact"] is True
    assert [c["name"] for c in profile["columns"]] == [str(c) for c in frame.columns]
    for column in profile["columns"]:
        name, series = column["name"], frame[column["name"]]
        assert column["count"] == int(series.count()), name
        assert column["missing"] == int(series.isna().sum()), name
        assert column["distinct"] == int(series.nunique()), name
        if column["kind"] == "number" and column["count"]:
            described = series.astype(float).describe()
            scale = float(series.abs().max())
            for metric, key in [("mean", "mean"), ("std", "std"), ("min", "min"), ("q25", "25%"),
                                ("q50", "50%"), ("q75", "75%"), ("max", "max")]:  # fmt: skip
                assert close(column[metric], described[key], scale), (name, metric)
        if column["kind"] == "boolean":
            assert column["true_count"] == int(series.dropna().astype(bool).sum()), name
        if column["kind"] == "text" and column["count"]:
            counts = series.value_counts()
            assert column["freq"] == int(counts.iloc[0]), name
