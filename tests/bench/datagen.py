"""The benchmark's output tables: ten mixed columns like a pipeline's output, in chunks.

Made chunk by chunk (each chunk seeded by its position) so a 5,000,000-row table is
reproducible and never held in memory at once.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

CATEGORIES = ["red", "green", "blue", "cyan", "magenta", "yellow", "black", "white"]
CHUNK_ROWS = 250_000
COLUMNS_DDL = {
    "sqlite": (
        "id BIGINT NOT NULL, score FLOAT, price FLOAT, quantity INTEGER, amount FLOAT, "
        "colour TEXT, user TEXT, active BOOLEAN, created TIMESTAMP, comment TEXT"
    ),
    "duckdb": (
        "id BIGINT NOT NULL, score DOUBLE, price DOUBLE, quantity INTEGER, amount DOUBLE, "
        'colour VARCHAR, "user" VARCHAR, active BOOLEAN, created TIMESTAMP, comment VARCHAR'
    ),
    "postgresql": (
        "id BIGINT NOT NULL, score DOUBLE PRECISION, price DOUBLE PRECISION, quantity INTEGER, "
        'amount DOUBLE PRECISION, colour TEXT, "user" TEXT, active BOOLEAN, '
        "created TIMESTAMP, comment TEXT"
    ),
}


def mixed_chunk(first_id: int, rows: int, total_rows: int, seed: int = 42) -> pd.DataFrame:
    """Rows `first_id`.. of the mixed table: NULLs, zeros, negatives, skew, text, dates."""
    rng = np.random.default_rng([seed, first_id])

    def holes(values: pd.Series, fraction: float) -> pd.Series:
        return values.mask(rng.random(rows) < fraction)

    start = np.datetime64("2024-01-01T00:00:00", "s")
    seconds = rng.integers(0, 366 * 24 * 3600, rows)
    comment_len = rng.integers(0, 60, rows)
    comments = np.array(["lorem ipsum " * (n // 12) + "x" * (n % 12) for n in range(60)])
    users = np.char.add(
        "user_", np.char.zfill(rng.integers(0, max(total_rows // 2, 1), rows).astype(str), 7)
    )
    return pd.DataFrame(
        {
            "id": np.arange(first_id, first_id + rows, dtype="int64"),
            "score": holes(pd.Series(rng.normal(50.0, 12.5, rows)), 0.05),
            "price": rng.lognormal(3.0, 1.0, rows),
            "quantity": holes(pd.Series(rng.integers(0, 100, rows)), 0.03).astype("Int64"),
            "amount": np.round(rng.normal(0.0, 100.0, rows), 2) * (rng.random(rows) < 0.9),
            "colour": holes(pd.Series(rng.choice(CATEGORIES, rows)), 0.02),
            "user": users,
            "active": rng.random(rows) < 0.3,
            "created": holes(pd.Series(start + seconds.astype("timedelta64[s]")), 0.01),
            "comment": holes(pd.Series(comments[comment_len]), 0.2),
        }
    )


def chunks(total_rows: int, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    for first in range(0, total_rows, chunk_rows):
        yield mixed_chunk(first, min(chunk_rows, total_rows - first), total_rows)


def _sqlite_rows(frame: pd.DataFrame) -> Iterator[tuple[object, ...]]:
    """Tuples in SQLite's stored form (what SQLAlchemy writes): text timestamps, 0/1."""
    created = frame["created"].dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    out = frame.astype(object).where(frame.notna(), None)
    out["created"] = created.astype(object).where(frame["created"].notna(), None)
    out["active"] = frame["active"].astype(int)
    return out.itertuples(index=False, name=None)


def write_sqlite_table(
    path: Path, table: str, total_rows: int, say: Callable[[str], None] = print
) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(f'DROP TABLE IF EXISTS "{table}"')
    conn.execute(f'CREATE TABLE "{table}" ({COLUMNS_DDL["sqlite"]})')
    for frame in chunks(total_rows):
        conn.executemany(
            f'INSERT INTO "{table}" VALUES ({", ".join("?" * 10)})', _sqlite_rows(frame)
        )
    conn.commit()
    conn.close()
    say(f"    SQLite {path.name}:{table} {total_rows:,} rows")


def write_postgres_table(
    dsn: str, table: str, total_rows: int, say: Callable[[str], None] = print
) -> None:
    import psycopg

    with psycopg.connect(dsn) as conn:
        conn.execute(f'DROP TABLE IF EXISTS "{table}"')
        conn.execute(f'CREATE TABLE "{table}" ({COLUMNS_DDL["postgresql"]})')
        with conn.cursor() as cur, cur.copy(f'COPY "{table}" FROM STDIN (FORMAT csv)') as copy:
            for frame in chunks(total_rows):
                buffer = io.StringIO()
                frame.to_csv(buffer, header=False, index=False, date_format="%Y-%m-%d %H:%M:%S")
                copy.write(buffer.getvalue())
        conn.execute(f'ANALYZE "{table}"')
    say(f"    PostgreSQL {table} {total_rows:,} rows")


def write_duckdb_table(
    path: Path, table: str, total_rows: int, say: Callable[[str], None] = print
) -> None:
    """The same rows in a DuckDB file (DuckDB reads each pandas chunk by itself)."""
    import duckdb

    with duckdb.connect(str(path)) as conn:
        conn.execute("SET enable_progress_bar = false")  # it would draw over the report
        conn.execute(f'DROP TABLE IF EXISTS "{table}"')
        conn.execute(f'CREATE TABLE "{table}" ({COLUMNS_DDL["duckdb"]})')
        for frame in chunks(total_rows):
            conn.register("chunk", frame)
            conn.execute(f'INSERT INTO "{table}" SELECT * FROM chunk')
            conn.unregister("chunk")
        conn.execute("CHECKPOINT")
    say(f"    DuckDB {path.name}:{table} {total_rows:,} rows")
