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


def write_postgres(frame: pd.DataFrame, url: str, table: str) -> None:
    """Replace `table` with `frame` through COPY (to_sql's INSERTs take minutes at 5M rows)."""
    import io

    engine = sa.create_engine(url)
    frame.head(0).to_sql(table, engine, index=False, if_exists="replace")
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            for start in range(0, len(frame), 500_000):
                buffer = io.StringIO()
                frame.iloc[start : start + 500_000].to_csv(buffer, index=False, header=False)
                sql = f'COPY "{table}" FROM STDIN WITH (FORMAT csv)'
                if hasattr(cursor, "copy_expert"):  # psycopg2
                    buffer.seek(0)
                    cursor.copy_expert(sql, buffer)
                else:  # psycopg 3
                    with cursor.copy(sql) as copy:
                        copy.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.exec_driver_sql(f'ANALYZE "{table}"')


if __name__ == "__main__":
    # python -m tests.datagen TARGET ROWS: TARGET is a SQLite file path or a postgresql:// URL.
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ddtui_mixed_1m.sqlite"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    if target.startswith("postgresql"):
        write_postgres(make_mixed_frame(n, seed=42), target, "ddtui_bench_mixed")
    else:
        Path(target).unlink(missing_ok=True)
        write_sqlite(make_mixed_frame(n, seed=42), Path(target))
    print(target)
