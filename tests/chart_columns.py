"""One column per kind of chart, as real data: profiled from a SQLite table pandas wrote."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from datagen import write_sqlite

from ddtui.profile import profile_table
from ddtui.profile.models import TableProfile

ROWS = 400

# The column each chart kind is drawn for.
CHART_KINDS = {
    "few-valued integers": "year",
    "class 1-3": "pclass",
    "booleans": "survived",
    "continuous": "age",
    "skewed": "fare",
    "minutes": "scanned_at",
    "days": "booked_on",
    "years": "born",
    "long labels": "name",
}


def chart_frame(rows: int = ROWS, seed: int = 7) -> pd.DataFrame:
    """Columns like the penguins' `year`, titanic's `pclass`, `survived`, `age`, `fare`,
    `name`, and timestamps spread over minutes, days and years."""
    rng = np.random.default_rng(seed)
    minutes = np.datetime64("2024-03-05T09:00:00", "s") + rng.integers(0, 45 * 60, rows).astype(
        "timedelta64[s]"
    )
    days = np.datetime64("2024-01-01", "D") + rng.integers(0, 60, rows).astype("timedelta64[D]")
    years = np.datetime64("1950-01-01", "D") + rng.integers(0, 60 * 365, rows).astype(
        "timedelta64[D]"
    )
    surnames = ["Andersson", "Sage", "Goodwin", "Skoog", "Rice", "Panula", "Johnson"]
    names = [
        f"Passenger {surnames[i % len(surnames)]}, Master. Gösta Leonard number {i % 13}"
        for i in rng.integers(0, 60, rows)
    ]
    age = rng.normal(30, 13, rows).clip(0.42, 80).round(1)
    return pd.DataFrame(
        {
            "year": rng.choice([2007, 2008, 2009], rows, p=[0.32, 0.34, 0.34]),
            "pclass": rng.choice([1, 2, 3], rows, p=[0.24, 0.21, 0.55]),
            "survived": rng.random(rows) < 0.38,
            "age": pd.Series(age).mask(rng.random(rows) < 0.2),
            "fare": rng.lognormal(2.7, 1.1, rows).round(2),
            "scanned_at": pd.Series(minutes.astype("datetime64[us]")),
            "booked_on": pd.Series(days.astype("datetime64[us]")),
            "born": pd.Series(years.astype("datetime64[us]")),
            "name": names,
        }
    )


def chart_profile(tmp_path: Path, rows: int = ROWS) -> TableProfile:
    """The exact profile of `chart_frame` written to SQLite."""
    engine = write_sqlite(chart_frame(rows), tmp_path / "charts.db", "passengers")
    try:
        return profile_table(engine, "passengers")
    finally:
        engine.dispose()
