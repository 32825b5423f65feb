"""Compare two profiles of a task's output: deltas, schema changes, PSI, KS and a verdict.

How each number is computed, and the JSON layout, are in `ddtui/drift/JSON.md`.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any, Literal

import numpy as np

from ddtui.drift import stats
from ddtui.drift.report import (
    CATEGORY_KINDS,
    DELTA_FIELDS,
    DRIFT_SCHEMA_VERSION,
    NUMERIC_KINDS,
    VERDICT_RANK,
    ColumnDrift,
    ColumnStatus,
    Delta,
    DriftReport,
    HealthFlag,
    HealthFlagName,
    KsDetail,
    OverlaidHistogram,
    PsiDetail,
    RunSide,
    SchemaChange,
    Thresholds,
    Verdict,
    as_number,
)
from ddtui.drift.samples import Samples, to_sample_value, to_timestamp
from ddtui.profile.models import ColumnProfile, TableProfile

__all__ = [
    "DRIFT_SCHEMA_VERSION",
    "ColumnDrift",
    "ColumnStatus",
    "Delta",
    "DriftReport",
    "HealthFlag",
    "HealthFlagName",
    "KsDetail",
    "OverlaidHistogram",
    "PsiDetail",
    "RunSide",
    "SchemaChange",
    "Thresholds",
    "Verdict",
    "compare_profiles",
]


# Comparison ----------------------------------------------------------------------------


def compare_profiles(
    baseline: TableProfile,
    current: TableProfile,
    baseline_samples: Samples | None = None,
    current_samples: Samples | None = None,
    thresholds: Thresholds | None = None,
    *,
    histogram_bins: int = 20,
    partition_keys: Collection[str] = (),
) -> DriftReport:
    """Compare `current` with `baseline`, column by column, and give a verdict.

    `partition_keys`: columns whose value names the partition each side is (`ds`): they
    differ between partitions by design, so their PSI is shown but not judged.
    """
    thresholds = thresholds or Thresholds()
    health: list[HealthFlag] = []
    schema_changes: list[SchemaChange] = []
    columns: list[ColumnDrift] = []
    current_names = {c.name for c in current.columns}
    for cur in current.columns:
        base = baseline.column(cur.name)
        if base is None:
            schema_changes.append(SchemaChange(cur.name, "added", None, cur.db_type))
            drift = ColumnDrift(cur.name, "added", cur.kind, None, cur.db_type)
            drift.deltas = {f: Delta(None, v) for f, v in _delta_values(cur).items()}
            _raise(drift, "watch", "column added")
        else:
            b_sample = (baseline_samples or {}).get(cur.name)
            c_sample = (current_samples or {}).get(cur.name)
            drift = _compare_column(
                base, cur, b_sample, c_sample, thresholds=thresholds, histogram_bins=histogram_bins,
                partition_key=cur.name in partition_keys,
            )  # fmt: skip
            if base.db_type != cur.db_type or base.kind != cur.kind:
                schema_changes.append(
                    SchemaChange(cur.name, "type_changed", base.db_type, cur.db_type)
                )
            _column_health(base, cur, current.row_count, drift, health)
        columns.append(drift)
    for base in baseline.columns:
        if base.name not in current_names:
            schema_changes.append(SchemaChange(base.name, "dropped", base.db_type, None))
            drift = ColumnDrift(base.name, "dropped", base.kind, base.db_type, None)
            drift.deltas = {f: Delta(v, None) for f, v in _delta_values(base).items()}
            _raise(drift, "drift", "column dropped")
            columns.append(drift)

    rows = Delta(baseline.row_count, current.row_count)
    verdict: Verdict = max((c.verdict for c in columns), key=VERDICT_RANK.__getitem__, default="ok")
    if baseline.row_count > 0 and current.row_count < baseline.row_count * (
        1 - thresholds.rows_drop
    ):
        fell = 100 * (1 - current.row_count / baseline.row_count)
        message = f"rows fell from {baseline.row_count:,} to {current.row_count:,} (-{fell:.0f}%)"
        health.insert(0, HealthFlag("rows-dropped", None, message))
        verdict = "drift"
    return DriftReport(
        baseline=RunSide(
            baseline.table,
            baseline.row_count,
            baseline.exact,
            has_samples=baseline_samples is not None,
        ),
        current=RunSide(
            current.table, current.row_count, current.exact, has_samples=current_samples is not None
        ),
        rows=rows,
        columns=columns,
        schema_changes=schema_changes,
        health=health,
        verdict=verdict,
        thresholds=thresholds,
    )


def _compare_column(
    base: ColumnProfile,
    cur: ColumnProfile,
    b_sample: list[Any] | None,
    c_sample: list[Any] | None,
    *,
    thresholds: Thresholds,
    histogram_bins: int,
    partition_key: bool = False,
) -> ColumnDrift:
    drift = ColumnDrift(cur.name, "common", cur.kind, base.db_type, cur.db_type)
    b_values, c_values = _delta_values(base), _delta_values(cur)
    drift.deltas = {f: Delta(b_values.get(f), c_values.get(f)) for f in DELTA_FIELDS}
    drift.deltas = {
        f: d for f, d in drift.deltas.items() if d.baseline is not None or d.current is not None
    }

    if base.kind != cur.kind:
        _raise(drift, "drift", f"kind changed from {base.kind} to {cur.kind}")
        return drift
    if base.db_type != cur.db_type:
        _raise(drift, "watch", f"type changed from {base.db_type} to {cur.db_type}")

    if cur.kind in NUMERIC_KINDS:
        b_num = _numbers(b_sample, cur.kind)
        c_num = _numbers(c_sample, cur.kind)
        if b_num is not None and c_num is not None and b_num.size and c_num.size:
            binned = stats.numeric_psi(b_num, c_num)
            if binned:
                drift.psi = PsiDetail(
                    binned.psi,
                    "quantile-bins",
                    "samples",
                    binned.inner_edges,
                    binned.baseline_counts,
                    binned.current_counts,
                )
            ks = stats.ks_2samp(b_num, c_num)
            if ks:
                drift.ks = KsDetail(ks.statistic, ks.pvalue, ks.n_baseline, ks.n_current)
            drift.histogram = _overlay_from_samples(b_num, c_num, histogram_bins)
        else:
            b_hist, c_hist = _numeric_histogram(base), _numeric_histogram(cur)
            if b_hist and c_hist:
                integer = _is_integer(base) and _is_integer(cur)
                binned = stats.histogram_psi(*b_hist, *c_hist, integer=integer)
                if binned:
                    drift.psi = PsiDetail(
                        binned.psi,
                        "quantile-bins",
                        "profiles",
                        binned.inner_edges,
                        binned.baseline_counts,
                        binned.current_counts,
                    )
                drift.histogram = _overlay_from_histograms(b_hist, c_hist, histogram_bins)
    elif cur.kind in CATEGORY_KINDS:
        drift.psi = _category_psi(base, cur, b_sample, c_sample, thresholds.top_k)

    key_like = _is_key(base) and _is_key(cur)
    if partition_key:
        drift.reasons.append("the partition key: PSI not judged")
    elif key_like and not thresholds.judge_keys:
        drift.reasons.append("all values distinct (a key?): PSI not judged")
    elif drift.psi is not None:
        psi = drift.psi.value
        if psi >= thresholds.drift:
            _raise(drift, "drift", f"PSI {psi:.3f} >= {thresholds.drift}")
        elif psi >= thresholds.watch:
            _raise(drift, "watch", f"PSI {psi:.3f} >= {thresholds.watch}")
    missing_change = Delta(base.missing_pct, cur.missing_pct).change or 0.0
    if abs(missing_change) >= thresholds.missing_drift:
        _raise(drift, "drift", f"missing {missing_change:+.1f} points")
    elif abs(missing_change) >= thresholds.missing_watch:
        _raise(drift, "watch", f"missing {missing_change:+.1f} points")
    return drift


def _column_health(
    base: ColumnProfile,
    cur: ColumnProfile,
    current_rows: int,
    drift: ColumnDrift,
    health: list[HealthFlag],
) -> None:
    if current_rows > 0 and cur.count == 0 and base.count > 0:
        health.append(HealthFlag("all-null", cur.name, f"{cur.name} became all-null"))
        _raise(drift, "drift", "became all-null")
    elif cur.distinct == 1 and base.distinct is not None and base.distinct > 1:
        health.append(
            HealthFlag(
                "constant",
                cur.name,
                f"{cur.name} became constant ({_short(_constant_value(cur))})",
            )
        )
        _raise(drift, "drift", "became constant")


def _category_psi(
    base: ColumnProfile,
    cur: ColumnProfile,
    b_sample: list[Any] | None,
    c_sample: list[Any] | None,
    top_k: int,
) -> PsiDetail | None:
    """Exact frequencies from the profiles when their top lists are complete, else the
    samples, else the profiles' top values with what they do not list pooled as "(other)"."""
    b_known, b_complete = _profile_frequencies(base)
    c_known, c_complete = _profile_frequencies(cur)
    if not (b_complete and c_complete) and b_sample is not None and c_sample is not None:
        result = stats.category_psi(b_sample, c_sample, top_k=top_k)
        source: Literal["samples", "profiles"] = "samples"
    else:
        # A category one side does not list has an unknown count there: pool it on both sides.
        shared = {
            k
            for k in set(b_known) | set(c_known)
            if (k in b_known or b_complete) and (k in c_known or c_complete)
        }
        b_counts = {k: b_known.get(k, 0) for k in shared}
        c_counts = {k: c_known.get(k, 0) for k in shared}
        other = (
            max(base.count - sum(b_counts.values()), 0),
            max(cur.count - sum(c_counts.values()), 0),
        )
        result = stats.category_psi_from_counts(
            b_counts, c_counts, top_k=len(shared) or 1, other=other
        )
        source = "profiles"
    if result is None:
        return None
    return PsiDetail(
        result.psi,
        "categories",
        source,
        result.categories,
        [int(v) for v in result.baseline_counts],
        [int(v) for v in result.current_counts],
    )


def _profile_frequencies(col: ColumnProfile) -> tuple[dict[str, int], bool]:
    """Value counts a profile knows, and whether they cover every non-missing value."""
    if col.kind == "boolean" and col.true_count is not None and col.false_count is not None:
        return {"True": col.true_count, "False": col.false_count}, True
    known: dict[str, int] = {}
    for value, count in col.top_values:
        key = value if isinstance(value, str) else str(value)
        known[key] = known.get(key, 0) + int(count)
    complete = sum(known.values()) >= col.count or (
        col.distinct is not None and col.distinct <= len(col.top_values)
    )
    return known, complete


def _numbers(sample: list[Any] | None, kind: str) -> np.ndarray | None:
    if sample is None:
        return None
    values = [to_sample_value(v, kind) if kind == "datetime" else v for v in sample]
    array = np.asarray(
        [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)], dtype=float
    )
    return array[np.isfinite(array)]


def _numeric_histogram(col: ColumnProfile) -> tuple[list[float], list[int]] | None:
    hist = col.histogram
    if hist is None or not hist.counts or len(hist.edges) != len(hist.counts) + 1:
        return None
    edges = [to_timestamp(e) if col.kind == "datetime" else as_number(e) for e in hist.edges]
    if any(e is None or not math.isfinite(e) for e in edges):
        return None
    return [float(e) for e in edges if e is not None], [int(c) for c in hist.counts]


def _is_integer(col: ColumnProfile) -> bool:
    dtype = col.pandas_dtype.lower()
    return col.kind == "number" and dtype.startswith(("int", "uint"))


def _is_key(col: ColumnProfile) -> bool:
    return _is_integer(col) and col.count > 1 and col.distinct == col.count


def _overlay_from_samples(b: np.ndarray, c: np.ndarray, bins: int) -> OverlaidHistogram:
    low = float(min(b.min(), c.min()))
    high = float(max(b.max(), c.max()))
    edges = stats.common_edges(low, high, bins)
    return OverlaidHistogram(
        edges.tolist(),
        [float(v) for v in stats.histogram_on(b, edges)],
        [float(v) for v in stats.histogram_on(c, edges)],
        "samples",
    )


def _overlay_from_histograms(
    b: tuple[list[float], list[int]], c: tuple[list[float], list[int]], bins: int
) -> OverlaidHistogram:
    edges = stats.common_edges(min(b[0][0], c[0][0]), max(b[0][-1], c[0][-1]), bins)
    return OverlaidHistogram(
        edges.tolist(), stats.rebin(b[0], b[1], edges), stats.rebin(c[0], c[1], edges), "profiles"
    )


def _delta_values(col: ColumnProfile) -> dict[str, Any]:
    values: dict[str, Any] = {
        "count": col.count,
        "missing_pct": col.missing_pct,
        "distinct": col.distinct,
    }
    if col.kind == "number":
        for name in ("mean", "std", "min", "q25", "q50", "q75", "max"):
            values[name] = getattr(col, name)
    elif col.kind == "datetime":
        values["min"], values["max"] = col.min, col.max
    return values


def _constant_value(col: ColumnProfile) -> Any:
    return col.top if col.top is not None else col.min


def _raise(drift: ColumnDrift, verdict: Verdict, reason: str) -> None:
    drift.reasons.append(reason)
    if VERDICT_RANK[verdict] > VERDICT_RANK[drift.verdict]:
        drift.verdict = verdict


def _short(value: Any, limit: int = 30) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
