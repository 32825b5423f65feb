"""What a profile of an output table holds: plain dataclasses, JSON-ready via `to_dict`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# Version of the JSON document `ddtui describe --format json` prints.
PROFILE_SCHEMA_VERSION = 1

# Number columns with at most this many distinct values get `value_counts`.
FEW_VALUES = 20

ColumnKind = Literal["number", "text", "boolean", "datetime", "binary", "other"]
Strategy = Literal["pushdown", "stream", "sample"]


@dataclass
class Histogram:
    """Bin edges (len n+1) and counts (len n); for datetimes, edges are ISO strings."""

    edges: list[Any]
    counts: list[int]


@dataclass
class ColumnProfile:
    name: str
    kind: ColumnKind
    db_type: str  # as the database reports it
    pandas_dtype: str  # as pandas would see it
    count: int  # non-missing values (pandas `count`)
    missing: int  # NULL and NaN (pandas `isna().sum()`)
    distinct: int | None  # pandas `nunique()`; None when not computable (binary)
    # numbers
    mean: float | None = None
    std: float | None = None
    min: Any = None
    q25: float | None = None
    q50: float | None = None
    q75: float | None = None
    max: Any = None
    zeros: int | None = None
    negatives: int | None = None
    infinities: int | None = None
    histogram: Histogram | None = None
    # every value and its count, in value order, when a number column has at most
    # FEW_VALUES distinct values (pandas `value_counts().sort_index()`); else empty
    value_counts: list[tuple[Any, int]] = field(default_factory=list)
    # text and categories
    top: Any = None
    freq: int | None = None
    top_values: list[tuple[Any, int]] = field(default_factory=list)
    min_length: int | None = None
    mean_length: float | None = None
    max_length: int | None = None
    # booleans
    true_count: int | None = None
    false_count: int | None = None

    @property
    def missing_pct(self) -> float:
        total = self.count + self.missing
        return 100.0 * self.missing / total if total else 0.0


@dataclass
class TableProfile:
    table: str  # the table (or query) profiled, as shown to users
    row_count: int  # rows in the table (exact, even for a sample profile)
    columns: list[ColumnProfile]
    exact: bool  # False for a profile of a sample
    sample_size: int | None  # rows in the sample when not exact
    strategy: Strategy
    elapsed_seconds: float
    head: list[dict[str, Any]] = field(default_factory=list)
    tail: list[dict[str, Any]] = field(default_factory=list)
    # The approximate aggregate quantiles and distinct counts came from (then exact is
    # False): "approx_quantile", ...; None for exact profiles and samples.
    method: str | None = None
    # Why they are estimates: "--approx", or the exact profile ran past the time budget.
    method_reason: str | None = None

    @property
    def column_count(self) -> int:
        return len(self.columns)

    def column(self, name: str) -> ColumnProfile | None:
        return next((c for c in self.columns if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (see README, "JSON output")."""
        data = asdict(self)
        data["schema_version"] = PROFILE_SCHEMA_VERSION
        data["column_count"] = self.column_count
        if self.method is None:
            del data["method"]  # exact and sampled profiles read as before
        if self.method_reason is None:
            del data["method_reason"]
        for col, col_data in zip(self.columns, data["columns"], strict=True):
            col_data["missing_pct"] = col.missing_pct
        return data


@dataclass
class TableSchema:
    """What we know before any profiling: columns and their types, and the row count."""

    table: str
    columns: list[tuple[str, str]]  # (name, database type)
    row_count: int
