"""Histogram bin edges people can read: round numbers and calendar units.

Numbers get equal bins whose edges are multiples of a 1-2-5 step (0, 2.5, 5 ... never
0.42, 4.38, 8.34); datetimes get calendar bins (seconds, minutes, hours, days, weeks,
months or years, as the range asks). Counting is numpy.histogram's on these edges (each
bin half-open, the last one closed) in every strategy, so pandas on the same data agrees.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

_MANTISSAS = (1, 2, 5)
_EPOCH = dt.datetime(1970, 1, 1)


def nice_step(span: float, intervals: int) -> float:
    """The smallest 1-2-5 step (m * 10**k) that covers `span` in at most `intervals` steps."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(intervals, 1)
    exponent = math.floor(math.log10(raw))
    for power in (exponent, exponent + 1):
        for mantissa in _MANTISSAS:
            step = mantissa * 10.0**power
            if step >= raw * (1 - 1e-9):
                return step
    return 10.0 ** (exponent + 2)  # not reached: 10**(exponent+1) >= raw


def number_edges(low: float, high: float, bins: int) -> np.ndarray:
    """At most `bins` equal bins with round edges covering [low, high], the last edge
    above `high`.

    A constant gets a unit range around it, as numpy.histogram gives it; a range too
    narrow for floats to split evenly is one bin [low, high].
    """
    if low == high:
        low, high = low - 0.5, high + 0.5
    if high - low <= max(abs(low), abs(high)) * 1e-12:
        return np.array([low, high], dtype=np.float64)
    for intervals in range(max(bins, 1), 0, -1):
        step = nice_step(high - low, intervals)
        # The last edge above `high`: every bin holds [edge, next edge), even the last
        # (numpy closes it: integers 0..100 in steps of 5 would put 100 with 95..99).
        first, last = math.floor(low / step), math.floor(high / step) + 1
        # low / step can round (or underflow) to the other side of an edge
        first -= first * step > low
        last += last * step <= high
        if last - first <= bins:
            edges = np.arange(first, last + 1, dtype=np.float64) * step
            if np.all(edges[1:] > edges[:-1]):
                return edges
    return np.array([low, high], dtype=np.float64)


@dataclass(frozen=True)
class CalendarStep:
    unit: str  # "second", "minute", "hour", "day", "month", "year"
    size: int
    seconds: float  # about how long one step is (months and years vary)


CALENDAR_STEPS = [
    *(CalendarStep("second", n, n) for n in (1, 2, 5, 10, 15, 30)),
    *(CalendarStep("minute", n, 60 * n) for n in (1, 2, 5, 10, 15, 30)),
    *(CalendarStep("hour", n, 3600 * n) for n in (1, 2, 3, 6, 12)),
    *(CalendarStep("day", n, 86400 * n) for n in (1, 2, 7, 14)),
    *(CalendarStep("month", n, 2629746 * n) for n in (1, 2, 3, 6)),
    *(CalendarStep("year", n, 31556952 * n) for n in (1, 2, 5, 10, 20, 50, 100, 200, 500)),
]


def calendar_floor(moment: dt.datetime, step: CalendarStep) -> dt.datetime:
    """The calendar boundary of `step` at or before `moment` (naive UTC); weeks start on
    Mondays."""
    if step.unit == "year":
        year = max(1, moment.year - moment.year % step.size)
        return dt.datetime(year, 1, 1)
    if step.unit == "month":
        return dt.datetime(moment.year, (moment.month - 1) // step.size * step.size + 1, 1)
    if step.unit == "day":
        start = dt.datetime(moment.year, moment.month, moment.day)
        if step.size == 7:
            return start - dt.timedelta(days=start.weekday())
        return start - dt.timedelta(days=(start.toordinal() - 1) % step.size)
    if step.unit == "hour":
        hour = moment.hour - moment.hour % step.size
        return moment.replace(hour=hour, minute=0, second=0, microsecond=0)
    if step.unit == "minute":
        minute = moment.minute - moment.minute % step.size
        return moment.replace(minute=minute, second=0, microsecond=0)
    second = moment.second - moment.second % step.size
    return moment.replace(second=second, microsecond=0)


def calendar_advance(moment: dt.datetime, step: CalendarStep) -> dt.datetime:
    """The next boundary of `step` after the boundary `moment` (OverflowError past 9999)."""
    if step.unit == "year":
        if moment.year + step.size > dt.MAXYEAR:
            raise OverflowError("past year 9999")
        return moment.replace(year=moment.year + step.size)
    if step.unit == "month":
        months = moment.month - 1 + step.size
        year = moment.year + months // 12
        if year > dt.MAXYEAR:
            raise OverflowError("past year 9999")
        return moment.replace(year=year, month=months % 12 + 1)
    unit_seconds = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}[step.unit]
    return moment + dt.timedelta(seconds=unit_seconds * step.size)


def calendar_boundaries(
    low: dt.datetime, high: dt.datetime, step: CalendarStep
) -> Iterator[dt.datetime]:
    """The boundaries of `step` from the one at or before `low` to the first after `high`."""
    moment = calendar_floor(low, step)
    yield moment
    while True:
        moment = calendar_advance(moment, step)
        yield moment
        if moment > high:
            return


def micros_datetime(micros: float) -> dt.datetime:
    """Microseconds since 1970 as a naive UTC datetime (OverflowError outside years 1-9999)."""
    return _EPOCH + dt.timedelta(microseconds=int(micros))


def datetime_micros(moment: dt.datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def datetime_edges(low: float, high: float, bins: int) -> np.ndarray:
    """Calendar bin edges (microseconds since 1970) covering [low, high]: the finest step
    of CALENDAR_STEPS that needs at most `bins` bins. Outside years 1-9999, or for spans
    too long even for 500-year bins, numpy's equal-width edges."""
    try:
        start, end = micros_datetime(low), micros_datetime(high)
        span = (high - low) / 1e6
        for step in CALENDAR_STEPS:
            if span / step.seconds > bins + 1:
                continue
            edges = []
            for moment in calendar_boundaries(start, end, step):
                edges.append(datetime_micros(moment))
                if len(edges) > bins + 1:
                    break
            else:
                return np.array(edges, dtype=np.int64)
    except OverflowError:
        pass
    return np.histogram_bin_edges(np.array([low, high], dtype=np.float64), bins=bins)


def histogram_edges(low: float, high: float, bins: int, *, dates: bool = False) -> np.ndarray:
    """The bin edges for finite data in [low, high]: calendar bins for datetimes (given as
    microseconds since 1970), round ones for numbers."""
    return datetime_edges(low, high, bins) if dates else number_edges(low, high, bins)
