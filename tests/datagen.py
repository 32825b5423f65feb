"""Reproducible test and benchmark tables: a mixed-type frame like a pipeline's output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

CATEGORIES = ["red", "green", "blue", "cyan", "magenta", "yellow", "black", "white"]


def make_mixed_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    """Ten columns of the kinds the profiler handles, with NULLs, zeros and negatives."""
    rng = np.random.default_rng(seed)

    def holes(values: pd.Series, fraction: float) -> pd.Series:
        return values.mask(rng.random(rows) < fraction)

    start = np.datetime64("2024-01-01T00:00:00", "us")
    seconds = rng.integers(0, 366 * 24 * 3600, rows)
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype="int64"),
            "score": holes(pd.Series(rng.normal(50.0, 12.5, rows)), 0.05),
            "price": rng.lognormal(3.0, 1.0, rows),
            "quantity": holes(pd.Series(rng.integers(0, 100, rows)), 0.03).astype("Int64"),
            "amount": np.round(rng.normal(0.0, 100.0, rows), 2) * (rng.random(rows) < 0.9),
            "colour": holes(pd.Series(rng.choice(CATEGORIES, rows)), 0.02),
            "user": pd.Series(rng.integers(0, max(rows // 2, 1), rows)).map("user_{:07d}".format),
            "active": rng.random(rows) < 0.3,
            "created": holes(pd.Series(start + seconds.astype("timedelta64[s]")), 0.01),
            "comment": holes(
                pd.Series(rng.integers(0, 60, rows)).map(
                    lambda n: "lorem ipsum " * (n // 12) + "x" * (n % 12)
                ),
                0.2,
            ),
        }
    )


def write_sqlite(frame: pd.DataFrame, path: Path, table: str = "mixed") -> sa.Engine:
    """Write `frame` to a SQLite file (no index) and return an engine on it."""
    engine = sa.create_engine(f"sqlite:///{path}")
    frame.to_sql(table, engine, index=False, if_exists="replace", chunksize=100_000)
    return engine


if __name__ == "__main__":
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ddtui_mixed_1m.sqlite")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    out.unlink(missing_ok=True)
    write_sqlite(make_mixed_frame(n, seed=42), out)
    print(out)
