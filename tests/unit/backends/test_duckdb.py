"""DuckDB files read through ddtui's own engine: read-only, within the time budget, pushed down."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from datagen import make_mixed_frame
from profile_checks import assert_matches_pandas, reference_frame

from ddtui.backends import duckdb as duckdb_backend
from ddtui.backends.engines import create_readonly_engine, is_timeout
from ddtui.profile import profile_table

pytest.importorskip("duckdb_engine", reason="DuckDB needs ddtui[duckdb]")
DDTUI = str(Path(sys.executable).with_name("ddtui"))


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.duckdb"
    writer = sa.create_engine(f"duckdb:///{path}", poolclass=sa.NullPool)
    make_mixed_frame(30_000, seed=5).to_sql("orders", writer, index=False)
    writer.dispose()
    return path


def test_a_large_table_is_profiled_on_the_engine_and_equals_pandas(data_file: Path) -> None:
    engine = create_readonly_engine(f"duckdb:///{data_file}")
    profile = profile_table(engine, "orders")
    assert (profile.strategy, profile.exact, profile.row_count) == ("pushdown", True, 30_000)
    assert_matches_pandas(profile, reference_frame(engine, "orders"))
    assert profile.head[0]["id"] == 0 and profile.tail[-1]["id"] == 29_999


def test_the_engine_cannot_write(data_file: Path) -> None:
    engine = create_readonly_engine(f"duckdb:///{data_file}")
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="read-only"):
        conn.execute(sa.text("CREATE TABLE written (x INTEGER)"))


def test_a_statement_past_its_budget_is_interrupted(data_file: Path) -> None:
    engine = create_readonly_engine(f"duckdb:///{data_file}", statement_timeout_s=0.5)
    # A cross join of 30,000 rows with itself three times: hours of work.
    slow = sa.text("SELECT count(*) FROM orders a, orders b, orders c WHERE a.id + b.id = c.id")
    started = time.monotonic()
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as caught:
        conn.execute(slow)
    assert is_timeout(caught.value)
    assert time.monotonic() - started < 5


def test_duckdb_draws_no_progress_bar_on_our_terminal(data_file: Path) -> None:
    engine = create_readonly_engine(f"duckdb:///{data_file}")
    with engine.connect() as conn:
        shown = conn.execute(sa.text("SELECT current_setting('enable_progress_bar')")).scalar()
    assert shown is False


def test_approx_estimates_quartiles_and_distinct_counts_and_says_so(data_file: Path) -> None:
    engine = create_readonly_engine(f"duckdb:///{data_file}")
    reference = reference_frame(engine, "orders")
    profile = profile_table(engine, "orders", mode="approx")
    assert (profile.strategy, profile.exact, profile.method) == (
        "pushdown", False, "approx_quantile"
    )  # fmt: skip
    assert profile.to_dict()["method"] == "approx_quantile"
    score = profile.column("score")
    assert score is not None and score.q50 is not None and score.distinct is not None
    expected = reference["score"]
    spread = float(expected.max() - expected.min())
    # Counts and moments stay exact; quartiles within 1% of the range, distinct within 5%.
    assert score.count == expected.count() and score.mean == pytest.approx(expected.mean())
    assert abs(score.q50 - expected.median()) < 0.01 * spread
    assert score.distinct == pytest.approx(expected.nunique(), rel=0.05)
    exact = profile_table(engine, "orders")
    assert (exact.exact, exact.method) == (True, None) and "method" not in exact.to_dict()


def test_ddtui_profile_approx_labels_the_json(data_file: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI"))}
    done = subprocess.run(
        [DDTUI, "profile", f"duckdb:///{data_file}", "orders", "--approx", "--format", "json"],
        capture_output=True, text=True, check=False,
        env=env | {"AIRFLOW_HOME": "/nonexistent"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    profile = json.loads(done.stdout)["profile"]
    assert (profile["exact"], profile["method"]) == (False, "approx_quantile")


_PROFILE_IN_A_FRESH_PROCESS = """
import json, sys
import sqlalchemy as sa
from ddtui.backends.engines import create_readonly_engine
from ddtui.profile import profile_table

engine = create_readonly_engine(sys.argv[1])
bound = []
sa.event.listen(engine, "before_cursor_execute",
                lambda conn, cursor, sql, params, *_: bound.append(params) if params else None)
profile = profile_table(engine, "orders")
print(json.dumps({"strategy": profile.strategy, "bound": repr(bound),
                  "loaded": sorted(m for m in ("pandas", "pyarrow") if m in sys.modules)}))
"""


def test_a_push_down_profile_binds_no_parameter_and_loads_no_pandas(data_file: Path) -> None:
    """DuckDB's Python binding imports pandas and pyarrow (107 MB) at the first bound
    parameter: ddtui's numbers are written into the SQL, its datetimes are not pandas'."""
    done = subprocess.run(
        [sys.executable, "-c", _PROFILE_IN_A_FRESH_PROCESS, f"duckdb:///{data_file}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = json.loads(done.stdout)
    assert found == {"strategy": "pushdown", "bound": "[]", "loaded": []}


def test_numbers_written_into_the_sql_keep_their_values(data_file: Path) -> None:
    """Floats as DOUBLE (a decimal literal would be a DECIMAL), NaN and infinities too;
    text stays a bound parameter."""
    engine = create_readonly_engine(f"duckdb:///{data_file}")
    values = [0.1, 1e-300, 2.5822498780869086e120, math.inf, -math.inf, 2**62 + 1, True]
    query = sa.select(*(sa.literal(v) for v in values), sa.literal("it's $1 :x"))
    with engine.connect() as conn:
        row = conn.execute(query).one()
        nan = conn.execute(sa.select(sa.literal(math.nan, sa.Double()))).scalar_one()
    assert list(row) == [*values, "it's $1 :x"]
    assert [type(v) for v in row[:3]] == [float, float, float] and math.isnan(nan)


def test_a_statement_out_of_memory_runs_again_with_more(
    data_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first memory limit is small (peak RSS stays low on the common table); a
    statement that runs out of it runs again under the next one."""
    monkeypatch.setattr(duckdb_backend, "MEMORY_LIMITS", ("1MB", "256MB"))
    raised: list[bool] = []
    raise_limit = duckdb_backend._raise_memory_limit

    def spy(cursor: Any) -> bool:
        raised.append(raise_limit(cursor))
        return raised[-1]

    monkeypatch.setattr(duckdb_backend, "_raise_memory_limit", spy)
    engine = create_readonly_engine(f"duckdb:///{data_file}")
    profile = profile_table(engine, "orders")
    assert raised and raised[0] is True
    assert (profile.strategy, profile.exact) == ("pushdown", True)
    assert_matches_pandas(profile, reference_frame(engine, "orders"))


def test_a_hostile_table_name_is_described_as_quoted(tmp_path: Path) -> None:
    name = "o\"rd'ers; DROP TABLE x --"
    path = tmp_path / "hostile.duckdb"
    writer = sa.create_engine(f"duckdb:///{path}", poolclass=sa.NullPool)
    make_mixed_frame(500, seed=3).to_sql(name, writer, index=False)
    writer.dispose()
    engine = create_readonly_engine(f"duckdb:///{path}")
    profile = profile_table(engine, name)
    assert [c.name for c in profile.columns] == list(make_mixed_frame(1).columns)
    with pytest.raises(Exception, match="orders"):
        profile_table(engine, "orders")
