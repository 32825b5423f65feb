"""Turning push-down results into pandas' values: interpolation, timestamps, ISO edges."""

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
    """A driver's datetime/date as a pandas Timestamp (UTC when it carries a zone)."""
    import pandas as pd

    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    stamp = pd.Timestamp(value)
    return stamp.tz_convert("UTC") if stamp.tzinfo is not None else stamp


def timestamp_from_ticks(ticks: float | Decimal | None, tz_aware: bool) -> Any:
    """Microseconds since the epoch (possibly fractional) as a Timestamp, to the nanosecond."""
    import pandas as pd

    if ticks is None:
        return None
    nanos = round(Decimal(ticks) * 1000)
    stamp = pd.Timestamp(nanos, unit="ns")
    return stamp.tz_localize("UTC") if tz_aware else stamp


def iso_edges(edges: np.ndarray, tz_aware: bool) -> list[str]:
    """Histogram edges in microsecond ticks as ISO strings."""
    from ddtui.profile.summary import iso_tick

    return [iso_tick(float(e), "us", tz_aware) for e in edges]
