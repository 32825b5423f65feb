"""Drift statistics with numpy only: PSI on baseline-quantile bins and on categories, two-sample KS.

PSI (population stability index) of a current distribution c against a baseline b, both as
proportions over the same bins:

    PSI = sum_i (c_i - b_i) * ln(c_i / b_i)

An empty bin would make the logarithm infinite, so every proportion is first raised to at
least `PSI_EPSILON` (1e-4, the usual choice in credit-risk monitoring); proportions are not
renormalised afterwards. Rule of thumb: < 0.1 stable, 0.1-0.25 watch, > 0.25 drifted.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np

PSI_EPSILON = 1e-4
DECILES = tuple(i / 10 for i in range(1, 10))
OTHER = "(other)"

Floats: TypeAlias = Sequence[float] | np.ndarray


def psi_from_proportions(baseline: Floats, current: Floats) -> float:
    """PSI of two proportion vectors over the same bins, empty bins raised to `PSI_EPSILON`."""
    b = np.maximum(np.asarray(baseline, dtype=float), PSI_EPSILON)
    c = np.maximum(np.asarray(current, dtype=float), PSI_EPSILON)
    return float(np.sum((c - b) * np.log(c / b)))


def psi_from_counts(baseline: Floats, current: Floats) -> float | None:
    """PSI of two count vectors over the same bins; None when either side is empty."""
    b = np.asarray(baseline, dtype=float)
    c = np.asarray(current, dtype=float)
    if b.sum() <= 0 or c.sum() <= 0:
        return None
    return psi_from_proportions(b / b.sum(), c / c.sum())


def quantile_edges(values: np.ndarray, quantiles: Sequence[float] = DECILES) -> np.ndarray:
    """Inner bin edges at the baseline's quantiles (linear interpolation, as numpy and pandas).

    Repeated edges (discrete or constant data) are merged, so there may be fewer than ten bins.
    """
    return np.unique(np.quantile(values, quantiles))


def bin_counts(values: np.ndarray, inner_edges: np.ndarray) -> np.ndarray:
    """Counts in the bins (-inf, e1], (e1, e2], ..., (ek, inf): `len(inner_edges) + 1` bins."""
    index = np.searchsorted(inner_edges, values, side="left")
    return np.bincount(index, minlength=len(inner_edges) + 1)


@dataclass(frozen=True)
class BinnedPsi:
    psi: float
    inner_edges: list[float]  # the baseline's (merged) deciles
    baseline_counts: list[int]
    current_counts: list[int]


def numeric_psi(baseline: Floats, current: Floats) -> BinnedPsi | None:
    """PSI on bins cut at the baseline's deciles; None when either sample is empty."""
    baseline = _finite(baseline)
    current = _finite(current)
    if baseline.size == 0 or current.size == 0:
        return None
    edges = quantile_edges(baseline)
    b_counts = bin_counts(baseline, edges)
    c_counts = bin_counts(current, edges)
    psi = psi_from_counts(b_counts, c_counts)
    if psi is None:
        return None
    return BinnedPsi(psi, edges.tolist(), b_counts.tolist(), c_counts.tolist())


@dataclass(frozen=True)
class CategoryPsi:
    psi: float
    categories: list[str]  # the bins, `OTHER` last when used
    baseline_counts: list[int]
    current_counts: list[int]


def category_psi(
    baseline: Iterable[Hashable], current: Iterable[Hashable], top_k: int = 20
) -> CategoryPsi | None:
    """PSI on category frequencies: the top-k of each side by count, the rest in `OTHER`."""
    b_counts = Counter(_category_key(v) for v in baseline)
    c_counts = Counter(_category_key(v) for v in current)
    return category_psi_from_counts(b_counts, c_counts, top_k=top_k)


def category_psi_from_counts(
    baseline: dict[str, int],
    current: dict[str, int],
    top_k: int = 20,
    *,
    other: tuple[int, int] = (0, 0),
) -> CategoryPsi | None:
    """As `category_psi`, from value counts; `other` adds counts known only in aggregate."""
    keep = {k for k, _ in Counter(baseline).most_common(top_k)}
    keep |= {k for k, _ in Counter(current).most_common(top_k)}
    categories = sorted(keep, key=lambda k: (-baseline.get(k, 0), -current.get(k, 0), k))
    b = [baseline.get(k, 0) for k in categories]
    c = [current.get(k, 0) for k in categories]
    b_other = other[0] + sum(v for k, v in baseline.items() if k not in keep)
    c_other = other[1] + sum(v for k, v in current.items() if k not in keep)
    if b_other or c_other:
        categories.append(OTHER)
        b.append(b_other)
        c.append(c_other)
    psi = psi_from_counts(b, c)
    if psi is None:
        return None
    return CategoryPsi(psi, categories, b, c)


def _category_key(value: object) -> str:
    # Booleans and numbers as categories compare by their text, as they print.
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class KsResult:
    statistic: float  # sup |F_baseline(x) - F_current(x)|
    pvalue: float  # asymptotic (Kolmogorov distribution); approximate for small samples
    n_baseline: int
    n_current: int


def ks_2samp(baseline: Floats, current: Floats) -> KsResult | None:
    """Two-sample Kolmogorov-Smirnov statistic (as `scipy.stats.ks_2samp`) with numpy only."""
    a = np.sort(_finite(baseline))
    b = np.sort(_finite(current))
    n, m = a.size, b.size
    if n == 0 or m == 0:
        return None
    points = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, points, side="right") / n
    cdf_b = np.searchsorted(b, points, side="right") / m
    statistic = float(np.max(np.abs(cdf_a - cdf_b)))
    effective_n = n * m / (n + m)
    return KsResult(statistic, kolmogorov_sf(math.sqrt(effective_n) * statistic), n, m)


def kolmogorov_sf(x: float) -> float:
    """P(K > x) for the Kolmogorov distribution (`scipy.stats.kstwobign.sf`)."""
    if x <= 0:
        return 1.0
    if x < 1.0:
        # The alternating series converges slowly here; use the Jacobi-theta form instead.
        w = math.sqrt(2 * math.pi) / x
        q = math.exp(-(math.pi**2) / (8 * x * x))
        cdf = w * sum(q ** ((2 * k - 1) ** 2) for k in range(1, 20))
        return min(1.0, max(0.0, 1.0 - cdf))
    total = sum((-1) ** (k - 1) * math.exp(-2 * k * k * x * x) for k in range(1, 101))
    return min(1.0, max(0.0, 2 * total))


def _finite(values: np.ndarray | Sequence[float]) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    return array[np.isfinite(array)]


# Histograms on common edges, for overlaid charts ------------------------------------------


def common_edges(low: float, high: float, bins: int = 20) -> np.ndarray:
    """`bins` equal-width bins spanning [low, high] (one unit wide when low == high)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("edges need finite bounds")
    if high <= low:
        low, high = low - 0.5, high + 0.5
    return np.linspace(low, high, bins + 1)


def histogram_on(values: np.ndarray, edges: np.ndarray) -> list[int]:
    """Counts of `values` on `edges` (last bin closed, as numpy)."""
    counts, _ = np.histogram(_finite(values), bins=edges)
    return [int(c) for c in counts]


def rebin(edges: Floats, counts: Floats, new_edges: np.ndarray) -> list[float]:
    """Spread each bin's count over `new_edges` in proportion to overlap (uniform within a bin)."""
    old = np.asarray(edges, dtype=float)
    out = np.zeros(len(new_edges) - 1)
    for lo, hi, count in zip(old[:-1], old[1:], counts, strict=True):
        if count == 0:
            continue
        if hi <= lo:  # a zero-width bin: all of it at one point
            index = min(max(int(np.searchsorted(new_edges, lo, side="right")) - 1, 0), len(out) - 1)
            out[index] += count
            continue
        overlap = np.clip(np.minimum(new_edges[1:], hi) - np.maximum(new_edges[:-1], lo), 0, None)
        out += count * overlap / (hi - lo)
    return out.tolist()


def histogram_cdf(edges: Floats, counts: Floats, x: np.ndarray) -> np.ndarray:
    """The piecewise-linear CDF of a histogram at `x` (uniform density within each bin)."""
    e = np.asarray(edges, dtype=float)
    c = np.asarray(counts, dtype=float)
    total = c.sum()
    if total <= 0:
        return np.zeros_like(np.asarray(x, dtype=float))
    cumulative = np.concatenate([[0.0], np.cumsum(c) / total])
    # np.interp needs increasing x; zero-width bins (a constant column) become a step.
    e = e + np.arange(len(e)) * 1e-12 * max(1.0, float(np.max(np.abs(e))))
    return np.interp(x, e, cumulative, left=0.0, right=1.0)


def histogram_psi(
    baseline_edges: Floats,
    baseline_counts: Floats,
    current_edges: Floats,
    current_counts: Floats,
    *,
    integer: bool = False,
) -> BinnedPsi | None:
    """PSI without samples: the baseline's deciles and both sides' bin shares read off the
    histograms (an approximation of `numeric_psi`).

    Continuous data is taken as uniform within each bin. Integer data (`integer=True`) is
    taken as point masses on the integers of each bin, cut between integers: otherwise two
    runs whose histograms have different edges would split the same integers differently.
    """
    if sum(baseline_counts) <= 0 or sum(current_counts) <= 0:
        return None
    if integer:
        b_points, b_mass = integer_masses(baseline_edges, baseline_counts)
        c_points, c_mass = integer_masses(current_edges, current_counts)
        cumulative = np.cumsum(b_mass) / b_mass.sum()
        cuts = b_points[
            np.minimum(np.searchsorted(cumulative, np.asarray(DECILES)), b_points.size - 1)
        ]
        inner = np.unique(cuts) + 0.5  # bins (-inf, v], (v, w], ... as numeric_psi's

        def shares(points: np.ndarray, mass: np.ndarray) -> np.ndarray:
            counts = np.bincount(
                np.searchsorted(inner, points), weights=mass, minlength=inner.size + 1
            )
            return counts / counts.sum()

        b_shares, c_shares = shares(b_points, b_mass), shares(c_points, c_mass)
    else:
        grid = np.linspace(float(baseline_edges[0]), float(baseline_edges[-1]), 2001)
        cdf = histogram_cdf(baseline_edges, baseline_counts, grid)
        at = np.minimum(np.searchsorted(cdf, np.asarray(DECILES)), grid.size - 1)
        inner = np.unique(grid[at])
        b_cdf = histogram_cdf(baseline_edges, baseline_counts, inner)
        c_cdf = histogram_cdf(current_edges, current_counts, inner)
        b_shares = np.diff(np.concatenate([[0.0], b_cdf, [1.0]]))
        c_shares = np.diff(np.concatenate([[0.0], c_cdf, [1.0]]))
    b_total, c_total = sum(baseline_counts), sum(current_counts)
    return BinnedPsi(
        psi_from_proportions(b_shares, c_shares),
        [float(e) for e in inner],
        [round(s * b_total) for s in b_shares],
        [round(s * c_total) for s in c_shares],
    )


def integer_masses(edges: Floats, counts: Floats) -> tuple[np.ndarray, np.ndarray]:
    """A histogram of integers as masses on integer points: each bin's count shared evenly
    by the integers in [lo, hi) (the last bin closed), or put on its nearest integer."""
    masses: dict[int, float] = {}
    last = len(counts) - 1
    for i, (lo, hi, count) in enumerate(zip(edges[:-1], edges[1:], counts, strict=True)):
        if not count:
            continue
        first = math.ceil(lo)
        stop = math.floor(hi) + 1 if i == last else math.ceil(hi)
        points = list(range(first, stop)) or [round((lo + hi) / 2)]
        for point in points:
            masses[point] = masses.get(point, 0.0) + count / len(points)
    keys = sorted(masses)
    return np.asarray(keys, dtype=float), np.asarray([masses[k] for k in keys])
