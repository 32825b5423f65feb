"""Compare two profiles of a task's output: deltas, schema changes, PSI, KS and a verdict."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import numpy as np

from ddtui.drift import stats
from ddtui.drift.samples import Samples, to_sample_value, to_timestamp
from ddtui.drift.serialize import json_ready
from ddtui.profile.models import ColumnProfile, TableProfile

# Version of the JSON document `DriftReport.to_dict()` returns (see ddtui/drift/JSON.md).
DRIFT_SCHEMA_VERSION = 1

Verdict = Literal["ok", "watch", "drift"]
HealthFlagName = Literal["rows-dropped", "all-null", "constant"]
ColumnStatus = Literal["common", "added", "dropped"]

VERDICT_RANK: dict[str, int] = {"ok": 0, "watch": 1, "drift": 2}
NUMERIC_KINDS = ("number", "datetime")
CATEGORY_KINDS = ("text", "boolean", "other")
DELTA_FIELDS = (
    "count",
    "missing_pct",
    "distinct",
    "mean",
    "std",
    "min",
    "q25",
    "q50",
    "q75",
    "max",
)


@dataclass(frozen=True)
class Thresholds:
    """When a change is worth a look ('watch') or a failure ('drift')."""

    watch: float = 0.1  # PSI
    drift: float = 0.25  # PSI
    missing_watch: float = 2.0  # change of the missing share, in percentage points
    missing_drift: float = 10.0
    rows_drop: float = 0.5  # flag when rows fall by more than this fraction
    top_k: int = 20  # categories kept per side for PSI; the rest are pooled as "(other)"
    # Integer columns whose values are all distinct on both sides look like keys (ids): their
    # range moves with the row count, so their PSI is reported but not judged unless this is set.
    judge_keys: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "psi_watch": self.watch,
            "psi_drift": self.drift,
            "missing_watch_pp": self.missing_watch,
            "missing_drift_pp": self.missing_drift,
            "rows_drop_fraction": self.rows_drop,
            "top_k": self.top_k,
            "judge_keys": self.judge_keys,
        }


@dataclass(frozen=True)
class Delta:
    baseline: Any
    current: Any

    @property
    def change(self) -> float | None:
        """current - baseline; in seconds for datetimes; None when not both numbers."""
        if _is_int(self.baseline) and _is_int(self.current):
            return self.current - self.baseline
        b, c = _number(self.baseline), _number(self.current)
        if b is None or c is None:
            b, c = _datetime_seconds(self.baseline), _datetime_seconds(self.current)
        return None if b is None or c is None else c - b

    @property
    def relative(self) -> float | None:
        """Change as a fraction of the baseline; None when the baseline is 0 or not a number."""
        b, change = _number(self.baseline), self.change
        return None if change is None or not b else change / abs(b)

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "current": self.current,
            "change": self.change,
            "relative": self.relative,
        }


@dataclass(frozen=True)
class PsiDetail:
    """The PSI and the bins it was computed on (edges for numbers, labels for categories)."""

    value: float
    method: Literal["quantile-bins", "categories"]
    source: Literal["samples", "profiles"]
    bins: list[Any]  # inner edges (baseline deciles), or category labels
    baseline_counts: list[int]
    current_counts: list[int]

    def to_dict(self) -> dict[str, Any]:
        key = "inner_edges" if self.method == "quantile-bins" else "categories"
        return {
            "value": self.value,
            "method": self.method,
            "source": self.source,
            key: self.bins,
            "baseline_counts": self.baseline_counts,
            "current_counts": self.current_counts,
        }


@dataclass(frozen=True)
class OverlaidHistogram:
    """Both runs' histograms on the same bin edges, for drawing one over the other.

    Datetime edges are POSIX seconds. Counts are floats when re-binned from the profiles'
    histograms (spread uniformly within each original bin); compare shares, not counts.
    """

    edges: list[float]
    baseline_counts: list[float]
    current_counts: list[float]
    source: Literal["samples", "profiles"]

    @property
    def baseline_shares(self) -> list[float]:
        return _shares(self.baseline_counts)

    @property
    def current_shares(self) -> list[float]:
        return _shares(self.current_counts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "edges": self.edges,
            "baseline_counts": self.baseline_counts,
            "current_counts": self.current_counts,
            "source": self.source,
        }


@dataclass(frozen=True)
class KsDetail:
    statistic: float
    pvalue: float
    n_baseline: int
    n_current: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "n_baseline": self.n_baseline,
            "n_current": self.n_current,
        }


@dataclass(frozen=True)
class SchemaChange:
    column: str
    change: Literal["added", "dropped", "type_changed"]
    baseline_type: str | None
    current_type: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "change": self.change,
            "baseline_type": self.baseline_type,
            "current_type": self.current_type,
        }


@dataclass(frozen=True)
class HealthFlag:
    flag: HealthFlagName
    column: str | None  # None for table-level flags (rows-dropped)
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"flag": self.flag, "column": self.column, "message": self.message}


@dataclass
class ColumnDrift:
    name: str
    status: ColumnStatus
    kind: str  # the current kind (the baseline's for a dropped column)
    baseline_type: str | None
    current_type: str | None
    deltas: dict[str, Delta] = field(default_factory=dict)
    psi: PsiDetail | None = None
    ks: KsDetail | None = None
    histogram: OverlaidHistogram | None = None
    verdict: Verdict = "ok"
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "kind": self.kind,
            "baseline_type": self.baseline_type,
            "current_type": self.current_type,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "deltas": {k: d.to_dict() for k, d in self.deltas.items()},
            "psi": self.psi.to_dict() if self.psi else None,
            "ks": self.ks.to_dict() if self.ks else None,
            "histogram": self.histogram.to_dict() if self.histogram else None,
        }


@dataclass(frozen=True)
class RunSide:
    """One side of a comparison; run_id, source and recorded_at are set by compare_task_runs."""

    table: str
    row_count: int
    exact: bool
    run_id: str | None = None
    source: Literal["live", "history"] | None = None
    recorded_at: datetime | None = None
    has_samples: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "run_id": self.run_id,
            "row_count": self.row_count,
            "exact": self.exact,
            "source": self.source,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
            "has_samples": self.has_samples,
        }


@dataclass
class DriftReport:
    baseline: RunSide
    current: RunSide
    rows: Delta
    columns: list[ColumnDrift]
    schema_changes: list[SchemaChange]
    health: list[HealthFlag]
    verdict: Verdict
    thresholds: Thresholds

    def column(self, name: str) -> ColumnDrift | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def badge(self) -> str | None:
        """The task-list badge for this comparison (see `ddtui.drift.health.BADGE_SEVERITY`)."""
        from ddtui.drift.health import badge_of_report

        return badge_of_report(self)

    def with_sides(self, baseline: RunSide, current: RunSide) -> DriftReport:
        return replace(self, baseline=baseline, current=current)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, strict (NaN and infinities become null); layout in `ddtui/drift/JSON.md`."""
        return json_ready(
            {
                "schema_version": DRIFT_SCHEMA_VERSION,
                "kind": "ddtui.drift_report",
                "verdict": self.verdict,
                "badge": self.badge,
                "baseline": self.baseline.to_dict(),
                "current": self.current.to_dict(),
                "rows": self.rows.to_dict(),
                "schema_changes": [s.to_dict() for s in self.schema_changes],
                "health": [h.to_dict() for h in self.health],
                "thresholds": self.thresholds.to_dict(),
                "columns": [c.to_dict() for c in self.columns],
            }
        )


# Comparison ----------------------------------------------------------------------------


def compare_profiles(
    baseline: TableProfile,
    current: TableProfile,
    baseline_samples: Samples | None = None,
    current_samples: Samples | None = None,
    thresholds: Thresholds | None = None,
    *,
    histogram_bins: int = 20,
) -> DriftReport:
    """Compare `current` with `baseline`, column by column, and give a verdict."""
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
                base, cur, b_sample, c_sample, thresholds=thresholds, histogram_bins=histogram_bins
            )
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
    if key_like and not thresholds.judge_keys:
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
    edges = [to_timestamp(e) if col.kind == "datetime" else _number(e) for e in hist.edges]
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


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _datetime_seconds(value: Any) -> float | None:
    if isinstance(value, datetime | str):
        return to_timestamp(value)
    return None


def _shares(counts: list[float]) -> list[float]:
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def _short(value: Any, limit: int = 30) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
