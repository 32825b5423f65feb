"""What a comparison of two runs' profiles returns: dataclasses, JSON-ready via `to_dict`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from ddtui.drift.samples import to_timestamp
from ddtui.drift.serialize import json_ready

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
        b, c = as_number(self.baseline), as_number(self.current)
        if b is None or c is None:
            b, c = _datetime_seconds(self.baseline), _datetime_seconds(self.current)
        return None if b is None or c is None else c - b

    @property
    def relative(self) -> float | None:
        """Change as a fraction of the baseline; None when the baseline is 0 or not a number."""
        b, change = as_number(self.baseline), self.change
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
    notes: list[str] = field(default_factory=list)  # e.g. the history could not be written

    def column(self, name: str) -> ColumnDrift | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def badge(self) -> str | None:
        """The task-list badge for this comparison (see `BADGE_SEVERITY`)."""
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
                "notes": list(self.notes),
            }
        )


def as_number(value: Any) -> float | None:
    """`value` as a finite float; None for booleans, None, NaN, infinities and non-numbers."""
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


Badge = Literal["watch", "drift", "constant", "all-null", "rows-dropped"]

# Most severe last: broken data (rows gone, a column emptied) outranks a shifted distribution.
BADGE_SEVERITY: dict[str, int] = {
    "watch": 1,
    "drift": 2,
    "constant": 3,
    "all-null": 4,
    "rows-dropped": 5,
}


def badge_of_report(report: DriftReport) -> Badge | None:
    """The most severe of the report's health flags, else its verdict when not 'ok'."""
    flags = [h.flag for h in report.health]
    if flags:
        return max(flags, key=BADGE_SEVERITY.__getitem__)
    return None if report.verdict == "ok" else report.verdict
