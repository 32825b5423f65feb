"""compare_profiles on profiles of real SQLite tables with known shifts, checked against
independent numpy/pandas/scipy computations; samples; task health and the DAG roll-up."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import sqlalchemy as sa

from ddtui.backends.engines import create_readonly_engine
from ddtui.drift import (
    DRIFT_SCHEMA_VERSION,
    TaskHealth,
    Thresholds,
    compare_profiles,
    dag_badge,
    draw_samples,
    task_health,
)
from ddtui.drift.samples import sample_kinds
from ddtui.profile.models import TableProfile
from tests.drift_support import profile_sql_table, reference_category_psi, reference_psi

SEGMENTS = ["bronze", "silver", "gold"]


def customers(
    rows: int = 5_000,
    *,
    seed: int = 2024,
    shift: float = 0.0,
    na_fraction: float = 0.0,
    segment_p: tuple[float, float, float] = (0.6, 0.3, 0.1),
) -> pd.DataFrame:
    """Like the `drift` demo DAG's `sample` task output."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, rows + 1),
            "amount": np.round(rng.normal(100.0 + shift, 15.0, rows), 2),
            "quantity": rng.poisson(3, rows),
            "segment": rng.choice(SEGMENTS, rows, p=list(segment_p)),
            "channel": rng.choice(["web", "store", "phone"], rows, p=[0.5, 0.4, 0.1]),
            "signup_date": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 4 * 365, rows), unit="D"),
            "is_active": rng.random(rows) < 0.8,
            "score": np.round(rng.uniform(0.0, 1.0, rows), 4),
        }
    )
    if na_fraction:
        frame.loc[rng.random(rows) < na_fraction, "score"] = np.nan
    return frame


class Side:
    """A table written to SQLite, profiled by the real profiler, and sampled."""

    def __init__(self, tmp_path: Path, name: str, frame: pd.DataFrame) -> None:
        path = tmp_path / f"{name}.sqlite"
        writer = sa.create_engine(f"sqlite:///{path}")
        frame.to_sql(name, writer, index=False)
        writer.dispose()
        self.frame = frame
        self.engine = create_readonly_engine(f"sqlite:///{path}")
        self.profile: TableProfile = profile_sql_table(self.engine, name)
        self.samples = draw_samples(
            self.engine, name, kinds=sample_kinds(self.profile.columns), row_count=len(frame)
        )


def make_pair(tmp_path: Path, baseline: pd.DataFrame, current: pd.DataFrame) -> tuple[Side, Side]:
    return Side(tmp_path, "baseline", baseline), Side(tmp_path, "current", current)


def compare(base: Side, cur: Side, *, samples: bool = True, **kwargs):
    if samples:
        return compare_profiles(base.profile, cur.profile, base.samples, cur.samples, **kwargs)
    return compare_profiles(base.profile, cur.profile, **kwargs)


def test_same_distribution_is_ok(tmp_path: Path) -> None:
    base, cur = make_pair(tmp_path, customers(seed=1), customers(seed=2))
    report = compare(base, cur)
    assert report.verdict == "ok", [(c.name, c.reasons) for c in report.columns]
    assert report.badge is None
    assert report.schema_changes == []
    assert report.health == []
    amount = report.column("amount")
    assert amount is not None
    assert amount.psi is not None
    assert amount.psi.value < 0.05


def test_mean_shift_psi_and_ks_match_numpy_and_scipy(tmp_path: Path) -> None:
    base, cur = make_pair(tmp_path, customers(seed=1), customers(seed=2, shift=25.0))
    report = compare(base, cur)
    amount = report.column("amount")
    assert amount is not None
    assert amount.verdict == "drift"
    assert report.verdict == "drift"
    assert report.badge == "drift"
    b = np.asarray(base.samples["amount"])
    c = np.asarray(cur.samples["amount"])
    assert amount.psi is not None
    assert amount.psi.source == "samples"
    assert amount.psi.value == pytest.approx(reference_psi(b, c), rel=1e-9)
    assert amount.psi.value > 1.0
    assert amount.ks is not None
    assert amount.ks.statistic == pytest.approx(scipy.stats.ks_2samp(b, c).statistic, abs=1e-12)
    # The mean moved by 25 (pandas on the full tables is the reference).
    mean = amount.deltas["mean"]
    expected = cur.frame["amount"].mean() - base.frame["amount"].mean()
    assert mean.change == pytest.approx(expected, rel=1e-6)
    assert 23 < mean.change < 27
    for q, name in ((0.25, "q25"), (0.5, "q50"), (0.75, "q75")):
        want = cur.frame["amount"].quantile(q) - base.frame["amount"].quantile(q)
        assert amount.deltas[name].change == pytest.approx(want, rel=1e-6, abs=1e-9)
    # Untouched columns stay quiet.
    for name in ("quantity", "segment", "score", "is_active"):
        column = report.column(name)
        assert column is not None
        assert column.verdict == "ok", (name, column.reasons)


def test_dropped_and_added_columns(tmp_path: Path) -> None:
    current = customers(seed=2).drop(columns=["channel"]).assign(region="north")
    base, cur = make_pair(tmp_path, customers(seed=1), current)
    report = compare(base, cur)
    changes = {(s.column, s.change) for s in report.schema_changes}
    assert changes == {("channel", "dropped"), ("region", "added")}
    channel = report.column("channel")
    region = report.column("region")
    assert channel is not None
    assert region is not None
    assert channel.status == "dropped"
    assert channel.verdict == "drift"
    assert region.status == "added"
    assert region.verdict == "watch"
    assert report.verdict == "drift"


def test_added_nas_move_missing_share_not_psi(tmp_path: Path) -> None:
    base, cur = make_pair(tmp_path, customers(seed=1), customers(seed=2, na_fraction=0.2))
    report = compare(base, cur)
    score = report.column("score")
    assert score is not None
    missing = score.deltas["missing_pct"]
    assert missing.change == pytest.approx(100 * cur.frame["score"].isna().mean())
    assert score.verdict == "drift"
    assert any("missing" in r for r in score.reasons)
    # The values that are there have not moved: PSI on non-missing values stays low.
    assert score.psi is not None
    assert score.psi.value < 0.1
    b = np.asarray(base.samples["score"])
    c = np.asarray(cur.samples["score"])
    assert score.psi.value == pytest.approx(reference_psi(b, c), rel=1e-9)
    assert len(c) < len(b)  # NULLs are not sampled


def test_category_frequency_change_matches_pandas(tmp_path: Path) -> None:
    base, cur = make_pair(tmp_path, customers(seed=1), customers(seed=2, segment_p=(0.3, 0.3, 0.4)))
    report = compare(base, cur)
    segment = report.column("segment")
    assert segment is not None
    assert segment.psi is not None
    # Three categories, all listed in both profiles: PSI on the full tables' frequencies.
    assert segment.psi.source == "profiles"
    want = reference_category_psi(base.frame["segment"].tolist(), cur.frame["segment"].tolist())
    assert segment.psi.value == pytest.approx(want, rel=1e-9)
    assert segment.verdict == "drift"
    # From the samples the same shift shows (approximately the same number).
    samples_only = compare_profiles(
        _without_top_values(base.profile, "segment"),
        _without_top_values(cur.profile, "segment"),
        base.samples,
        cur.samples,
    ).column("segment")
    assert samples_only is not None
    assert samples_only.psi is not None
    assert samples_only.psi.source == "samples"
    want_sample = reference_category_psi(base.samples["segment"], cur.samples["segment"])
    assert samples_only.psi.value == pytest.approx(want_sample, rel=1e-9)


def _without_top_values(profile: TableProfile, name: str) -> TableProfile:
    column = profile.column(name)
    assert column is not None
    column.top_values = column.top_values[:1]
    return profile


@pytest.mark.parametrize(("rows", "flagged"), [(2_000, True), (2_499, True), (3_000, False)])
def test_rows_dropped_by_more_than_half(tmp_path: Path, rows: int, flagged: bool) -> None:
    base, cur = make_pair(tmp_path, customers(5_000, seed=1), customers(rows, seed=2))
    report = compare(base, cur)
    assert report.rows.change == rows - 5_000
    flags = [h.flag for h in report.health]
    assert ("rows-dropped" in flags) is flagged
    if flagged:
        assert report.badge == "rows-dropped"
        assert report.verdict == "drift"


def test_key_like_columns_are_reported_not_judged(tmp_path: Path) -> None:
    base, cur = make_pair(tmp_path, customers(5_000, seed=1), customers(4_000, seed=2))
    ids = compare(base, cur).column("customer_id")
    assert ids is not None
    assert ids.psi is not None
    assert ids.psi.value > 0.25  # ids 1..4000 against 1..5000
    assert ids.verdict == "ok"
    assert any("key" in r for r in ids.reasons)
    judged = compare(base, cur, thresholds=Thresholds(judge_keys=True)).column("customer_id")
    assert judged is not None
    assert judged.verdict == "drift"


def test_column_became_all_null_or_constant(tmp_path: Path) -> None:
    current = customers(seed=2)
    current["score"] = np.nan
    current["channel"] = "web"
    base, cur = make_pair(tmp_path, customers(seed=1), current)
    report = compare(base, cur)
    flags = {(h.flag, h.column) for h in report.health}
    assert ("all-null", "score") in flags
    assert ("constant", "channel") in flags
    assert report.badge == "all-null"  # the more severe of the two


def test_type_change_is_a_schema_change(tmp_path: Path) -> None:
    current = customers(seed=2)
    current["quantity"] = current["quantity"].map(lambda n: f"q{n}")
    base, cur = make_pair(tmp_path, customers(seed=1), current)
    report = compare(base, cur)
    assert [(s.column, s.change) for s in report.schema_changes] == [("quantity", "type_changed")]
    quantity = report.column("quantity")
    assert quantity is not None
    assert quantity.verdict == "drift"


def test_profiles_only_psi_is_close_to_the_sample_psi(tmp_path: Path) -> None:
    base, cur = make_pair(tmp_path, customers(seed=1), customers(seed=2, shift=10.0))
    with_samples = compare(base, cur).column("amount")
    without = compare(base, cur, samples=False).column("amount")
    assert with_samples is not None
    assert without is not None
    assert without.ks is None
    assert without.psi is not None
    assert without.psi.source == "profiles"
    assert with_samples.psi is not None
    assert without.psi.value == pytest.approx(with_samples.psi.value, rel=0.3)
    assert without.verdict == with_samples.verdict == "drift"


def test_overlaid_histograms_share_edges(tmp_path: Path) -> None:
    base, cur = make_pair(tmp_path, customers(seed=1), customers(seed=2, shift=25.0))
    for samples in (True, False):
        amount = compare(base, cur, samples=samples).column("amount")
        assert amount is not None
        hist = amount.histogram
        assert hist is not None
        assert len(hist.edges) == 21
        assert len(hist.baseline_counts) == len(hist.current_counts) == 20
        values = (
            base.samples["amount"] + cur.samples["amount"]
            if samples
            else pd.concat([base.frame.amount, cur.frame.amount]).tolist()
        )
        if samples:
            assert hist.edges[0] == pytest.approx(min(values))
            assert hist.edges[-1] == pytest.approx(max(values))
        else:  # the profiles' histograms have round edges around the values
            assert hist.edges[0] <= min(values) < hist.edges[1]
            assert hist.edges[-2] <= max(values) < hist.edges[-1]
        want = len(base.samples["amount"]) if samples else 5_000
        assert sum(hist.baseline_counts) == pytest.approx(want)
        assert sum(hist.baseline_shares) == pytest.approx(1.0)
        # The current run's mass sits to the right of the baseline's.
        centre = np.asarray(hist.edges[:-1]) + np.diff(hist.edges) / 2
        assert np.dot(centre, hist.current_shares) > np.dot(centre, hist.baseline_shares) + 20
    signup = compare(base, cur).column("signup_date")
    assert signup is not None
    assert signup.histogram is not None  # datetimes too, as POSIX seconds
    assert signup.ks is not None


def test_json_is_strict_and_versioned(tmp_path: Path) -> None:
    current = customers(seed=2, shift=25.0, na_fraction=0.2).drop(columns=["channel"])
    base, cur = make_pair(tmp_path, customers(seed=1), current)
    data = compare(base, cur).to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert data["schema_version"] == DRIFT_SCHEMA_VERSION
    assert data["kind"] == "ddtui.drift_report"
    assert data["verdict"] == "drift"
    assert set(data) >= {
        "baseline", "current", "rows", "schema_changes", "health", "thresholds", "columns"
    }  # fmt: skip
    amount = next(c for c in data["columns"] if c["name"] == "amount")
    assert set(amount["deltas"]) >= {
        "count",
        "missing_pct",
        "distinct",
        "mean",
        "std",
        "q25",
        "q50",
        "q75",
    }
    assert set(amount["psi"]) >= {"value", "method", "source", "inner_edges"}
    assert set(amount["ks"]) == {"statistic", "pvalue", "n_baseline", "n_current"}
    assert data["thresholds"]["psi_watch"] == 0.1
    assert data["thresholds"]["psi_drift"] == 0.25


def test_thresholds_are_configurable(tmp_path: Path) -> None:
    base, cur = make_pair(tmp_path, customers(seed=1), customers(seed=2, shift=3.0))
    amount = compare(base, cur).column("amount")
    assert amount is not None
    assert amount.psi is not None
    value = amount.psi.value
    assert (
        compare(base, cur, thresholds=Thresholds(watch=value / 2, drift=value * 2))
        .column("amount")
        .verdict
        == "watch"
    )
    assert (
        compare(base, cur, thresholds=Thresholds(watch=value * 2, drift=value * 3))
        .column("amount")
        .verdict
        == "ok"
    )


# Samples -------------------------------------------------------------------------------


def test_samples_are_bounded_deterministic_and_evenly_spaced(tmp_path: Path) -> None:
    side = Side(tmp_path, "t", customers(20_000, seed=3))
    again = draw_samples(side.engine, "t", kinds=sample_kinds(side.profile.columns))
    assert again == side.samples
    ids = side.samples["customer_id"]
    assert len(ids) == 2_000
    gaps = np.diff(ids)
    assert gaps.min() >= 9
    assert gaps.max() <= 11
    assert ids[0] == 1
    assert ids[-1] == 20_000
    assert all(isinstance(v, bool) for v in side.samples["is_active"])
    assert all(isinstance(v, float) for v in side.samples["signup_date"])
    assert set(side.samples["segment"]) <= set(SEGMENTS)


def test_samples_through_the_window_function_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ddtui.backends.sqlite import SQLiteBackend

    side = Side(tmp_path, "t", customers(10_000, seed=3))
    monkeypatch.setattr(SQLiteBackend, "sample_by_rowid", lambda *a: None)
    drawn = draw_samples(side.engine, "t", size=500)
    ids = drawn["customer_id"]
    assert len(ids) == 500
    assert set(np.diff(ids)) == {20.0}


def test_small_tables_are_sampled_whole(tmp_path: Path) -> None:
    side = Side(tmp_path, "t", customers(300, seed=3))
    assert len(side.samples["customer_id"]) == 300


def test_sampling_a_large_sqlite_table_is_fast(tmp_path: Path) -> None:
    path = tmp_path / "big.sqlite"
    rows = 1_000_000
    rng = np.random.default_rng(0)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE big (n BIGINT, x FLOAT, c TEXT)")
        conn.executemany(
            "INSERT INTO big VALUES (?, ?, ?)",
            zip(
                range(rows),
                rng.normal(size=rows).tolist(),
                rng.choice(SEGMENTS, rows).tolist(),
                strict=True,
            ),
        )
    readonly = create_readonly_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    drawn = draw_samples(readonly, "big")
    elapsed = time.perf_counter() - started
    assert len(drawn["x"]) == 2_000
    assert drawn["n"][-1] == rows - 1
    assert elapsed < 1.0, elapsed


# Health across runs --------------------------------------------------------------------


def test_task_health_sparkline_and_badges(tmp_path: Path) -> None:
    runs = [
        Side(tmp_path, "r1", customers(5_000, seed=1)),
        Side(tmp_path, "r2", customers(5_200, seed=2)),
        Side(tmp_path, "r3", customers(2_000, seed=3)),
    ]
    newest_first = [r.profile for r in reversed(runs)]
    health = task_health(newest_first)
    assert health.row_counts == [5_000, 5_200, 2_000]
    assert health.badge == "rows-dropped"
    assert health.level == "drift"
    assert any("rows fell" in r for r in health.reasons)
    calm = task_health(newest_first[1:])
    assert calm.badge is None
    assert calm.level == "ok"
    assert calm.row_counts == [5_000, 5_200]
    single = task_health(newest_first[:1])
    assert single.row_counts == [2_000]
    assert single.badge is None
    assert task_health([]).row_counts == []


def test_task_health_uses_history_samples(tmp_path: Path) -> None:
    from ddtui.drift import HistoryKey, ProfileHistory

    history = ProfileHistory(tmp_path / "h.sqlite")
    sides = [
        Side(tmp_path, "r1", customers(seed=1)),
        Side(tmp_path, "r2", customers(seed=2, shift=4.0)),
    ]
    for i, side in enumerate(sides):
        key = HistoryKey("sqlite:////m.db", "drift", "publish", f"run{i}", "drift_latest")
        history.record(key, side.profile, side.samples)
    health = task_health(history.for_task("sqlite:////m.db", "drift", "publish"))
    assert health.report is not None
    amount = health.report.column("amount")
    assert amount is not None
    assert amount.ks is not None  # samples came back from the history
    assert health.badge in ("watch", "drift")
    assert any(r.startswith("amount:") for r in health.reasons)


def test_dag_badge_rolls_up_the_most_severe() -> None:
    def h(badge: str | None) -> TaskHealth:
        return TaskHealth([1], badge)  # type: ignore[arg-type]

    assert dag_badge([]) is None
    assert dag_badge([h(None), None, h(None)]) is None
    assert dag_badge([h("watch"), h(None)]) == "watch"
    assert dag_badge([h("watch"), h("drift")]) == "drift"
    assert dag_badge([h("drift"), h("constant"), h("watch")]) == "constant"
    assert dag_badge([h("all-null"), h("constant")]) == "all-null"
    assert dag_badge([h("rows-dropped"), h("all-null"), h("drift")]) == "rows-dropped"


@pytest.mark.postgres
def test_postgres_samples_are_repeatable_and_spread() -> None:
    import os

    from tests.airflow_home_support import POSTGRES_URL, require_service

    require_service("PostgreSQL", POSTGRES_URL)
    name = f"ddtui_drift_samples_{os.getpid()}"
    writer = sa.create_engine(POSTGRES_URL)
    rows = 20_000
    frame = pd.DataFrame({"n": np.arange(rows), "c": np.resize(SEGMENTS, rows)})
    frame.to_sql(name, writer, index=False, chunksize=5_000)
    try:
        engine = create_readonly_engine(POSTGRES_URL)
        first = draw_samples(engine, name, size=500, row_count=rows)
        again = draw_samples(engine, name, size=500)
        engine.dispose()
        assert first == again
        ids = first["n"]
        assert 400 <= len(ids) <= 500
        assert min(ids) < rows * 0.05
        assert max(ids) > rows * 0.95
        assert set(first["c"]) == set(SEGMENTS)
    finally:
        with writer.begin() as conn:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"'))
        writer.dispose()
