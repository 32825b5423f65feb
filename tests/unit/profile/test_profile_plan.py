"""The profile's plan: which strategy each database and table size gets, and why."""

from __future__ import annotations

from ddtui.backends import backend_for
from ddtui.profile.plan import plan_profile

LIMITS = {"pushdown_min_rows": 10_000, "auto_exact_rows": 200_000}


def test_databases_that_compute_aggregates_get_push_down_for_large_tables() -> None:
    for dialect in ("postgresql", "mysql", "duckdb", "mssql"):
        plan = plan_profile(backend_for(dialect), "exact", 50_000, 10_000, **LIMITS)
        assert plan.strategy == "pushdown", dialect
        assert dialect in plan.reason and "never leave" in plan.runs
    shared = plan_profile(backend_for("postgresql"), "exact", 50_000, 10_000, **LIMITS)
    assert "two connections reading one snapshot" in str(shared)


def test_sqlite_and_small_tables_are_streamed_and_auto_samples_what_would_take_long() -> None:
    sqlite = backend_for("sqlite")
    assert plan_profile(sqlite, "exact", 5_000_000, 10_000, **LIMITS).strategy == "stream"
    auto = plan_profile(sqlite, "auto", 5_000_000, 10_000, **LIMITS)
    assert auto.strategy == "sample" and "no push-down" in auto.reason
    small = plan_profile(backend_for("postgresql"), "exact", 500, 10_000, **LIMITS)
    assert small.strategy == "stream" and "cost less to move" in small.reason
    sample = plan_profile(backend_for("mysql"), "sample", 50_000, 1_000, **LIMITS)
    assert (sample.strategy, sample.runs) == ("sample", "one pass over the first 1,000 rows")
