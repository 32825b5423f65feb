"""Profiler benchmark: ddtui's profile vs the pandas baseline users run today (not a test).

Usage: python -m tests.bench_profile {baseline,exact,sample,auto,stages} URL TABLE [--trace]
Prints one JSON line: seconds and peak RSS growth (MB); with --trace also the
tracemalloc peak (MB), but tracing slows Python down, so take times from runs
without it. Run each measurement in its own process so peaks are not shared.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc


def baseline(url: str, table: str) -> None:
    """What ddui did: the whole table in pandas, describe, isna, nunique, histograms."""
    import numpy as np
    import pandas as pd
    import sqlalchemy as sa

    frame = pd.read_sql_table(table, sa.create_engine(url))
    frame.describe(include="all")
    frame.isna().sum()
    frame.nunique()
    for name in frame.select_dtypes("number").columns:
        values = frame[name].dropna().to_numpy(dtype=float)
        np.histogram(values[np.isfinite(values)], bins=20)


def ddtui_profile(url: str, table: str, mode: str) -> None:
    """ddtui's profile of the same table."""
    import sqlalchemy as sa

    from ddtui.profile import profile_table

    profile = profile_table(sa.create_engine(url), table, mode=mode)
    print(profile.strategy, profile.exact, profile.sample_size, file=sys.stderr)


def ddtui_stages(url: str, table: str) -> None:
    """Seconds until each stage of profile_stages arrives (schema, sample, exact)."""
    import sqlalchemy as sa

    from ddtui.profile import profile_stages

    started = time.perf_counter()
    for stage in profile_stages(sa.create_engine(url), table):
        label = type(stage).__name__ + ("" if not hasattr(stage, "exact") else f"/{stage.strategy}")
        print(f"{label}: {time.perf_counter() - started:.3f} s", file=sys.stderr)


def main() -> None:
    what, url, table = sys.argv[1:4]
    trace = "--trace" in sys.argv[4:]
    import numpy  # noqa: F401  (imports are not what we measure)
    import pandas  # noqa: F401
    import sqlalchemy  # noqa: F401

    import ddtui.profile  # noqa: F401

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    if what == "baseline":
        baseline(url, table)
    elif what == "stages":
        ddtui_stages(url, table)
    else:
        ddtui_profile(url, table, what)
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    result = {
        "what": what,
        "seconds": round(seconds, 3),
        "rss_growth_mb": round(rss_growth / 1024, 1),
    }
    if trace:
        result["traced_peak_mb"] = round(traced_peak / 2**20, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
