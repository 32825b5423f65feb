"""Profiles for the drift tests: the real profiler when it is there, else a pandas stand-in."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ddtui.profile.models import ColumnProfile, Histogram, TableProfile


def has_real_profiler() -> bool:
    try:
        from ddtui.profile import profile_table  # noqa: F401
    except ImportError:
        return False
    return True


def profile_sql_table(engine: sa.Engine, table: str, **kwargs: Any) -> TableProfile:
    """`ddtui.profile.profile_table` in exact mode, or the pandas stand-in before it lands."""
    if has_real_profiler():
        from ddtui.profile import profile_table

        return profile_table(engine, table, mode="exact", **kwargs)
    with engine.connect() as conn:
        frame = pd.read_sql_table(table, conn)
    return profile_frame(frame, table)


def stand_in_profiler(
    engine: sa.Engine, table: str, schema: str | None = None, **_: Any
) -> TableProfile:
    with engine.connect() as conn:
        frame = pd.read_sql_table(table, conn, schema=schema)
    return profile_frame(frame, table)


def profile_frame(frame: pd.DataFrame, table: str = "t", *, bins: int = 20) -> TableProfile:
    """A TableProfile of a DataFrame computed with pandas (what the profiler must match)."""
    return TableProfile(
        table=table,
        row_count=len(frame),
        columns=[_column(name, frame[name], bins) for name in frame.columns],
        exact=True,
        sample_size=None,
        strategy="stream",
        elapsed_seconds=0.0,
    )


def _column(name: str, series: pd.Series, bins: int) -> ColumnProfile:
    count = int(series.count())
    missing = int(series.isna().sum())
    distinct = int(series.nunique())
    if pd.api.types.is_bool_dtype(series):
        kind = "boolean"
    elif pd.api.types.is_numeric_dtype(series):
        kind = "number"
    elif pd.api.types.is_datetime64_any_dtype(series):
        kind = "datetime"
    else:
        kind = "text"
    col = ColumnProfile(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        db_type=str(series.dtype).upper(),
        pandas_dtype=str(series.dtype),
        count=count,
        missing=missing,
        distinct=distinct,
    )
    present = series.dropna()
    if kind == "number" and count:
        values = present.astype(float).to_numpy()
        col.mean, col.std = float(values.mean()), float(present.astype(float).std())
        col.min, col.max = float(values.min()), float(values.max())
        col.q25, col.q50, col.q75 = (float(np.quantile(values, q)) for q in (0.25, 0.5, 0.75))
        counts, edges = np.histogram(values, bins=bins)
        col.histogram = Histogram(edges.tolist(), counts.tolist())
    elif kind == "boolean":
        col.true_count = int(present.sum())
        col.false_count = count - col.true_count
    elif kind == "datetime" and count:
        col.min, col.max = present.min().isoformat(), present.max().isoformat()
    if kind in ("text", "boolean") and count:
        top = present.astype(str).value_counts().head(10)
        col.top_values = [(str(k), int(v)) for k, v in top.items()]
        col.top, col.freq = col.top_values[0]
    return col


# Independent PSI computations for the tests ---------------------------------------

EPS = 1e-4  # the documented PSI epsilon, written out independently


def reference_psi(baseline: np.ndarray, current: np.ndarray) -> float:
    """PSI written independently: bin i holds x with e_i < x <= e_(i+1), e = baseline deciles."""
    inner = np.array(sorted(set(np.quantile(baseline, np.arange(1, 10) / 10).tolist())))

    def shares(x: np.ndarray) -> np.ndarray:
        index = (x[:, None] > inner[None, :]).sum(axis=1)  # edges strictly below each value
        return np.array([(index == i).mean() for i in range(len(inner) + 1)])

    b, c = np.clip(shares(baseline), EPS, None), np.clip(shares(current), EPS, None)
    return float(((c - b) * np.log(c / b)).sum())


def reference_category_psi(baseline: list[str], current: list[str]) -> float:
    cats = sorted(set(baseline) | set(current))
    b = pd.Series(baseline).value_counts(normalize=True).reindex(cats, fill_value=0).to_numpy()
    c = pd.Series(current).value_counts(normalize=True).reindex(cats, fill_value=0).to_numpy()
    b, c = np.clip(b, EPS, None), np.clip(c, EPS, None)
    return float(((c - b) * np.log(c / b)).sum())
