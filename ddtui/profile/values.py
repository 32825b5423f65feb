"""Turning push-down results into the values pandas would give: interpolation, timestamps,
ISO edges."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np


def order_positions(count: int, fractions: Sequence[float]) -> set[int]:
    """1-based ranks of the order statistics linear interpolation needs for `fractions`."""
    wanted: set[int] = set()
    for q in fractions:
        below = math.floor((count - 1) * q)
        wanted |= {below + 1, min(below + 2, count)}
    return wanted


def interpolate(values: dict[int, float], count: int, q: float) -> float:
    """numpy.percentile(method="linear") from the order statistics by 1-based rank."""
    index = (count - 1) * q
    below = math.floor(index)
    a = values[below + 1]
    b = values[min(below + 2, count)]
    gamma = index - below
    # numpy's _lerp, including its switch to the upper end for gamma >= 0.5.
    diff = b - a
    return b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma


_EPOCH = dt.datetime(1970, 1, 1)  # naive: naive columns count from it
_MICROSECOND = dt.timedelta(microseconds=1)


def micros_since_epoch(value: dt.date) -> int:
    """A driver's datetime/date as exact microseconds since 1970-01-01 (UTC if it has a zone)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return (value - _EPOCH) // _MICROSECOND


def datetime_from_micros(micros: int, tz_aware: bool) -> dt.datetime:
    """The inverse of micros_since_epoch: aware (UTC) for timestamptz columns."""
    value = _EPOCH + micros * _MICROSECOND
    return value.replace(tzinfo=dt.UTC) if tz_aware else value


def as_timestamp(value: Any) -> Any:
    """A driver's datetime/date as a datetime (a date at midnight; UTC when it has a zone;
    `Any` as the profile's fields hold numbers or datetimes).

    Plain datetimes, not pandas Timestamps: a push-down profile does not import pandas
    (with pyarrow, 107 MB of a 5M-row DuckDB profile's 180 MB peak, see the README).
    """
    if value is None:
        return None
    return datetime_from_micros(micros_since_epoch(value), value_has_zone(value))


def value_has_zone(value: Any) -> bool:
    return isinstance(value, dt.datetime) and value.tzinfo is not None


def timestamp_from_ticks(ticks: float | Decimal | None, tz_aware: bool) -> Any:
    """Microseconds since the epoch (possibly fractional) as a datetime, to the nearest
    microsecond (pandas' nanoseconds are below what the profile shows)."""
    if ticks is None:
        return None
    return datetime_from_micros(round(Decimal(ticks)), tz_aware)


def iso_edges(edges: np.ndarray, tz_aware: bool) -> list[str]:
    """Histogram edges in microsecond ticks as ISO strings."""
    from ddtui.profile.summary import iso_tick

    return [iso_tick(float(e), "us", tz_aware) for e in edges]
