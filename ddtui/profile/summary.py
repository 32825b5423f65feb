"""Small numeric helpers shared by the streaming and push-down profilers."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ddtui.profile.bins import histogram_edges
from ddtui.profile.models import FEW_VALUES, Histogram


def python_scalar(value: Any) -> Any:
    """A numpy scalar as the plain Python value; NaN (pandas' "not computable") as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def hashable(value: Any) -> Any:
    """The value itself, or a stable JSON text for unhashable ones (lists, dicts)."""
    try:
        hash(value)
    except TypeError:
        return json.dumps(value, sort_keys=True, default=str)
    return value


def number_histogram(finite: np.ndarray, bins: int) -> Histogram | None:
    """Counts of finite values in round bins over [min, max] (ddtui.profile.bins); None if
    empty."""
    if not finite.size:
        return None
    edges = histogram_edges(float(finite.min()), float(finite.max()), bins)
    counts = np.histogram(finite, bins=edges)[0]
    return Histogram(edges=[float(e) for e in edges], counts=[int(c) for c in counts])


def few_value_counts(ordered: np.ndarray) -> list[tuple[Any, int]]:
    """Each value of a sorted array (no NaN) with its count, in value order, when there are
    at most FEW_VALUES of them (pandas `value_counts().sort_index()`); else []."""
    if not ordered.size:
        return []
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    if starts.size > FEW_VALUES:
        return []
    counts = np.diff(np.append(starts, ordered.size))
    return [(python_scalar(ordered[i]), int(n)) for i, n in zip(starts, counts, strict=True)]


class FewValueCounter:
    """`few_value_counts` over chunks: each value's count, while there are at most
    FEW_VALUES values (past that it stops counting)."""

    def __init__(self) -> None:
        self.counts: dict[Any, int] | None = {}

    def add(self, present: np.ndarray) -> None:
        if self.counts is None or not present.size:
            return
        values, counts = np.unique(present, return_counts=True)  # -0.0 and 0.0: one value
        if values.size > FEW_VALUES:
            self.counts = None
            return
        for value, n in zip(values.tolist(), counts.tolist(), strict=True):
            self.counts[value] = self.counts.get(value, 0) + n
        if len(self.counts) > FEW_VALUES:
            self.counts = None

    def result(self) -> list[tuple[Any, int]]:
        return sorted(self.counts.items()) if self.counts else []


def iso_tick(tick: float, unit: str, tz_aware: bool) -> str:
    """An epoch tick (in `unit`) as an ISO 8601 string, with +00:00 when tz-aware."""
    text = str(np.datetime64(round(tick), unit))  # type: ignore[call-overload]
    return text + "+00:00" if tz_aware else text


def datetime_histogram(ticks: np.ndarray, unit: str, tz_aware: bool, bins: int) -> Histogram | None:
    """Counts of epoch ticks (in `unit`: "us") in calendar bins; edges as ISO strings."""
    if not ticks.size:
        return None
    edges = histogram_edges(float(ticks.min()), float(ticks.max()), bins, dates=True)
    counts = np.histogram(ticks, bins=edges)[0]
    return Histogram(
        edges=[iso_tick(e, unit, tz_aware) for e in edges], counts=[int(c) for c in counts]
    )


def length_stats(counts: Mapping[str, int]) -> tuple[int | None, float | None, int | None]:
    """(min, mean, max) length in characters of strings given with their counts."""
    if not counts:
        return None, None, None
    lengths = np.fromiter(map(len, counts), dtype=np.int64, count=len(counts))
    weights = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    mean = float(np.dot(lengths, weights) / weights.sum())
    return int(lengths.min()), mean, int(lengths.max())


def nan_mean_std(values: np.ndarray) -> tuple[Any, Any]:
    """Series.mean() and Series.std() of a float64 (NaN = missing) or int64 array.

    pandas' own two-pass formulas (nanops.nanmean, nanvar with ddof=1) on the same arrays
    in the same order, so the sums round alike; numpy alone, because importing pandas
    (~0.3 s) would delay the first profile on screen. NaN where pandas gives NaN.
    """
    missing = np.isnan(values) if values.dtype.kind == "f" else None
    if missing is not None and not missing.any():
        missing = None
    count = float(values.size - (int(np.count_nonzero(missing)) if missing is not None else 0))
    if not count:
        return np.nan, np.nan
    filled = values if missing is None else np.where(missing, 0.0, values)
    mean = filled.sum(dtype=np.float64) / count
    if count <= 1:
        return mean, np.nan
    floats = filled if filled.dtype.kind == "f" else filled.astype(np.float64)
    # nanvar sums the float copy again (integers: the mean above summed the int64s).
    squares = (floats.sum(dtype=np.float64) / count - floats) ** 2
    if missing is not None:
        squares[missing] = 0.0
    return mean, np.sqrt(squares.sum(dtype=np.float64) / (count - 1))


_STRING_DTYPE: str | None = None


def text_dtype(all_str: bool) -> str:
    """The dtype pandas gives a text column: its string dtype if all values are str."""
    global _STRING_DTYPE  # noqa: PLW0603  (computed once)
    if not all_str:
        return "object"
    if _STRING_DTYPE is None:
        # From the installed version, not from importing pandas (~0.3 s): pandas 3 infers
        # its "str" dtype for strings, pandas 2 "object".
        from importlib.metadata import version

        major = int(version("pandas").split(".", 1)[0])
        _STRING_DTYPE = "str" if major >= 3 else "object"
    return _STRING_DTYPE


def most_common(counts: Mapping[Any, int], k: int) -> list[tuple[Any, int]]:
    """Counter.most_common(k) (ties in first-seen order, as value_counts), in numpy."""
    if len(counts) <= 4 * k:
        return sorted(counts.items(), key=lambda kv: -kv[1])[:k]  # stable sort
    values = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    kth = np.partition(values, len(values) - k)[len(values) - k]  # the k-th largest count
    above = np.flatnonzero(values > kth)
    tied = np.flatnonzero(values == kth)[: k - len(above)]  # the first seen of the ties
    chosen = np.concatenate([above, tied])
    order = chosen[np.lexsort((chosen, -values[chosen]))]  # by count, then first seen
    keys = list(counts)
    return [(keys[i], int(values[i])) for i in order]
