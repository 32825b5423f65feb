"""PSI and KS against independent computations (pandas binning, scipy)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ddtui.drift import stats
from tests.drift_support import reference_category_psi, reference_psi

EPS = stats.PSI_EPSILON


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240401)


def test_psi_epsilon_is_the_documented_one() -> None:
    assert stats.PSI_EPSILON == 1e-4


@pytest.mark.parametrize(
    ("shift", "scale", "low", "high"),
    [
        (0.0, 1.0, 0.0, 0.05),  # same distribution: stable
        (0.2, 1.0, 0.02, 0.1),  # small shift: below 'watch'
        (0.5, 1.0, 0.1, 0.4),  # half a standard deviation: 'watch' or more
        (1.67, 1.0, 1.0, 10.0),  # the demo's +25 on std 15: clearly drifted
        (0.0, 2.0, 0.25, 2.0),  # spread doubled, same mean
    ],
)
def test_numeric_psi_matches_reference_for_known_shifts(
    rng: np.random.Generator, shift: float, scale: float, low: float, high: float
) -> None:
    baseline = rng.normal(0.0, 1.0, 2_000)
    current = rng.normal(shift, scale, 2_000)
    result = stats.numeric_psi(baseline, current)
    assert result is not None
    assert result.psi == pytest.approx(reference_psi(baseline, current), rel=1e-9, abs=1e-12)
    assert low <= result.psi <= high
    assert len(result.inner_edges) == 9
    assert sum(result.baseline_counts) == 2_000
    assert sum(result.current_counts) == 2_000
    # Bins cut at the baseline's deciles hold a tenth of the baseline each.
    assert all(190 <= c <= 210 for c in result.baseline_counts)


def test_numeric_psi_with_ties_merges_edges(rng: np.random.Generator) -> None:
    baseline = rng.poisson(3, 2_000).astype(float)
    current = rng.poisson(4, 2_000).astype(float)
    result = stats.numeric_psi(baseline, current)
    assert result is not None
    assert len(result.inner_edges) < 9
    assert result.psi == pytest.approx(reference_psi(baseline, current), rel=1e-9)


def test_empty_bins_use_epsilon() -> None:
    baseline = np.arange(100.0)
    current = np.full(50, 1_000.0)  # everything in the top bin
    result = stats.numeric_psi(baseline, current)
    assert result is not None
    b = np.full(10, 0.1)
    c = np.array([EPS] * 9 + [1.0])
    assert result.psi == pytest.approx(float(((c - b) * np.log(c / b)).sum()))


def test_psi_none_for_empty_sides() -> None:
    assert stats.numeric_psi(np.array([]), np.array([1.0])) is None
    assert stats.numeric_psi(np.array([np.nan]), np.array([1.0])) is None
    assert stats.category_psi([], ["a"]) is None


def test_category_psi_matches_reference(rng: np.random.Generator) -> None:
    baseline = rng.choice(["bronze", "silver", "gold"], 2_000, p=[0.6, 0.3, 0.1]).tolist()
    current = rng.choice(["bronze", "silver", "gold"], 2_000, p=[0.3, 0.3, 0.4]).tolist()
    result = stats.category_psi(baseline, current)
    assert result is not None
    assert result.psi == pytest.approx(reference_category_psi(baseline, current), rel=1e-12)
    assert result.psi > 0.25
    same = rng.choice(["bronze", "silver", "gold"], 2_000, p=[0.6, 0.3, 0.1]).tolist()
    stable = stats.category_psi(baseline, same)
    assert stable is not None
    assert stable.psi < 0.02


def test_category_psi_pools_the_tail_as_other() -> None:
    baseline = ["a"] * 50 + ["b"] * 30 + [f"rare{i}" for i in range(20)]
    current = ["a"] * 50 + ["b"] * 30 + [f"new{i}" for i in range(20)]
    result = stats.category_psi(baseline, current, top_k=2)
    assert result is not None
    assert result.categories[-1] == stats.OTHER
    assert result.baseline_counts[-1] == 20
    assert result.current_counts[-1] == 20
    assert result.psi == pytest.approx(0.0)


def test_category_psi_new_category_uses_epsilon() -> None:
    result = stats.category_psi(["a"] * 100, ["a"] * 50 + ["b"] * 50)
    assert result is not None
    b, c = np.array([1.0, EPS]), np.array([0.5, 0.5])
    assert result.psi == pytest.approx(float(((c - b) * np.log(c / b)).sum()))


@pytest.mark.parametrize("shift", [0.0, 0.1, 0.5, 2.0])
@pytest.mark.parametrize("sizes", [(2_000, 2_000), (500, 1_500), (37, 2_000)])
def test_ks_matches_scipy(rng: np.random.Generator, shift: float, sizes: tuple[int, int]) -> None:
    baseline = rng.normal(0, 1, sizes[0])
    current = rng.normal(shift, 1, sizes[1])
    ours = stats.ks_2samp(baseline, current)
    theirs = scipy.stats.ks_2samp(baseline, current, method="asymp")
    assert ours is not None
    assert ours.statistic == pytest.approx(theirs.statistic, abs=1e-12)
    en = sizes[0] * sizes[1] / sum(sizes)
    assert ours.pvalue == pytest.approx(
        scipy.stats.kstwobign.sf(math.sqrt(en) * ours.statistic), abs=1e-9
    )
    # scipy's asymptotic p-value uses a finite-n distribution; ours the limit: close enough.
    assert ours.pvalue == pytest.approx(theirs.pvalue, abs=0.05)


@settings(max_examples=150, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 300), elements=st.floats(-1e6, 1e6)),
    arrays(np.float64, st.integers(1, 300), elements=st.integers(-5, 5).map(float)),
)
def test_ks_statistic_equals_scipy_on_any_data(a: np.ndarray, b: np.ndarray) -> None:
    ours = stats.ks_2samp(a, b)
    assert ours is not None
    assert ours.statistic == pytest.approx(scipy.stats.ks_2samp(a, b).statistic, abs=1e-12)
    assert 0.0 <= ours.pvalue <= 1.0


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.integers(2, 400), elements=st.floats(-1e3, 1e3, allow_subnormal=False)),
    arrays(np.float64, st.integers(1, 400), elements=st.floats(-1e3, 1e3, allow_subnormal=False)),
)
def test_psi_equals_reference_and_is_non_negative(a: np.ndarray, b: np.ndarray) -> None:
    result = stats.numeric_psi(a, b)
    assert result is not None
    assert result.psi >= -1e-12
    assert result.psi == pytest.approx(reference_psi(a, b), rel=1e-9, abs=1e-12)
    assert stats.numeric_psi(a, a).psi == pytest.approx(0.0, abs=1e-12)  # type: ignore[union-attr]


@pytest.mark.parametrize("x", [0.05, 0.3, 0.5, 0.8, 0.99, 1.0, 1.2, 2.0, 3.0])
def test_kolmogorov_sf_matches_scipy(x: float) -> None:
    assert stats.kolmogorov_sf(x) == pytest.approx(scipy.stats.kstwobign.sf(x), abs=1e-10)


def test_histogram_psi_approximates_sample_psi(rng: np.random.Generator) -> None:
    baseline = rng.normal(100, 15, 5_000)
    current = rng.normal(125, 15, 5_000)
    b_counts, b_edges = np.histogram(baseline, bins=20)
    c_counts, c_edges = np.histogram(current, bins=20)
    approx = stats.histogram_psi(b_edges, b_counts, c_edges, c_counts)
    exact = stats.numeric_psi(baseline, current)
    assert approx is not None
    assert exact is not None
    assert approx.psi == pytest.approx(exact.psi, rel=0.25)
    same = stats.histogram_psi(b_edges, b_counts, b_edges, b_counts)
    assert same is not None
    assert same.psi == pytest.approx(0.0, abs=1e-9)


def test_rebin_keeps_totals_and_shape() -> None:
    edges = [0.0, 1.0, 2.0, 3.0]
    counts = [10, 20, 30]
    new_edges = np.linspace(-1.0, 4.0, 11)
    out = stats.rebin(edges, counts, new_edges)
    assert sum(out) == pytest.approx(60)
    assert out[0] == 0.0
    assert out[2] == pytest.approx(5.0)  # [0, 0.5) is half of the first bin
    assert stats.rebin([2.0, 2.0], [7], new_edges)[6] == 7  # a constant column's single bin


def test_integer_histogram_psi_is_stable_across_different_edges(rng: np.random.Generator) -> None:
    baseline = rng.poisson(3, 5_000)
    same = rng.poisson(3, 5_000)
    moved = rng.poisson(4, 5_000)
    b_counts, b_edges = np.histogram(baseline, bins=20)
    s_counts, s_edges = np.histogram(same, bins=17)  # edges that split integers differently
    m_counts, m_edges = np.histogram(moved, bins=23)
    stable = stats.histogram_psi(b_edges, b_counts, s_edges, s_counts, integer=True)
    shifted = stats.histogram_psi(b_edges, b_counts, m_edges, m_counts, integer=True)
    exact = stats.numeric_psi(baseline.astype(float), moved.astype(float))
    assert stable is not None
    assert shifted is not None
    assert exact is not None
    assert stable.psi < 0.02
    assert shifted.psi == pytest.approx(exact.psi, rel=0.05)
