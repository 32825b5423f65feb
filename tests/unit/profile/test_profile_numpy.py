"""The accumulators' numpy summaries are pandas' numbers, bit for bit, on awkward data.

Bit for bit against pandas' own numpy code paths (`compute.use_bottleneck` off). With
bottleneck installed pandas' default sums the squares for std in a plain loop: std then
agrees within BOTTLENECK_STD_REL, every other number still bit for bit.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ddtui.profile.streaming.accumulate import ColumnSpec, Settings, accumulator_for
from ddtui.profile.summary import nan_mean_std

# Measured: 1.1e-14 on a million lognormal values; a plain loop's error grows with n.
BOTTLENECK_STD_REL = 1e-12


def numpy_paths() -> pd.option_context:
    """pandas without bottleneck, whether or not it is installed."""
    return pd.option_context("compute.use_bottleneck", False)


def same(actual: float, expected: float) -> bool:
    """Equal, NaN equal to NaN: pandas and ddtui must round the sums alike."""
    return (np.isnan(actual) and np.isnan(expected)) or actual == expected


@settings(max_examples=300, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.integers(0, 300),
        elements=st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.floats(-1e6, 1e6),
            st.sampled_from([0.0, -0.0, 1e300, -1e300, 0.1]),
        ),
    )
)
def test_float_mean_and_std_are_pandas_own(values: np.ndarray) -> None:
    series = pd.Series(values)
    with np.errstate(all="ignore"):
        mean, std = nan_mean_std(values)
    with numpy_paths():
        assert same(mean, series.mean())
        assert same(std, series.std())


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.int64, st.integers(0, 300), elements=st.integers(-(2**62), 2**62)))
def test_integer_mean_and_std_are_pandas_own(values: np.ndarray) -> None:
    series = pd.Series(values)
    mean, std = nan_mean_std(values)
    with numpy_paths():
        assert same(mean, series.mean())
        assert same(std, series.std())


@pytest.mark.parametrize("use_bottleneck", [False, True], ids=["numpy", "bottleneck"])
def test_large_float_column_against_pandas_with_and_without_bottleneck(
    use_bottleneck: bool,
) -> None:
    import bottleneck  # noqa: F401  (in the test extra, so that both of pandas' paths run)

    # Pairwise sums over a million values: any other order would differ in the last bits.
    rng = np.random.default_rng(7)
    values = rng.lognormal(3.0, 2.0, 1_000_000)
    values[rng.random(values.size) < 0.05] = np.nan
    accumulator = accumulator_for(ColumnSpec("x", "number", "FLOAT"), Settings(), values.size)
    accumulator.add(values.tolist())
    profile = accumulator.finish()
    with pd.option_context("compute.use_bottleneck", use_bottleneck):
        described = pd.Series(values).describe()
    for metric, key in [("count", "count"), ("mean", "mean"), ("min", "min"), ("q25", "25%"),
                        ("q50", "50%"), ("q75", "75%"), ("max", "max")]:  # fmt: skip
        assert getattr(profile, metric) == described[key], metric
    if use_bottleneck:
        assert profile.std == pytest.approx(described["std"], rel=BOTTLENECK_STD_REL, abs=0)
    else:
        assert profile.std == described["std"]


def profile_datetimes(values: list[dt.datetime | None], tz_aware: bool = False):
    spec = ColumnSpec("d", "datetime", "TIMESTAMP", tz_aware=tz_aware)
    accumulator = accumulator_for(spec, Settings(), len(values))
    accumulator.add(values)
    return accumulator.finish()


@pytest.mark.parametrize("tz_aware", [False, True])
def test_datetime_metrics_are_pandas_own(tz_aware: bool) -> None:
    rng = np.random.default_rng(3)
    start = dt.datetime(1969, 12, 31, 23, 59, 59, 999_999)  # ticks either side of zero
    values: list[dt.datetime | None] = [
        start + dt.timedelta(microseconds=int(m)) for m in rng.integers(-(10**13), 10**13, 5001)
    ]
    for i in range(0, 5001, 7):
        values[i] = None
    if tz_aware:
        values = [v.replace(tzinfo=dt.UTC) if v else None for v in values]
    profile = profile_datetimes(values, tz_aware)
    series = pd.Series(pd.to_datetime(values, utc=tz_aware)).astype(
        "datetime64[us, UTC]" if tz_aware else "datetime64[us]"
    )
    described = series.describe()
    assert profile.pandas_dtype == str(series.dtype)
    assert (profile.count, profile.missing) == (int(series.count()), int(series.isna().sum()))
    assert profile.distinct == series.nunique()
    for metric, key in [("mean", "mean"), ("min", "min"), ("q25", "25%"), ("q50", "50%"),
                        ("q75", "75%"), ("max", "max")]:  # fmt: skip
        assert pd.Timestamp(getattr(profile, metric)) == described[key], metric


def test_datetimes_beyond_python_years_still_summarised() -> None:
    spec = ColumnSpec("d", "datetime", "TIMESTAMP")
    accumulator = accumulator_for(spec, Settings(), 2)
    accumulator._append(np.array(["-20000-01-01", "20000-01-01"], dtype="datetime64[us]"))
    profile = accumulator.finish()
    assert str(profile.min).startswith("-20000-01-01")
    assert str(profile.max).startswith("20000-01-01")
