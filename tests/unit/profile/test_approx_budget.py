"""An exact push-down over the data time budget, on a database with approximate aggregates
(DuckDB): ddtui estimates the quartiles and distinct counts instead of failing with exit 7,
and the profile says so and why."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ddtui.drift.serialize import profile_from_dict
from ddtui.render.profile import render_profile

duckdb = pytest.importorskip("duckdb", reason="DuckDB needs ddtui[duckdb]")
pytest.importorskip("duckdb_engine", reason="DuckDB needs ddtui[duckdb]")
DDTUI = str(Path(sys.executable).with_name("ddtui"))
ROWS = 6_000_000
# Measured here (load 3.5): the exact quantile query over 6M distinct doubles 7.4 s, every
# statement of the estimating profile under 1 s. A 3 s budget stops the first only.
BUDGET_S = "3"


def _ddtui(*args: str, budget: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI"))}
    env |= {"AIRFLOW_HOME": "/nonexistent", "DDTUI_DATA_TIMEOUT": budget}
    return subprocess.run([DDTUI, *args], capture_output=True, text=True, env=env, check=False)


def test_over_the_budget_the_profile_is_estimated_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "wide.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute(f"CREATE TABLE wide AS SELECT random() * 1e9 AS x FROM range({ROWS})")
        values = conn.execute("SELECT count(x), avg(x), min(x), max(x) FROM wide").fetchone()
    done = _ddtui("profile", f"duckdb:///{path}", "wide", "--format", "json", budget=BUDGET_S)
    assert done.returncode == 0, done.stderr
    profile = json.loads(done.stdout)["profile"]
    assert (profile["exact"], profile["method"]) == (False, "approx_quantile")
    assert profile["method_reason"] == "the exact profile ran past the data time budget"
    (x,) = profile["columns"]
    count, mean, low, high = values
    # Counts and moments stay exact; the estimated median is within 2% of the range of the
    # true one (uniform values: the middle of the range).
    assert (x["count"], x["min"], x["max"]) == (count, low, high)
    assert x["mean"] == pytest.approx(mean)
    assert abs(x["q50"] - (low + high) / 2) < 0.02 * (high - low)
    assert x["distinct"] == pytest.approx(ROWS, rel=0.1)
    header = render_profile(profile_from_dict(profile), width=100, color=False, fmt="text")
    assert "(approx_quantile: the exact profile ran past the data time budget)" in header
