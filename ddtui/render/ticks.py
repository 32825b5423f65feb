"""Axis ticks people read at a glance: round numbers (1-2-5 steps) and calendar dates
(the steps of the profile's own bins, ddtui.profile.bins).

Every tick list here is evenly spaced and its labels never repeat: a step of m * 10**k
(m in 1, 2, 5) is labelled with exactly the decimals that step needs, and a calendar step
(minutes, hours, days, months, years) with exactly the date parts that tell its ticks apart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

from ddtui.profile.bins import (
    CALENDAR_STEPS,
    CalendarStep,
    calendar_advance,
    calendar_floor,
    nice_step,
)

_SUFFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


@dataclass(frozen=True)
class Tick:
    position: float  # where on the axis: the value itself (datetimes: POSIX seconds)
    label: str


def number_label(value: float, step: float) -> str:
    """`value` (a multiple of `step`) with the decimals `step` needs; k/M/G for thousands+.

    Two different multiples of `step` always get different labels.
    """
    if value == 0:
        return "0"
    scale, suffix = 1.0, ""
    for size, letter in _SUFFIXES:
        if step >= size:  # the step itself is at least 1k: count in thousands
            scale, suffix = size, letter
            break
    scaled_step = step / scale
    decimals = max(0, -math.floor(math.log10(scaled_step) + 1e-9))
    return f"{value / scale:.{decimals}f}{suffix}"


def number_ticks(low: float, high: float, max_ticks: int) -> list[Tick]:
    """Round ticks inside [low, high]: at most `max_ticks`, evenly spaced, labels distinct."""
    if not (math.isfinite(low) and math.isfinite(high)) or max_ticks < 1:
        return []
    if high - low <= max(abs(low), abs(high)) * 1e-9:
        # A range too narrow for floats to step through evenly: the value itself.
        return [Tick(low, number_label(low, _step_of(low)))]
    for intervals in range(max(max_ticks - 1, 1), 0, -1):
        step = nice_step(high - low, intervals)
        if step < max(abs(low), abs(high)) * 1e-10:
            continue  # steps finer than floats of this size can place evenly
        first = math.ceil(low / step - 1e-9)
        last = math.floor(high / step + 1e-9)
        if 1 <= last - first + 1 <= max_ticks:
            return [Tick(i * step, number_label(i * step, step)) for i in range(first, last + 1)]
    return [Tick(low, number_label(low, _step_of(low)))]


def _step_of(value: float) -> float:
    """A step for one lone value: its own order of magnitude, so it shows to 4 digits."""
    return 10.0 ** (math.floor(math.log10(abs(value))) - 3) if value else 1.0


def _calendar_ticks(
    low: dt.datetime, high: dt.datetime, step: CalendarStep
) -> Iterator[dt.datetime]:
    moment = calendar_floor(low, step)
    if moment < low:
        moment = calendar_advance(moment, step)
    while moment <= high:
        yield moment
        try:
            moment = calendar_advance(moment, step)
        except (OverflowError, ValueError):  # past year 9999
            return


def date_label_format(unit: str, low: dt.datetime, high: dt.datetime) -> str:
    """The strftime format that tells ticks of `unit` apart over [low, high], and no more."""
    same_year = low.year == high.year
    same_day = low.date() == high.date()
    if unit == "year":
        return "%Y"
    if unit == "month":
        return "%Y-%m"
    if unit == "day":
        return "%m-%d" if same_year else "%Y-%m-%d"
    if unit == "second":
        return "%H:%M:%S" if same_day else "%m-%d %H:%M:%S"
    return "%H:%M" if same_day else "%m-%d %H:%M"


def posix_seconds(moment: dt.datetime) -> float:
    """Seconds since 1970 of a naive-UTC or aware datetime."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.timestamp()


def date_ticks(low: dt.datetime, high: dt.datetime, max_ticks: int) -> tuple[list[Tick], str]:
    """Calendar ticks over [low, high] (naive UTC): the finest unit with <= `max_ticks`
    ticks, and that unit's name. Positions are POSIX seconds."""
    span = (high - low).total_seconds()
    for step in CALENDAR_STEPS:
        if span / step.seconds > max_ticks + 1:
            continue
        moments = list(_calendar_ticks(low, high, step))
        if not moments or len(moments) > max_ticks:
            continue
        fmt = date_label_format(step.unit, low, high)
        ticks = [Tick(posix_seconds(m), m.strftime(fmt)) for m in moments]
        return ticks, step.unit
    return [], ""


def count_ticks(peak: int, rows: int) -> tuple[float, list[Tick]]:
    """Y ticks for counts 0..`peak` on `rows` text rows (the bottom one is 0).

    Returns the count the top row stands for and the ticks (position: the row, 0 at the
    bottom): round steps on rows an equal number of rows apart, so they read evenly, and
    a top close to `peak`, so the bars use the height.
    """
    intervals = rows - 1
    if peak <= 0 or intervals < 1:
        return 1.0, [Tick(0, "0")]
    options = []
    for wanted in range(1, max(1, min(5, intervals // 2)) + 1):
        step = max(1.0, nice_step(peak, wanted))
        steps = max(1, math.ceil(peak / step - 1e-9))
        rows_per_step = intervals // steps
        if rows_per_step >= 1:
            options.append((step * intervals / rows_per_step, steps, step, rows_per_step))
    if not options:  # fewer rows than steps of one: label the ends only
        return float(peak), [Tick(0, "0"), Tick(intervals, number_label(peak, 1.0))]
    lowest = min(top for top, *_ in options)
    # Among the tops within a third of the lowest, the one with the most ticks.
    top, steps, step, rows_per_step = max(
        (o for o in options if o[0] <= lowest * 4 / 3), key=lambda o: (o[1], -o[0])
    )
    ticks = [Tick(i * rows_per_step, number_label(i * step, step)) for i in range(steps + 1)]
    return top, ticks
