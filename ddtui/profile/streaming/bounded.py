"""Number and datetime accumulators that keep no column: pandas' numbers over several passes.

For tables beyond the memory budget (see stream.MEMORY_VALUES). The first pass counts,
sums (numpy's own summation order, see sums.py), finds the extremes and counts the values
per key bucket (ranks.py); the second adds the squares for the std and the histogram (they
need the mean and the range), reads the buckets holding the quartiles and writes the
values to disk in parts, to count the distinct ones (distinct.py); a further pass is
needed only when a quartile's bucket holds too many distinct values. Each number is the
one the in-memory accumulators (accumulate.py) give, bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ddtui.errors import TableChangedError
from ddtui.profile.bins import histogram_edges
from ddtui.profile.models import ColumnProfile, Histogram
from ddtui.profile.streaming.accumulate import (
    QUANTILES,
    Accumulator,
    CategoryAccumulator,
    ColumnSpec,
    DatetimeAccumulator,
    NumberAccumulator,
    Settings,
    datetime_of_micros,
)
from ddtui.profile.streaming.distinct import DistinctCounter
from ddtui.profile.streaming.ranks import OrderStatistics
from ddtui.profile.streaming.sums import BufferedSum, PairwiseSum
from ddtui.profile.summary import FewValueCounter, iso_tick, python_scalar

READER_ROWS = 1 << 16  # the converting accumulator's array: one chunk
# Distinct values a text column may have in Python's Counter before SQLite counts it instead.
COUNTED_KEYS = 100_000


def quartile_ranks(count: int) -> list[int]:
    """The order statistics numpy's linear quantiles read: floor((n-1)q) and the next one."""
    ranks: list[int] = []
    for q in QUANTILES:
        low = int(np.floor((count - 1) * q))
        ranks += [low, min(low + 1, count - 1)]
    return ranks


def interpolated(
    count: int, found: dict[int, Any], dtype: np.dtype[Any], quantile: Callable[..., Any]
) -> list[Any]:
    """numpy's linear quantiles of the `count` values, from their order statistics alone.

    numpy interpolates between the values at floor((n-1)q) and the next rank with weight
    frac((n-1)q); a stand-in array whose length m has m-1 = n-1 (mod 4) has the same
    weight for quartiles, so numpy itself interpolates it, with the same arithmetic.
    """
    results = []
    for q, (low, high) in zip(QUANTILES, np.reshape(quartile_ranks(count), (-1, 2)), strict=True):
        size = 5 + (count - 1) % 4
        at = int(np.floor((size - 1) * q))
        stand_in = np.empty(size, dtype=dtype)
        stand_in[: at + 1] = found[int(low)]
        stand_in[at + 1 :] = found[int(high)]
        results.append(quantile(stand_in, q)[0])
    return results


def _percentile(values: np.ndarray, q: float) -> Any:
    return np.percentile(values, [100 * q], method="linear")


def _quantile(values: np.ndarray, q: float) -> Any:
    return np.quantile(values, [q], method="linear")


def _extreme(current: Any, candidate: Any, pick: Callable[[Any, Any], Any]) -> Any:
    return candidate if current is None else pick(current, candidate)


class _Histogram:
    """numpy.histogram's counts on the round or calendar edges (ddtui.profile.bins) of a
    range known after the first pass."""

    def __init__(self, low: Any, high: Any, size: int, bins: int, *, dates: bool) -> None:
        self.size = size
        self.edges = histogram_edges(float(low), float(high), bins, dates=dates)
        self.counts = np.zeros(len(self.edges) - 1, dtype=np.int64)

    def add(self, finite: np.ndarray) -> None:
        if finite.size:
            self.counts += np.histogram(finite, bins=self.edges)[0]

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        return self.counts, self.edges


class Passes(Accumulator):
    """What both kinds share: the converting reader, the passes, the order statistics."""

    reader: NumberAccumulator | DatetimeAccumulator

    def __init__(self, spec: ColumnSpec, settings: Settings, capacity: int) -> None:
        super().__init__(spec, settings, capacity)
        self.expected = capacity  # the rows COUNT(*) gave: numpy's summation tree needs it
        self.order = OrderStatistics()
        self.count = 0
        self.low: Any = None
        self.high: Any = None
        self.passes = 1
        self.read_again = 0
        self.histogram: _Histogram | None = None
        self.distinct: DistinctCounter | None = None

    def _chunk(self, rows: Sequence[Sequence[Any]], index: int) -> np.ndarray:
        """This column of the rows as the in-memory accumulator would store it."""
        self.reader.size = 0
        self.reader.add_rows(rows, index)
        return self.reader.values()

    def add(self, values: Sequence[Any]) -> None:
        self.add_rows([(v,) for v in values], 0)

    def end_first_pass(self, directory: Path, name: str) -> bool:
        """Plan the next pass (its distinct counter writes files named `name` in `directory`).

        True if there is a next pass.
        """
        if self.size != self.expected:
            raise TableChangedError(
                f"the table changed while it was profiled ({self.expected:,} rows counted, "
                f"{self.size:,} read): profile it again"
            )
        if not self.count:
            return False
        self.order.seek(quartile_ranks(self.count))
        self.distinct = DistinctCounter(self.count, directory, name)
        self.order.end_pass()  # the first pass counted everything: always more to read
        self._plan()
        return True

    def _count_distinct(self, present: np.ndarray) -> None:
        """Feed the second pass's present values to the distinct counter."""
        assert self.distinct is not None
        self.distinct.add(present)

    def _distinct(self) -> int:
        return self.distinct.count() if self.distinct is not None else 0

    def _plan(self) -> None:
        raise NotImplementedError

    def add_again(self, rows: Sequence[Sequence[Any]], index: int) -> None:
        """One chunk of a further pass."""
        raise NotImplementedError

    def end_pass(self) -> bool:
        """After a further pass: True if yet another is needed."""
        if self.read_again != self.size:
            raise TableChangedError(
                f"the table changed while it was profiled ({self.size:,} rows read, then "
                f"{self.read_again:,}): profile it again"
            )
        self.passes += 1
        self.read_again = 0
        return self.order.end_pass()


class BoundedNumberAccumulator(Passes):
    """Numbers in passes: as NumberAccumulator (int64 until a NULL, else float64)."""

    def __init__(self, spec: ColumnSpec, settings: Settings, capacity: int) -> None:
        super().__init__(spec, settings, capacity)
        self.reader = NumberAccumulator(spec, settings, READER_ROWS)
        self.float_sum = PairwiseSum(capacity)  # the floats (NaN as 0): the float mean
        self.int_sum = BufferedSum()  # the int64 mean (a cast sum: buffered)
        self.zeros = self.negatives = self.infinities = 0
        self.finite_low: Any = None
        self.finite_high: Any = None
        self.finite_count = 0
        self.mean: Any = np.nan
        self.centre: Any = None  # the mean the std's squares are taken around
        self.squares: PairwiseSum | None = None
        self.few_values = FewValueCounter()

    @property
    def floats(self) -> bool:
        return bool(self.reader.data.dtype.kind == "f")

    def add_rows(self, rows: Sequence[Sequence[Any]], index: int) -> None:
        values = self._chunk(rows, index)
        self.size += values.size
        with np.errstate(all="ignore"):
            if self.floats:
                missing = np.isnan(values)
                present = values[~missing]
                self.float_sum.add(np.where(missing, 0.0, values))
                self.infinities += int(np.count_nonzero(np.isinf(values)))
                finite = present[np.isfinite(present)]
            else:
                present = finite = values
                self.float_sum.add(values.astype(np.float64))
                self.int_sum.add(values.copy())  # `values` is the reader's, reused
        self.count += present.size
        self.zeros += int(np.count_nonzero(values == 0))
        self.negatives += int(np.count_nonzero(values < 0))
        if present.size:
            self.low = _extreme(self.low, present.min(), min)
            self.high = _extreme(self.high, present.max(), max)
        if finite.size:
            self.finite_low = _extreme(self.finite_low, finite.min(), min)
            self.finite_high = _extreme(self.finite_high, finite.max(), max)
            self.finite_count += finite.size
        self.order.add(present)

    def _plan(self) -> None:
        dtype = self.reader.data.dtype
        count = float(self.count)
        total = self.float_sum.total()
        assert total is not None  # as many values as expected
        # summary.nan_mean_std's arithmetic: the int64 mean is a cast (buffered) sum, the
        # std's mean is the float sum, as for floats.
        self.centre = np.float64(total) / count
        self.mean = np.float64(self.int_sum.result()) / count if dtype.kind == "i" else self.centre
        if self.count > 1:
            self.squares = PairwiseSum(self.size)
        if self.finite_count:
            low, high = dtype.type(self.finite_low), dtype.type(self.finite_high)
            self.histogram = _Histogram(
                low, high, self.finite_count, self.settings.bins, dates=False
            )

    def add_again(self, rows: Sequence[Sequence[Any]], index: int) -> None:
        values = self._chunk(rows, index)
        self.read_again += values.size
        with np.errstate(all="ignore"):
            missing = np.isnan(values) if self.floats else None
            present = values if missing is None else values[~missing]
            if self.passes == 1:
                self._second(values, missing, present)
                self._count_distinct(present)
                self.few_values.add(present)
        self.order.add(present)

    def _second(self, values: np.ndarray, missing: np.ndarray | None, present: np.ndarray) -> None:
        if self.squares is not None:
            squares = (self.centre - values.astype(np.float64, copy=False)) ** 2
            if missing is not None:
                squares[missing] = 0.0
            self.squares.add(squares)
        if self.histogram is not None:
            self.histogram.add(present[np.isfinite(present)] if self.floats else present)

    def finish(self) -> ColumnProfile:
        dtype = self.reader.data.dtype
        profile = self._profile(str(dtype), self.count, self._distinct())
        if not self.count:
            return profile
        std: Any = np.nan
        if self.squares is not None:
            total = self.squares.total()
            assert total is not None
            with np.errstate(all="ignore"):
                std = np.sqrt(np.float64(total) / (float(self.count) - 1))
        profile.mean, profile.std = python_scalar(self.mean), python_scalar(std)
        found = self.order.found
        with np.errstate(all="ignore"):
            quartiles = interpolated(self.count, found, dtype, _percentile)
        profile.q25, profile.q50, profile.q75 = (python_scalar(v) for v in quartiles)
        profile.min = python_scalar(dtype.type(self.low))
        profile.max = python_scalar(dtype.type(self.high))
        profile.zeros, profile.negatives = self.zeros, self.negatives
        profile.infinities = self.infinities
        profile.value_counts = self.few_values.result()
        if self.histogram is not None:
            counts, edges = self.histogram.result()
            profile.histogram = Histogram(
                edges=[float(e) for e in edges], counts=[int(c) for c in counts]
            )
        return profile


class BoundedDatetimeAccumulator(Passes):
    """Timestamps in passes: as DatetimeAccumulator (microsecond ticks, NaT missing)."""

    def __init__(self, spec: ColumnSpec, settings: Settings, capacity: int) -> None:
        super().__init__(spec, settings, capacity)
        self.reader = DatetimeAccumulator(spec, settings, READER_ROWS)
        self.tick_sum = BufferedSum()

    def _ticks(self, rows: Sequence[Sequence[Any]], index: int) -> tuple[np.ndarray, np.ndarray]:
        values = self._chunk(rows, index)
        present = ~np.isnat(values)
        return values.view(np.int64), present

    def add_rows(self, rows: Sequence[Sequence[Any]], index: int) -> None:
        ticks, present = self._ticks(rows, index)
        self.size += ticks.size
        self.tick_sum.add(np.where(present, ticks, 0))
        kept = ticks[present]
        self.count += kept.size
        if kept.size:
            self.low = _extreme(self.low, kept.min(), min)
            self.high = _extreme(self.high, kept.max(), max)
        self.order.add(kept)

    def _plan(self) -> None:
        low, high = np.int64(self.low), np.int64(self.high)
        self.histogram = _Histogram(low, high, self.count, self.settings.bins, dates=True)

    def add_again(self, rows: Sequence[Sequence[Any]], index: int) -> None:
        ticks, present = self._ticks(rows, index)
        self.read_again += ticks.size
        kept = ticks[present]
        if self.passes == 1:
            assert self.histogram is not None
            self.histogram.add(kept)
            self._count_distinct(kept)
        self.order.add(kept)

    def finish(self) -> ColumnProfile:
        unit = "datetime64[us, UTC]" if self.spec.tz_aware else "datetime64[us]"
        profile = self._profile(unit, self.count, self._distinct())
        if not self.count:
            return profile
        mean = np.float64(self.tick_sum.result()) / self.count
        quartiles = interpolated(self.count, self.order.found, np.dtype(np.int64), _quantile)
        stamps = [int(mean), *(int(np.int64(q)) for q in quartiles), int(self.low), int(self.high)]
        tz_aware = self.spec.tz_aware
        profile.mean, profile.q25, profile.q50, profile.q75, profile.min, profile.max = (
            datetime_of_micros(t, tz_aware) for t in stamps
        )
        assert self.histogram is not None
        counts, edges = self.histogram.result()
        profile.histogram = Histogram(
            edges=[iso_tick(e, "us", tz_aware) for e in edges], counts=[int(c) for c in counts]
        )
        return profile


class HandedOverCounts(CategoryAccumulator):
    """Text counted in Python while it has few values; past COUNTED_KEYS, left to SQLite.

    Few-valued columns are cheaper to count as they stream than for SQLite to sort; one
    that looked few-valued in its first rows but is not stops here (its counts dropped),
    and SQLite groups it from scratch (sqlite_groups.py), so memory never grows with the table.
    """

    handed_over = False

    def add_rows(self, rows: Sequence[Sequence[Any]], index: int) -> None:
        if not self.handed_over:
            super().add_rows(rows, index)
            self._check()

    def add(self, values: Sequence[Any]) -> None:
        if not self.handed_over:
            super().add(values)
            self._check()

    def _check(self) -> None:
        if len(self.counts) > COUNTED_KEYS:
            self.counts.clear()
            self.handed_over = True


def bounded_accumulator_for(spec: ColumnSpec, settings: Settings, capacity: int) -> Accumulator:
    """A bounded accumulator for numbers and datetimes; the usual one for other kinds."""
    from ddtui.profile.streaming.accumulate import accumulator_for

    if spec.kind == "number":
        return BoundedNumberAccumulator(spec, settings, capacity)
    if spec.kind == "datetime":
        return BoundedDatetimeAccumulator(spec, settings, capacity)
    return accumulator_for(spec, settings, capacity)


__all__ = [
    "BoundedDatetimeAccumulator",
    "BoundedNumberAccumulator",
    "Passes",
    "bounded_accumulator_for",
]
