"""An SQLite table read as Arrow record batches (ADBC), in rowid ranges, off the GIL.

The stream path fetches a Python object per cell through the sqlite3 module, with the GIL
held; here the ADBC SQLite driver fills Arrow arrays in C and pyarrow's compute kernels
count, convert and parse them, each releasing the GIL: two threads, each reading half of
the table's rowid range, keep both cores busy. Each batch becomes a `BatchPart` that keeps
what the accumulators need and nothing per row of text: numbers and timestamps as numpy
arrays (as the stream keeps them), text and booleans as value counts.

Only values the stream would read alike are taken: a guard column in the query checks
every row's storage classes (SQLite is dynamically typed, and ADBC would turn an integer in
a TEXT column into its digits), and any surprise -- a guard that fails, a type ADBC cannot
convert, text that is not UTF-8 -- raises `Unsuitable`: the caller then profiles the table
the usual way.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa

from ddtui.profile.streaming.accumulate import ColumnSpec

# Rows per Arrow batch: bounds the memory of a batch in flight (two are, one per thread),
# and is how many rows ADBC looks at to infer each column's type.
BATCH_ROWS = 8_192
# Partial value counts a reader keeps beyond its last merge before merging again: bounds
# a text column's memory by its distinct values (about twice), as a Counter's is.
MERGE_ENTRIES = 200_000
# SQLite storage classes the stream would read as the accumulator of each kind expects.
STORAGE: dict[str, tuple[str, ...]] = {
    "integer": ("integer", "null"),
    "number": ("real", "integer", "null"),
    "datetime": ("text", "null"),
    "text": ("text", "null"),
    "boolean": ("integer", "null"),
}
KINDS = frozenset({"number", "datetime", "text", "boolean"})


class Unsuitable(Exception):
    """The table holds values this reader would not read as the stream does."""


def storage_key(spec: ColumnSpec) -> str:
    return "integer" if spec.kind == "number" and spec.is_integer else spec.kind


def suitable_spec(spec: ColumnSpec) -> bool:
    return spec.kind in KINDS and not spec.tz_aware


def range_queries(
    dialect: sa.Dialect,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    specs: Sequence[ColumnSpec],
    *,
    rowid: sa.ColumnElement[Any],
    bounds: Sequence[int],
) -> list[str]:
    """One SELECT per rowid range (bounds[i], bounds[i + 1]], in rowid order, with a guard."""
    guard = sa.and_(
        *(
            sa.func.typeof(c).in_(STORAGE[storage_key(s)])
            for c, s in zip(columns, specs, strict=True)
        )
    )
    queries = []
    for low, high in itertools.pairwise(bounds):
        stmt = (
            sa.select(*columns, sa.case((guard, 1), else_=0))
            .select_from(table)
            .where(rowid > low, rowid <= high)
            .order_by(rowid)
        )
        queries.append(str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True})))
    return queries


@dataclass
class Sinks:
    """Where the readers write numbers and timestamps: each column's array, preallocated.

    Each reader writes its own slice (its range's rows, counted first), so the arrays are
    filled in rowid order with no copy. Integer columns are written as int64 with their
    NULLs marked apart: a NULL anywhere makes the column float64 (as pandas reads it),
    once every reader is done (see `integers_with_nulls`).
    """

    arrays: dict[int, np.ndarray]
    nulls: dict[int, np.ndarray]  # integer columns: True where NULL
    parse_datetimes: Callable[[int, list[Any]], np.ndarray]  # Arrow could not: as the stream


@dataclass
class RangeResult:
    """What one reader took from its rowid range, besides what it wrote to the sinks."""

    rows: int = 0
    counts: dict[int, list[Any]] = field(default_factory=dict)  # column -> (values, counts)
    entries: dict[int, int] = field(default_factory=dict)  # column -> partial counts kept
    merged: dict[int, int] = field(default_factory=dict)  # column -> counts at the last merge


def _timestamps(array: Any) -> np.ndarray | None:
    """ISO text as datetime64[us] (NaT for NULL); None where Arrow cannot parse it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.cast(array, pa.timestamp("us")).to_numpy(zero_copy_only=False)
    except pa.ArrowException:
        return None


def _merge_counts(parts: list[Any]) -> tuple[Any, Any]:
    """(values, counts) pairs merged into one, values in order of first appearance."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(parts) == 1:
        return parts[0]
    # A range (or batch) of NULLs only is int64 to ADBC: NULLs of the others' type.
    types = {v.type for v, _ in parts if v.null_count < len(v)}
    if len(types) > 1:
        raise Unsuitable(f"one column read as {sorted(map(str, types))}")
    kind = types.pop() if types else parts[0][0].type
    values = pa.chunked_array([v if v.type == kind else pa.nulls(len(v), kind) for v, _ in parts])
    distinct = pc.unique(values)  # in order of first appearance, NULL included
    groups = pc.index_in(values, value_set=distinct, skip_nulls=False)
    ids = groups.to_numpy().astype(np.intp, copy=False)
    weights = np.concatenate([n.to_numpy() for _, n in parts])
    # Float sums are exact below 2**53 rows.
    sums = np.bincount(ids, weights=weights, minlength=len(distinct)).astype(np.int64)
    return distinct, pa.array(sums)


def merged_counts(parts: list[Any]) -> tuple[Any, Any]:
    """Arrow values (NULL included) and their counts, in order of first appearance."""
    return _merge_counts(parts)


def read_range(
    uri: str,
    query: str,
    specs: Sequence[ColumnSpec],
    *,
    sinks: Sinks,
    slot: tuple[int, int],
    stop: threading.Event,
    progress: Callable[[int], None],
) -> RangeResult:
    """Read one range's batches, its rows going to sinks[start:end] (`slot`); raise
    Unsuitable on any surprise."""
    import adbc_driver_manager
    import adbc_driver_sqlite
    import pyarrow as pa

    # The low-level API: the DB-API module imports polars when installed (40 MB, 0.3 s).
    result = RangeResult()
    kinds = [s.kind for s in specs]
    start, end = slot
    try:
        with (
            adbc_driver_sqlite.connect(uri) as database,
            adbc_driver_manager.AdbcConnection(database) as conn,
            adbc_driver_manager.AdbcStatement(conn) as statement,
        ):
            statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
            statement.set_sql_query(query)
            handle, _ = statement.execute_query()
            with pa.RecordBatchReader.from_stream(handle) as reader:
                for batch in reader:
                    if stop.is_set():
                        break
                    _take_batch(result, sinks, kinds, batch, slot)
                    progress(batch.num_rows)
            if not stop.is_set() and start + result.rows != end:
                raise Unsuitable("fewer rows than counted: the table changed")
    except Unsuitable:
        raise
    except (pa.ArrowException, UnicodeDecodeError, OSError, ValueError, TypeError) as exc:
        raise Unsuitable(str(exc)) from exc
    except adbc_driver_manager.Error as exc:  # the driver's own (a type it inferred, then another)
        raise Unsuitable(str(exc)) from exc
    return result


def _take_batch(
    result: RangeResult, sinks: Sinks, kinds: Sequence[str], batch: Any, slot: tuple[int, int]
) -> None:
    """One batch's columns into the sinks (numbers, timestamps) and value counts (others)."""
    import pyarrow.compute as pc

    if batch.num_rows and pc.min(batch.column(len(kinds))).as_py() != 1:
        raise Unsuitable("a value of another storage class")
    first = slot[0] + result.rows
    if first + batch.num_rows > slot[1]:
        raise Unsuitable("more rows than counted: the table changed")
    for index, kind in enumerate(kinds):
        _take(result, sinks, index, kind=kind, array=batch.column(index), first=first)
    result.rows += batch.num_rows


def _take(
    result: RangeResult, sinks: Sinks, index: int, *, kind: str, array: Any, first: int
) -> None:
    import pyarrow.compute as pc

    rows = slice(first, first + len(array))
    if kind == "number":
        if index in sinks.nulls and array.null_count:
            sinks.nulls[index][rows] = array.is_null().to_numpy(zero_copy_only=False)
            array = array.fill_null(0)
        # Arrow gives float64 with NaN for NULLs; int64 into a float64 array converts.
        sinks.arrays[index][rows] = array.to_numpy(zero_copy_only=False)
    elif kind == "datetime":
        parsed = _timestamps(array)
        if parsed is None:
            parsed = sinks.parse_datetimes(index, array.to_pylist())
        sinks.arrays[index][rows] = parsed
    else:
        counted = pc.value_counts(array)
        values = counted.field("values")
        values.validate(full=True)  # text that is not UTF-8: the stream's error to report
        parts = result.counts.setdefault(index, [])
        parts.append((values, counted.field("counts")))
        merged = result.merged.get(index, 0)
        result.entries[index] = result.entries.get(index, merged) + len(counted)
        if result.entries[index] > 2 * merged + MERGE_ENTRIES:
            parts[:] = [_merge_counts(parts)]
            result.merged[index] = result.entries[index] = len(parts[0][0])
