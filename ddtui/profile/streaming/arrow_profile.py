"""The exact one-pass profile of an SQLite table from Arrow batches (see arrow_read.py).

`arrow_scan` stands in for `stream.scan`: it returns the columns' accumulators filled
with the whole table, or None when this path does not apply (no pyarrow /
adbc-driver-sqlite installed, a table in memory, a view, a column kind it does not read,
a small table) or when the table holds values it would not read as the stream does: the
caller then streams the table as before. The numbers are the stream's own: the same
accumulators finish the same arrays and value counts.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import sqlalchemy as sa

from ddtui.backends import backend_for
from ddtui.profile.control import Control
from ddtui.profile.models import ColumnProfile
from ddtui.profile.streaming.accumulate import (
    Accumulator,
    BooleanAccumulator,
    ColumnSpec,
    DatetimeAccumulator,
    NumberAccumulator,
    Settings,
    accumulator_for,
    new_profile,
)
from ddtui.profile.streaming.arrow_read import (
    RangeResult,
    Sinks,
    Unsuitable,
    merged_counts,
    range_queries,
    read_range,
    suitable_spec,
)
from ddtui.profile.streaming.sqlite_groups import CountJob, many_valued, rowid_column
from ddtui.profile.summary import text_dtype

# Readers in parallel (rowid ranges).
READERS = 2
POLL_SECONDS = 0.1
# Tables smaller than this are streamed: importing pyarrow costs more than they take.
MIN_ROWS = 50_000


def _sqlite_uri(engine: sa.Engine) -> str | None:
    """A read-only `file:` URI of the engine's database file; None for one in memory."""
    database = engine.url.database or ""
    if database.startswith("file:"):
        # ddtui's read-only engine (db.create_readonly_engine) opens such a URI already.
        return database if engine.url.query.get("uri") == "true" else None
    if database in ("", ":memory:"):
        return None
    return f"file:{quote(str(Path(database).resolve()))}?mode=ro"


def applicable(
    conn: sa.Connection, table: sa.Table, specs: Sequence[ColumnSpec], rows: int
) -> bool:
    """Whether this path may read these columns of the table (see the module's docstring)."""
    if not backend_for(conn).capabilities.arrow_batches or rows < MIN_ROWS:
        return False
    if not isinstance(table, sa.Table) or table.schema is not None:
        return False  # a partition's subquery, or a table of an attached database
    if not specs or not all(suitable_spec(s) for s in specs):
        return False
    if find_spec("pyarrow") is None or find_spec("adbc_driver_sqlite") is None:
        return False
    return _sqlite_uri(conn.engine) is not None


def arrow_jobs(
    conn: sa.Connection,
    table: sa.Table,
    specs: Sequence[ColumnSpec],
    jobs: Sequence[CountJob],
    rows: int,
) -> list[CountJob] | None:
    """The count jobs SQLite keeps when Arrow reads the other columns; None if it cannot.

    Only the many-valued columns: Arrow counts a few-valued one as it reads, faster than
    SQLite sorts it; a many-valued one would cost memory to count (every distinct value
    kept, twice while the readers' counts merge) where SQLite's GROUP BY costs none.
    """
    many = many_valued(conn, jobs) if jobs else set()
    kept = [job for job in jobs if job.index in many]
    counted = {job.index for job in kept}
    streamed = [spec for i, spec in enumerate(specs) if i not in counted]
    return kept if applicable(conn, table, streamed, rows) else None


def arrow_scan(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    specs: Sequence[ColumnSpec],
    *,
    settings: Settings,
    control: Control,
    rows: int,
) -> list[Accumulator] | None:
    """The columns' accumulators, everything read and ready to finish; or None."""
    uri = _sqlite_uri(conn.engine) if applicable(conn, table, specs, rows) else None
    rowid = rowid_column(conn, table) if uri else None
    if uri is None or rowid is None:
        return None
    extremes = sa.select(sa.func.min(rowid), sa.func.max(rowid)).select_from(table)
    low, high = conn.execute(extremes).one()
    if low is None:
        return None
    step = (high - low + 1) / READERS
    bounds = [low - 1, *(low - 1 + round(step * i) for i in range(1, READERS)), high]
    slots = _slots(conn, table, rowid, bounds)
    if slots[-1][1] != rows:
        return None  # the table changed since it was counted: the stream deals with that
    queries = range_queries(conn.dialect, table, columns, specs, rowid=rowid, bounds=bounds)
    accumulators = [accumulator_for(spec, settings, rows) for spec in specs]
    sinks = _sinks(accumulators, settings, rows)
    try:
        results = _read(uri, queries, specs, sinks=sinks, slots=slots, control=control, rows=rows)
        if sum(r.rows for r in results) != rows:
            return None
        return [_filled(a, i, results, sinks, rows) for i, a in enumerate(accumulators)]
    except Unsuitable:
        return None


def _slots(
    conn: sa.Connection, table: sa.Table, rowid: sa.ColumnElement[Any], bounds: list[int]
) -> list[tuple[int, int]]:
    """Each rowid range's rows as [start, end) positions in the whole table's order."""
    slots, start = [], 0
    for low, high in itertools.pairwise(bounds):
        count = sa.select(sa.func.count()).select_from(table).where(rowid > low, rowid <= high)
        end = start + int(conn.execute(count).scalar_one())
        slots.append((start, end))
        start = end
    return slots


def _sinks(accumulators: list[Accumulator], settings: Settings, rows: int) -> Sinks:
    """The accumulators' own arrays, for the readers to write into."""
    arrays, nulls = {}, {}
    for index, accumulator in enumerate(accumulators):
        if isinstance(accumulator, NumberAccumulator | DatetimeAccumulator):
            arrays[index] = accumulator.data
        if isinstance(accumulator, NumberAccumulator) and accumulator.data.dtype == np.int64:
            nulls[index] = np.zeros(rows, dtype=bool)

    def parse_datetimes(index: int, values: list[Any]) -> np.ndarray:
        parsing = DatetimeAccumulator(accumulators[index].spec, settings, len(values))
        parsing.add(values)
        return parsing.values()

    return Sinks(arrays, nulls, parse_datetimes)


def _read(
    uri: str,
    queries: list[str],
    specs: Sequence[ColumnSpec],
    *,
    sinks: Sinks,
    slots: list[tuple[int, int]],
    control: Control,
    rows: int,
) -> list[RangeResult]:
    """Each range read in its own thread; progress and cancellation checked meanwhile."""
    stop = threading.Event()
    done = [0]
    lock = threading.Lock()

    def progress(n: int) -> None:
        with lock:
            done[0] += n

    with ThreadPoolExecutor(len(queries), thread_name_prefix="ddtui-arrow") as pool:
        futures = [
            pool.submit(
                read_range, uri, query, specs, sinks=sinks, slot=slot, stop=stop, progress=progress
            )
            for query, slot in zip(queries, slots, strict=True)
        ]
        try:
            pending: set[Future[RangeResult]] = set(futures)
            while pending:
                finished, pending = wait(pending, POLL_SECONDS, return_when=FIRST_EXCEPTION)
                if any(f.exception() for f in finished):
                    break  # the other readers stop at their next batch
                control.report(done[0] / max(rows, 1), f"read {done[0]:,} of {rows:,} rows")
        finally:
            stop.set()  # after a cancellation or a reader's failure; harmless when all are done
        return [f.result() for f in futures]  # re-raises a reader's Unsuitable


def _filled(
    accumulator: Accumulator, index: int, results: list[RangeResult], sinks: Sinks, rows: int
) -> Accumulator:
    """The column's accumulator with everything read, ready to finish."""
    accumulator.size = rows
    if index in sinks.nulls and sinks.nulls[index].any():
        # A NULL: pandas reads the column as float64 (NumberAccumulator.add).
        floats = accumulator.data.astype(np.float64)  # type: ignore[attr-defined]
        floats[sinks.nulls.pop(index)] = np.nan
        accumulator.data = floats  # type: ignore[attr-defined]
    if index in sinks.arrays:
        return accumulator
    parts = [part for result in results for part in result.counts.pop(index, [])]
    if not parts:
        raise Unsuitable("no value counts")  # (rows > 0: every batch counts)
    values, counts = merged_counts(parts)
    spec = accumulator.spec
    if spec.kind == "text":
        return TextCounts(spec, accumulator.settings, values, counts, rows)
    assert isinstance(accumulator, BooleanAccumulator)
    accumulator.counts.update(dict(zip(values.to_pylist(), counts.to_pylist(), strict=True)))
    return accumulator


class TextCounts(Accumulator):
    """CategoryAccumulator.finish on Arrow value counts: no Python object per distinct value.

    The same numbers: NULL left out; values and counts in order of first appearance, so a
    stable sort by count gives Counter.most_common's ties; lengths in characters (code
    points, as len()) weighted by the counts, in the same numpy arithmetic (length_stats).
    """

    def __init__(
        self, spec: ColumnSpec, settings: Settings, values: Any, counts: Any, rows: int
    ) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        super().__init__(spec, settings, 0)
        self.size = rows
        present = values.is_valid()
        self.values, self.counts = values.filter(present), counts.filter(present)
        if len(self.values) and not pa.types.is_string(self.values.type):
            raise Unsuitable(f"text column {spec.name!r} read as {self.values.type}")
        self.lengths = pc.utf8_length(self.values) if len(self.values) else None

    def finish(self) -> ColumnProfile:
        counts = self.counts.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        count = int(counts.sum())
        profile = new_profile(self.spec, text_dtype(True), self.size, count, len(counts))
        if not count or self.lengths is None:
            return profile
        order = np.argsort(-counts, kind="stable")[: self.settings.top_k]
        profile.top_values = [(self.values[int(i)].as_py(), int(counts[i])) for i in order]
        profile.top, profile.freq = profile.top_values[0]
        lengths = self.lengths.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        mean = float(np.dot(lengths, counts) / counts.sum())
        profile.min_length, profile.mean_length = int(lengths.min()), mean
        profile.max_length = int(lengths.max())
        return profile
