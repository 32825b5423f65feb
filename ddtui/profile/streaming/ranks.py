"""Exact order statistics (for quartiles) of a column read in passes, in bounded memory.

Why passes over the rows rather than the database's sort: the std and the histogram need
a second pass over the rows anyway (they depend on the mean and the range), so finding the
quartiles costs that pass nothing more, where `ORDER BY col LIMIT 1 OFFSET k` makes SQLite
sort each column of the table (see the README's Performance section for the figures).

Each value gets a 64-bit key in value order. The first pass counts the keys in 2**BITS
buckets (their top bits); the buckets that hold the ranks sought are read again in the
next pass, which keeps their distinct values (with counts) when there are at most
KEEP_DISTINCT of them, and counts them in 2**BITS finer buckets otherwise, for a further
pass. Keys are the float bits of `value - centre`, the centre being a typical value of the
first chunk: buckets are fine near the data, however large its values (timestamps).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BITS = 18  # buckets per level: 2 MB of counts
KEEP_DISTINCT = 1 << 18  # distinct values kept per range sought (~4 MB with their counts)
COUNT_BUFFER = 1 << 16  # bucket numbers buffered before counting them in one np.bincount
_SIGN = np.uint64(1 << 63)


def order_keys(shifted: np.ndarray) -> np.ndarray:
    """uint64 keys in the order of the float64 values (no NaN): -inf < ... < -0.0 < 0.0 < inf."""
    bits = shifted.view(np.int64)
    flip = (bits >> np.int64(63)).view(np.uint64) | _SIGN  # all bits if negative, else the sign
    return bits.view(np.uint64) ^ flip


@dataclass
class _Range:
    """Keys [low, low + 2**width) holding some of the ranks sought."""

    low: int
    width: int  # bits
    below: int  # values with smaller keys
    ranks: list[int]
    counts: np.ndarray | None = None  # allocated when first needed (2 MB)
    buffered: list[np.ndarray] = field(default_factory=list)
    buffered_size: int = 0
    kept: list[tuple[np.ndarray, np.ndarray]] | None = field(default_factory=list)
    kept_size: int = 0

    @property
    def step(self) -> int:
        """Bits of a sub-bucket."""
        return max(self.width - BITS, 0)

    def add(self, values: np.ndarray, keys: np.ndarray) -> None:
        """Count (and keep) the values whose keys fall in this range."""
        if self.width < 64:
            inside = (keys >= np.uint64(self.low)) & (
                keys <= np.uint64(self.low + (1 << self.width) - 1)
            )
            values, keys = values[inside], keys[inside]
        if not keys.size:
            return
        self.buffered.append(((keys - np.uint64(self.low)) >> np.uint64(self.step)).astype(np.intp))
        self.buffered_size += keys.size
        if self.buffered_size >= COUNT_BUFFER:
            self._count()
        if self.kept is not None:
            self._keep(values)

    def _count(self) -> np.ndarray:
        """The counts per sub-bucket of everything added so far."""
        if self.counts is None:
            self.counts = np.zeros(1 << min(self.width, BITS), dtype=np.int64)
        if self.buffered:
            joined = np.concatenate(self.buffered)
            self.counts += np.bincount(joined, minlength=self.counts.size)
            self.buffered, self.buffered_size = [], 0
        return self.counts

    def _keep(self, values: np.ndarray) -> None:
        assert self.kept is not None
        distinct, counts = counted(values)
        self.kept.append((distinct, counts))
        self.kept_size += distinct.size
        if self.kept_size > KEEP_DISTINCT:
            self.kept = [_merged(self.kept)]
            self.kept_size = self.kept[0][0].size
            if self.kept_size > KEEP_DISTINCT and self.width > 0:
                self.kept = None  # too many: count them finer and look again next pass

    def resolve(self) -> dict[int, object] | list[_Range]:
        """The values at the ranks if kept, else the finer ranges to read next pass."""
        if self.kept is not None:
            distinct, counts = _merged(self.kept) if self.kept else (np.empty(0), np.empty(0))
            ends = np.cumsum(counts)
            return {
                rank: distinct[int(np.searchsorted(ends, rank - self.below, side="right"))]
                for rank in self.ranks
            }
        return split(self._count(), self.low, self.step, self.below, self.ranks)


def counted(values: np.ndarray, counts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and how many times each occurs (given per value or 1).

    As np.unique(return_counts=True), by a sort: numpy 2's hash table for it is slower.
    """
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    weights = np.ones(values.size, dtype=np.int64) if counts is None else counts[order]
    if not ordered.size:
        return ordered, weights
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return ordered[starts], np.add.reduceat(weights, starts)


def _merged(kept: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and their counts from several such lists."""
    if len(kept) == 1:
        return kept[0]
    return counted(np.concatenate([v for v, _ in kept]), np.concatenate([c for _, c in kept]))


def split(counts: np.ndarray, low: int, step: int, below: int, ranks: list[int]) -> list[_Range]:
    """The buckets (of 2**step keys from `low`) that hold the ranks, as ranges to read next."""
    ends = np.cumsum(counts)
    ranges: dict[int, _Range] = {}
    for rank in sorted(set(ranks)):
        bucket = int(np.searchsorted(ends, rank - below, side="right"))
        if bucket not in ranges:
            before = below + (int(ends[bucket - 1]) if bucket else 0)
            ranges[bucket] = _Range(low + (bucket << step), step, before, [])
        ranges[bucket].ranks.append(rank)
    return list(ranges.values())


class OrderStatistics:
    """The values at chosen ranks of a column's present values, found over passes."""

    def __init__(self) -> None:
        self.centre: float | None = None
        self.top = _Range(0, 64, 0, [])
        self.top.kept = None  # the first pass only counts
        self.ranges: list[_Range] = [self.top]
        self.found: dict[int, object] = {}

    def keys(self, values: np.ndarray) -> np.ndarray:
        """Order keys of present values (the centre is fixed by the first chunk that has any)."""
        floats = values.astype(np.float64, copy=False)
        if self.centre is None:
            finite = floats[np.isfinite(floats)]
            # Only infinities in the first chunk: keyed around 0 (still exact, if coarser).
            self.centre = float(np.median(finite)) if finite.size else 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            return order_keys(floats - self.centre)

    def add(self, values: np.ndarray) -> None:
        """One chunk of present values (no NaN/NaT) in this pass."""
        if not values.size or not self.ranges:
            return
        keys = self.keys(values)
        for reading in self.ranges:
            reading.add(values, keys)

    def seek(self, ranks: list[int]) -> None:
        """After the first pass: the ranks sought."""
        self.top.ranks = list(ranks)

    def end_pass(self) -> bool:
        """Resolve what this pass read; True if another pass is needed."""
        following: list[_Range] = []
        for reading in self.ranges:
            if not reading.ranks:
                continue
            outcome = reading.resolve()
            if isinstance(outcome, dict):
                self.found.update(outcome)
            else:
                following += outcome
        self.ranges = following
        return bool(following)
