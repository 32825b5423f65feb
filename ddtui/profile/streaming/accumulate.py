"""Per-column accumulators: fed chunks of raw values, they finish into ColumnProfiles.

Numbers and datetimes are kept as one numpy array per column (8 bytes a value) and
finished with pandas' own formulas in numpy (pandas is not imported: it would cost the
first profile ~0.3 s); text, booleans and other values are kept as value counts (memory
grows with distinct values only).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import numpy as np

from ddtui.errors import DataSourceError
from ddtui.profile.models import ColumnKind, ColumnProfile, Histogram
from ddtui.profile.spec import QUANTILES, ColumnSpec, Settings
from ddtui.profile.summary import (
    datetime_histogram,
    few_value_counts,
    hashable,
    length_stats,
    most_common,
    nan_mean_std,
    number_histogram,
    python_scalar,
    text_dtype,
)
from ddtui.profile.values import datetime_from_micros


def new_profile(
    spec: ColumnSpec, pandas_dtype: str, total: int, count: int, distinct: int | None
) -> ColumnProfile:
    """A column's profile with its counts; the kind-specific metrics are filled in after."""
    return ColumnProfile(
        name=spec.name,
        kind=spec.kind,
        db_type=spec.db_type,
        pandas_dtype=pandas_dtype,
        count=count,
        missing=total - count,
        distinct=distinct,
    )


class Accumulator:
    """Base: counts values; subclasses keep what their kind needs."""

    def __init__(self, spec: ColumnSpec, settings: Settings, capacity: int) -> None:
        self.spec = spec
        self.settings = settings
        self.size = 0

    def add(self, values: Sequence[Any]) -> None:
        """Take one chunk of this column's values (None for NULL)."""
        raise NotImplementedError

    def add_rows(self, rows: Sequence[Sequence[Any]], index: int) -> None:
        """Take this column (at `index`) of one chunk of row tuples."""
        self.add(list(map(itemgetter(index), rows)))

    def finish(self) -> ColumnProfile:
        """The column's profile from everything added."""
        raise NotImplementedError

    def _profile(self, pandas_dtype: str, count: int, distinct: int | None) -> ColumnProfile:
        return new_profile(self.spec, pandas_dtype, self.size, count, distinct)


class _ArrayAccumulator(Accumulator):
    """Keeps the column in one preallocated numpy array, growing it if rows keep coming."""

    dtype: Any = np.float64

    def __init__(self, spec: ColumnSpec, settings: Settings, capacity: int) -> None:
        super().__init__(spec, settings, capacity)
        self.data = np.empty(max(capacity, 1), dtype=self.dtype)

    def _append(self, chunk: np.ndarray) -> None:
        end = self.size + len(chunk)
        if end > len(self.data):
            # The table grew since COUNT(*); grow geometrically like a list.
            grown = np.empty(max(end, 2 * len(self.data)), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : end] = chunk
        self.size = end

    def values(self) -> np.ndarray:
        return self.data[: self.size]


class NumberAccumulator(_ArrayAccumulator):
    """Integers (int64 while no NULL is seen, as pandas would) and floats (NULL -> NaN)."""

    def __init__(self, spec: ColumnSpec, settings: Settings, capacity: int) -> None:
        self.dtype = np.int64 if spec.is_integer else np.float64
        super().__init__(spec, settings, capacity)
        self.seen_null = False

    def add_rows(self, rows: Sequence[Sequence[Any]], index: int) -> None:
        if not self.seen_null:
            try:
                # Fast path while there are no NULLs: no intermediate list.
                chunk = np.fromiter(map(itemgetter(index), rows), self.data.dtype, len(rows))
            except (TypeError, ValueError, OverflowError):
                self.seen_null = True
            else:
                self._append(chunk)
                return
        self.add(list(map(itemgetter(index), rows)))

    def add(self, values: Sequence[Any]) -> None:
        if self.data.dtype == np.int64:
            try:
                self._append(np.array(values, dtype=np.int64))
                return
            except (TypeError, ValueError, OverflowError):
                # A NULL (or a value beyond int64): pandas reads the column as float64.
                self.data = self.data.astype(np.float64)
        try:
            self._append(np.array(values, dtype=np.float64))
        except (TypeError, ValueError) as exc:
            raise DataSourceError(
                f"column {self.spec.name!r} is declared {self.spec.db_type} "
                f"but holds a non-numeric value: {exc}"
            ) from exc

    def finish(self) -> ColumnProfile:
        # Overflow and inf - inf are expected with extreme data: pandas gives inf or NaN.
        with np.errstate(all="ignore"):
            return self._finish()

    def _finish(self) -> ColumnProfile:
        values = self.values()
        floats = values.dtype.kind == "f"
        # Sorted once, the values give the count, the distinct count (as nunique: NaN left
        # out, 0.0 and -0.0 one value), the extremes and the quartiles, faster than pandas'
        # hash table and partition.
        ordered = np.sort(values[~np.isnan(values)] if floats else values)
        count = ordered.size
        profile = self._profile(str(values.dtype), count, distinct_sorted(ordered))
        if not count:
            return profile
        mean, std = nan_mean_std(values)
        profile.mean, profile.std = python_scalar(mean), python_scalar(std)
        # Series.quantile is np.percentile(method="linear") on the non-missing values; its
        # order statistics are the same in sorted order, so the numbers are the same.
        quartiles = np.percentile(ordered, [100 * q for q in QUANTILES], method="linear")
        profile.q25, profile.q50, profile.q75 = (python_scalar(v) for v in quartiles)
        profile.min, profile.max = python_scalar(ordered[0]), python_scalar(ordered[-1])
        profile.zeros = int(np.count_nonzero(values == 0))
        profile.negatives = int(np.count_nonzero(values < 0))
        if floats:
            finite = values[np.isfinite(values)]
            profile.infinities = int(np.count_nonzero(np.isinf(values)))
        else:
            finite = values
            profile.infinities = 0
        profile.histogram = number_histogram(finite, self.settings.bins)
        profile.value_counts = few_value_counts(ordered)
        return profile


class DatetimeAccumulator(_ArrayAccumulator):
    """Timestamps as datetime64[us] (UTC for timezone-aware columns); NULL -> NaT."""

    dtype = np.dtype("datetime64[us]")

    def add(self, values: Sequence[Any]) -> None:
        if not self.spec.tz_aware:
            try:
                # Fast path: ISO strings (SQLite), naive datetimes and dates.
                self._append(np.array(values, dtype=self.dtype))
                return
            except (TypeError, ValueError):
                pass
        import pandas as pd

        parsed = pd.to_datetime(pd.Index(values, dtype=object), utc=True, format="ISO8601")
        self._append(parsed.tz_convert(None).to_numpy(dtype=self.dtype))

    def finish(self) -> ColumnProfile:
        values = self.values()
        present = ~np.isnat(values)
        ticks = values.view(np.int64)
        ordered = np.sort(ticks[present])
        count = ordered.size
        unit = "datetime64[us, UTC]" if self.spec.tz_aware else "datetime64[us]"
        profile = self._profile(unit, count, distinct_sorted(ordered))
        if not count:
            return profile
        # pandas' own arithmetic on the ticks (nanops.nanmean; quantile_with_mask): a float
        # sum with NaT as 0, and float quantiles, each cut to whole microseconds.
        mean = np.where(present, ticks, 0).sum(dtype=np.float64) / count
        quartiles = np.quantile(ordered, QUANTILES, method="linear").astype(np.int64)
        stamps = [int(mean), *(int(q) for q in quartiles), int(ordered[0]), int(ordered[-1])]
        tz_aware = self.spec.tz_aware
        profile.mean, profile.q25, profile.q50, profile.q75, profile.min, profile.max = (
            datetime_of_micros(t, tz_aware) for t in stamps
        )
        profile.histogram = datetime_histogram(ordered, "us", tz_aware, self.settings.bins)
        return profile


def datetime_of_micros(micros: int, tz_aware: bool) -> Any:
    """Microseconds since the epoch as a datetime (UTC if aware), as pandas would show it.

    Beyond datetime's years 1-9999 (datetime64[us] reaches further), a pandas Timestamp.
    """
    try:
        return datetime_from_micros(micros, tz_aware)
    except OverflowError:
        import pandas as pd

        stamp = pd.Timestamp(np.datetime64(micros, "us"))
        return stamp.tz_localize("UTC") if tz_aware else stamp


def distinct_sorted(ordered: np.ndarray) -> int:
    """Distinct values of a sorted array without NaN (equal neighbours are one value)."""
    if not ordered.size:
        return 0
    return 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))


class _CountingAccumulator(Accumulator):
    """Keeps value counts; memory grows with distinct values, not rows."""

    def __init__(self, spec: ColumnSpec, settings: Settings, capacity: int) -> None:
        super().__init__(spec, settings, capacity)
        self.counts: Counter[Any] = Counter()

    def add(self, values: Sequence[Any]) -> None:
        if self.spec.kind == "other":
            values = [hashable(v) for v in values]  # JSON lists, arrays, dicts...
        self.counts.update(values)  # C-accelerated; keeps first-seen order for ties
        self.size += len(values)

    def add_rows(self, rows: Sequence[Sequence[Any]], index: int) -> None:
        if self.spec.kind == "other":
            self.add(list(map(itemgetter(index), rows)))
            return
        self.counts.update(map(itemgetter(index), rows))  # no intermediate list
        self.size += len(rows)

    def _pop_missing(self) -> bool:
        """Drop None and NaN keys (pandas counts them missing); True if all keys are str."""
        self.counts.pop(None, None)
        if set(map(type, self.counts)) <= {str}:  # C-level loop: fast on 1M keys
            return True
        for key in [k for k in self.counts if isinstance(k, float) and math.isnan(k)]:
            del self.counts[key]
        return False


class CategoryAccumulator(_CountingAccumulator):
    """Text and other hashable values: describe's count/unique/top/freq, top-k, lengths."""

    def finish(self) -> ColumnProfile:
        all_str = self._pop_missing()
        counts = self.counts
        count = sum(counts.values())
        profile = self._profile(text_dtype(all_str), count, len(counts))
        if not count:
            return profile
        # most_common is a stable sort: ties keep first-seen order, as value_counts does.
        top = most_common(counts, self.settings.top_k)
        profile.top_values = [(python_scalar(v), n) for v, n in top]
        profile.top, profile.freq = profile.top_values[0]
        strings = counts if all_str else {k: n for k, n in counts.items() if isinstance(k, str)}
        profile.min_length, profile.mean_length, profile.max_length = length_stats(strings)
        return profile


class BooleanAccumulator(_CountingAccumulator):
    """Booleans: true/false counts, and describe's count/unique/top/freq."""

    def finish(self) -> ColumnProfile:
        self._pop_missing()
        merged: Counter[bool] = Counter()
        for key, n in self.counts.items():  # 1 and True are the same key already
            merged[bool(key)] += n
        count = sum(merged.values())
        dtype = "bool" if count == self.size else "object"
        profile = self._profile(dtype, count, len(merged))
        profile.true_count, profile.false_count = merged[True], merged[False]
        if count:
            profile.top_values = merged.most_common()
            profile.top, profile.freq = profile.top_values[0]
        return profile


class BinaryAccumulator(Accumulator):
    """Binary values: counted and measured (bytes), never histogrammed or counted distinct."""

    def __init__(self, spec: ColumnSpec, settings: Settings, capacity: int) -> None:
        super().__init__(spec, settings, capacity)
        self.lengths: list[tuple[int, int]] = []  # (min, max) per chunk
        self.total_length = 0
        self.count = 0

    def add(self, values: Sequence[Any]) -> None:
        sizes = [len(v) for v in values if v is not None]
        if sizes:
            self.lengths.append((min(sizes), max(sizes)))
            self.total_length += sum(sizes)
            self.count += len(sizes)
        self.size += len(values)

    def finish(self) -> ColumnProfile:
        profile = self._profile("object", self.count, None)
        if self.count:
            profile.min_length = min(lo for lo, _ in self.lengths)
            profile.max_length = max(hi for _, hi in self.lengths)
            profile.mean_length = self.total_length / self.count
        return profile


_BY_KIND: dict[ColumnKind, type[Accumulator]] = {
    "number": NumberAccumulator,
    "datetime": DatetimeAccumulator,
    "text": CategoryAccumulator,
    "other": CategoryAccumulator,
    "boolean": BooleanAccumulator,
    "binary": BinaryAccumulator,
}


def accumulator_for(spec: ColumnSpec, settings: Settings, capacity: int) -> Accumulator:
    """The accumulator for the column's kind."""
    return _BY_KIND[spec.kind](spec, settings, capacity)


__all__ = ["Accumulator", "ColumnSpec", "Histogram", "Settings", "accumulator_for"]
