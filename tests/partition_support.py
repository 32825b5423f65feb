"""Tables of daily partitions, and what pandas loads of one partition."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from datagen import make_mixed_frame

DAYS = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(3)]


def partitioned_frame(rows_per_day: int = 1500) -> pd.DataFrame:
    """Three daily partitions of the mixed frame, interleaved on disk (not sorted by day),
    each with its own distribution: a whole-table profile would differ from each slice's."""
    days = []
    for i, day in enumerate(DAYS):
        part = make_mixed_frame(rows_per_day, seed=20 + i)
        part["score"] += 10 * i
        part.insert(0, "ds", day)
        days.append(part)
    frame = pd.concat(days, ignore_index=True).sample(frac=1.0, random_state=3)
    return frame.reset_index(drop=True)


def the_slice(frame: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The partition as pandas users load it: in table order, without the key column."""
    return frame[frame["ds"] == day].drop(columns="ds").reset_index(drop=True)
