"""Probes of the tools a data engineer would pick instead of ddtui: polars and DuckDB.

Each runs in its own process like ddtui's probes (`python -m tests.bench.probe NAME ...`):
the libraries are imported and DuckDB's scanner extension loaded before the clock starts,
as ddtui's probe imports ddtui and pandas first; peak RSS is the whole process's.

- polars: `read_database_uri` (connectorx), then `describe`, `null_count`, `n_unique`;
- DuckDB `SUMMARIZE` over `sqlite_scan` / `postgres_scan` (or of a DuckDB file's own
  table): approximate quantiles and distinct counts (HyperLogLog), so not the same answer
  as ddtui's exact one;
- DuckDB exact aggregates over the same scans: count, distinct count, min, max, and for
  numbers mean, std and exact quartiles (`quantile_cont`), for text the most frequent value.

The scanner extensions come from the package registry (duckdb-extension-sqlite-scanner,
duckdb-extension-postgres-scanner) and are loaded from their installed file: DuckDB's own
`INSTALL` would download them.
"""

from __future__ import annotations

import time
from importlib import import_module
from pathlib import Path
from typing import Any

# Extension package per backend, and the DuckDB table function it provides.
SCANNERS = {
    "sqlite": ("duckdb_extension_sqlite_scanner", "sqlite_scanner"),
    "postgresql": ("duckdb_extension_postgres_scanner", "postgres_scanner"),
}
NUMERIC_TYPES = ("BIGINT", "INTEGER", "DOUBLE", "FLOAT", "SMALLINT", "HUGEINT", "DECIMAL")


def _backend(url: str) -> str:
    if url.startswith("duckdb"):
        return "duckdb"
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def _sqlite_path(url: str) -> str:
    """The file of an SQLAlchemy `sqlite:///PATH` URL."""
    return url.split("sqlite:///", 1)[1]


def _libpq_url(url: str) -> str:
    """An SQLAlchemy PostgreSQL URL without its driver (`postgresql+psycopg2://` -> libpq's)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"


def connectorx_uri(url: str) -> str:
    if _backend(url) == "sqlite":
        return f"sqlite://{_sqlite_path(url)}"
    return _libpq_url(url)


def polars_profile(url: str, table: str) -> dict[str, Any]:
    """polars with connectorx: the whole table read, then describe, null_count, n_unique."""
    import connectorx  # noqa: F401 - imported before the clock, as pandas is for the others
    import polars as pl

    started = time.perf_counter()
    frame = pl.read_database_uri(f'SELECT * FROM "{table}"', connectorx_uri(url))
    frame.describe()
    frame.null_count()
    frame.select(pl.all().n_unique())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": frame.height}


def _duckdb_scan(url: str, table: str) -> tuple[Any, str]:
    """A DuckDB connection with the scanner loaded, and the scan expression of `table`."""
    import duckdb

    backend = _backend(url)
    if backend == "duckdb":  # DuckDB's own file: no scanner, read-only as ddtui opens it
        path = url.split("duckdb:///", 1)[1]
        conn = duckdb.connect(path, read_only=True)
        conn.execute("SET enable_progress_bar = false")  # it would draw over the report
        return conn, '"' + table.replace('"', '""') + '"'
    package, extension = SCANNERS[backend]
    module = import_module(package)
    version = duckdb.__version__
    path = Path(module.__file__ or "").parent / "extensions" / f"v{version}"
    conn = duckdb.connect()
    conn.execute("SET enable_progress_bar = false")
    conn.execute(f"LOAD '{path / f'{extension}.duckdb_extension'}'")
    if backend == "sqlite":
        return conn, f"sqlite_scan('{_sqlite_path(url)}', '{table}')"
    return conn, f"postgres_scan('{_libpq_url(url)}', 'public', '{table}')"


def duckdb_summarize(url: str, table: str) -> dict[str, Any]:
    """DuckDB's SUMMARIZE of the scanned table (approximate quantiles and distinct counts)."""
    conn, scan = _duckdb_scan(url, table)
    started = time.perf_counter()
    summary = conn.execute(f"SUMMARIZE SELECT * FROM {scan}").fetchall()
    seconds = time.perf_counter() - started
    rows = int(summary[0][-2]) if summary else 0  # the `count` column
    return {"seconds": seconds, "rows": rows}


def _exact_aggregates(name: str, type_name: str) -> list[str]:
    column = '"' + name.replace('"', '""') + '"'
    parts = [f"count({column})", f"count(DISTINCT {column})", f"min({column})", f"max({column})"]
    if type_name.startswith(NUMERIC_TYPES):
        parts += [
            f"avg({column})",
            f"stddev_samp({column})",
            f"quantile_cont({column}, [0.25, 0.5, 0.75])",
        ]
    elif type_name == "VARCHAR":
        parts.append(f"mode({column})")
    return parts


def duckdb_exact(url: str, table: str) -> dict[str, Any]:
    """DuckDB exact aggregates of every column, in one query over the scan."""
    conn, scan = _duckdb_scan(url, table)
    columns = conn.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    aggregates = [a for name, type_name, *_ in columns for a in _exact_aggregates(name, type_name)]
    started = time.perf_counter()
    row = conn.execute(f"SELECT count(*), {', '.join(aggregates)} FROM {scan}").fetchone()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": int(row[0]) if row else 0}


PEER_PROBES = {
    "polars_profile": polars_profile,
    "duckdb_summarize": duckdb_summarize,
    "duckdb_exact": duckdb_exact,
}
