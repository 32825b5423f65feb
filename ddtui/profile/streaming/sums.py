"""numpy's float sums of a whole column, computed from the column's chunks as they stream.

pandas' mean and std are numpy sums over the whole column (see summary.nan_mean_std), and
numpy adds a float64 array pairwise: `pairwise(a, n)` adds the halves `pairwise(a, n2)` and
`pairwise(a + n2, n - n2)` (n2 = n // 2 rounded down to a multiple of 8) down to blocks of
at most 128 values. A sum of another shape differs in the last bits. Knowing n in advance,
the same tree is split into leaves of at most LEAF values, each summed by numpy as it is
(numpy splits a slice of the tree exactly as it splits the whole), then added up as numpy
adds them. A sum that casts (int64 to float64) goes through numpy's buffer instead: one
pairwise sum per block of BUFFER values, added one after the other.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

LEAF = 1 << 16  # values summed by one numpy call: any size up to the whole tree works
BLOCK = 128  # numpy's PW_BLOCKSIZE: it never splits fewer values, so neither may a leaf
BUFFER = 8192  # numpy's default buffer size (np.getbufsize()): its blocks when casting


def _half(length: int) -> int:
    """Where numpy splits `length` values: half, rounded down to its unrolling by 8."""
    half = length // 2
    return half - half % 8


def _leaf_sizes(length: int, leaf: int, out: list[int]) -> None:
    """The leaves of numpy's pairwise tree over `length` values, in order."""
    if length <= leaf:
        out.append(length)
        return
    _leaf_sizes(_half(length), leaf, out)
    _leaf_sizes(length - _half(length), leaf, out)


def _combine(length: int, leaf: int, leaves: Iterator[float]) -> float:
    """The tree's sum from its leaves' sums, added in numpy's order."""
    if length <= leaf:
        return next(leaves)
    left = _combine(_half(length), leaf, leaves)
    return left + _combine(length - _half(length), leaf, leaves)


class _Pieces:
    """Chunks waiting to make up a block of a given size."""

    def __init__(self) -> None:
        self.pieces: list[np.ndarray] = []
        self.size = 0

    def add(self, chunk: np.ndarray) -> None:
        if chunk.size:
            self.pieces.append(chunk)
            self.size += chunk.size

    def take(self, size: int) -> np.ndarray:
        """The first `size` values (there must be as many), as one contiguous array."""
        joined = self.pieces[0] if len(self.pieces) == 1 else np.concatenate(self.pieces)
        block, rest = joined[:size], joined[size:]
        self.pieces = [rest] if rest.size else []
        self.size = rest.size
        return block


class PairwiseSum:
    """`values.sum()` of a float64 array of `length` values, fed in chunks of any size."""

    def __init__(self, length: int, leaf: int | None = None) -> None:
        self.length = length
        self.leaf = max(LEAF if leaf is None else leaf, BLOCK)
        self.sizes: list[int] = []
        _leaf_sizes(length, self.leaf, self.sizes)
        self.sums: list[float] = []
        self.pending = _Pieces()
        self.fed = 0

    def add(self, chunk: np.ndarray) -> None:
        self.fed += chunk.size
        self.pending.add(chunk)
        while len(self.sums) < len(self.sizes) and self.pending.size >= self.sizes[len(self.sums)]:
            block = self.pending.take(self.sizes[len(self.sums)])
            self.sums.append(float(np.sum(block, dtype=np.float64)))

    def total(self) -> float | None:
        """The sum, or None if the chunks did not add up to `length` values."""
        if self.fed != self.length:
            return None
        if not self.length:
            return 0.0
        # numpy starts from 0.0: np.sum([-0.0]) is 0.0.
        return 0.0 + _combine(self.length, self.leaf, iter(self.sums))


class BufferedSum:
    """`values.sum(dtype=np.float64)` of an int64 array, fed in chunks of any size."""

    def __init__(self) -> None:
        self.total = 0.0
        self.pending = _Pieces()

    def add(self, chunk: np.ndarray) -> None:
        self.pending.add(chunk)
        while self.pending.size >= BUFFER:
            self._add_block(self.pending.take(BUFFER))

    def _add_block(self, block: np.ndarray) -> None:
        self.total = self.total + float(np.sum(block.astype(np.float64)))

    def result(self) -> float:
        """The sum of everything added."""
        if self.pending.size:
            self._add_block(self.pending.take(self.pending.size))
        return self.total
