"""Push-down profiles on PostgreSQL, MariaDB/MySQL and DuckDB equal pandas on the same tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from airflow_home_support import MYSQL_URL, POSTGRES_URL, require_service
from datagen import make_mixed_frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profile_checks import assert_column_matches, assert_matches_pandas, reference_frame

from ddtui.profile import TableSchema, profile_stages, profile_table
from ddtui.profile import api as profile_api

SERVERS = {
    "postgresql": ("PostgreSQL", POSTGRES_URL),
    "mysql": ("MariaDB/MySQL", MYSQL_URL),
    "duckdb": ("DuckDB", ""),  # a file of the test's own
}


@pytest.fixture(scope="module", params=sorted(SERVERS), ids=sorted(SERVERS))
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    name, url = SERVERS[request.param]
    if request.param == "duckdb":
        pytest.importorskip("duckdb_engine", reason="DuckDB needs ddtui[duckdb]")
        url = f"duckdb:///{tmp_path_factory.mktemp('duckdb') / 'data.duckdb'}"
    else:
        require_service(name, url)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    yield engine
    engine.dispose()


class Tables:
    """Uniquely named tables for one test, dropped afterwards."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.names: list[str] = []

    def write(self, frame: pd.DataFrame, **kwargs: object) -> str:
        name = f"ddtui_t_{uuid.uuid4().hex[:12]}"
        self.names.append(name)
        frame.to_sql(name, self.engine, index=False, **kwargs)
        return name

    def drop(self) -> None:
        with self.engine.begin() as conn:
            for name in self.names:
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))  # our own safe names


@pytest.fixture(autouse=True)
def always_push_down(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small server tables are streamed by default; these tests are about push-down.
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 0)


@pytest.fixture
def tables(server: sa.Engine) -> Iterator[Tables]:
    made = Tables(server)
    yield made
    made.drop()


def check(tables: Tables, frame: pd.DataFrame, **kwargs: object) -> object:
    name = tables.write(frame, **kwargs)
    profile = profile_table(tables.engine, name)
    assert profile.strategy == "pushdown" and profile.exact
    assert_matches_pandas(profile, reference_frame(tables.engine, name))
    return profile


def test_mixed_table(tables: Tables) -> None:
    profile = check(tables, make_mixed_frame(3000, seed=11))
    assert profile.head[0]["id"] == 0 and len(profile.tail) == 5


def test_empty_and_one_row(tables: Tables) -> None:
    check(tables, make_mixed_frame(0))
    check(tables, make_mixed_frame(1))


def test_wide_table(tables: Tables, monkeypatch: pytest.MonkeyPatch) -> None:
    # Streamed, as small server tables are by default (push-down sends queries per column).
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 10_000)
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.normal(size=(8, 305)), columns=[f"c{i}" for i in range(305)])
    name = tables.write(frame)
    profile = profile_table(tables.engine, name)
    assert profile.column_count == 305
    assert_matches_pandas(profile, reference_frame(tables.engine, name), every=16)


def test_null_constant_and_huge(tables: Tables) -> None:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    frame["all_null"] = pd.Series([None] * 40, dtype=float)
    frame["all_null_text"] = pd.Series([None] * 40, dtype=object)
    frame["constant"] = 0.1
    frame["huge"] = np.resize([1e300, -1e300, 1e299, 1e300, 5e299, 0.0], 40)
    frame["big_ints"] = np.arange(40, dtype=np.int64) * 10**15
    profile = check(tables, frame)
    assert profile.column("huge").mean == pytest.approx(frame["huge"].mean(), rel=1e-9)


def test_text_is_compared_by_bytes(tables: Tables) -> None:
    # MySQL collations fold case and pad spaces; pandas compares exact strings.
    frame = pd.DataFrame({"s": ["a", "A", "a ", "a", "é", "e", None, "x" * 5000]})
    profile = check(tables, frame)
    assert profile.column("s").distinct == 6
    assert profile.column("s").top == "a" and profile.column("s").freq == 2


def test_unicode_names_booleans_binary_and_datetimes(tables: Tables) -> None:
    frame = pd.DataFrame(
        {
            "naïve 名前": ["été", "日本", None, "été"],
            "flag": [True, None, False, True],
            "blob": [b"\x00\x01", None, b"abc", b""],
            "day": pd.to_datetime(
                ["2024-01-01", None, "2023-06-30 12:00:01.5", "2024-02-29"], format="ISO8601"
            ),
        }
    )
    name = tables.write(frame, dtype={"blob": sa.LargeBinary})
    profile = profile_table(tables.engine, name)
    reference = reference_frame(tables.engine, name)
    for column in ("naïve 名前", "flag", "day"):
        assert_column_matches(profile.column(column), reference[column])
    blob = profile.column("blob")
    assert (blob.kind, blob.count, blob.missing, blob.histogram) == ("binary", 3, 1, None)


def test_small_tables_are_streamed(tables: Tables, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 10_000)
    name = tables.write(make_mixed_frame(500, seed=8))
    profile = profile_table(tables.engine, name)
    assert (profile.strategy, profile.exact) == ("stream", True)
    assert_matches_pandas(profile, reference_frame(tables.engine, name))


def test_stages_and_sample(tables: Tables) -> None:
    name = tables.write(make_mixed_frame(2000, seed=3))
    stages = list(profile_stages(tables.engine, name, sample_rows=300))
    assert isinstance(stages[0], TableSchema) and stages[0].row_count == 2000
    sample, exact = stages[1:]
    assert (sample.exact, sample.strategy, sample.sample_size) == (False, "sample", 300)
    assert (exact.exact, exact.strategy) == (True, "pushdown")


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(st.none(), st.floats(-1e12, 1e12, allow_nan=False), st.integers(-1000, 1000)),
        min_size=0,
        max_size=40,
    ),
    st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "é", "a b", ""])), max_size=40),
)
def test_random_columns(tables: Tables, numbers: list[object], texts: list[object]) -> None:
    size = max(len(numbers), len(texts))
    frame = pd.DataFrame(
        {
            "x": pd.Series((numbers + [None] * size)[:size], dtype=float),
            "s": pd.Series((texts + [None] * size)[:size], dtype=object),
        }
    )
    check(tables, frame)


def test_nan_and_infinity(server: sa.Engine, tables: Tables) -> None:
    if server.dialect.name not in {"postgresql", "duckdb"}:
        pytest.skip("MySQL/MariaDB store no NaN or infinities")
    frame = pd.DataFrame(
        {
            "x": [1.0, np.nan, None, np.inf, -np.inf, 2.0, 0.0, -3.0],
            "tiny": [1e-300, 2e-310, 0.0, -1e-300, 3e-300, 1e-299, None, 5e-324],
            "mixed_scale": [1e300, 1e-300, -1e300, 1.0, 0.0, 2e300, None, 3.0],
        }
    )
    name = tables.write(frame)
    with server.begin() as conn:  # psycopg2 writes NaN as NaN, not NULL: make one explicit
        conn.execute(sa.text(f"UPDATE {name} SET x = 'NaN' WHERE x IS NULL"))
    profile = profile_table(server, name)
    reference = reference_frame(server, name)
    assert reference["x"].isna().sum() == 2  # pandas: NaN is missing
    assert_matches_pandas(profile, reference)
    x = profile.column("x")
    assert (x.missing, x.infinities, x.max, x.distinct) == (2, 2, np.inf, 6)


@pytest.mark.parametrize("with_null", [False, True], ids=["int64", "float64"])
def test_integers_beyond_doubles(tables: Tables, with_null: bool) -> None:
    # Integers a double cannot tell apart: pandas counts them apart while they are int64,
    # and as one value once a NULL makes the column float64.
    big = 2**60
    values = [big, big + 1, big + 2, -big, 7, big + 1, 0] * 30
    frame = pd.DataFrame({"n": pd.Series(values + [None] * with_null, dtype="Int64")})
    profile = check(tables, frame, dtype={"n": sa.BigInteger})
    assert profile.column("n").distinct == (4 if with_null else 6)


def test_padded_char_text(tables: Tables) -> None:
    # pandas reads CHAR(n) as the server gives it: Postgres pads to n, MySQL strips.
    frame = pd.DataFrame({"code": ["ab", "a", "ab", None, "abc", "a"] * 20})
    check(tables, frame, dtype={"code": sa.CHAR(4)})


def test_huge_values_in_many_rows(tables: Tables) -> None:
    # Far below a double's range, yet Postgres' running variance (n * value - sum,
    # squared) overflows from ~10,000 rows on: these need the scaled second pass.
    frame = pd.DataFrame({"x": np.resize([1e150, -1e150, 3.0], 30_000)})
    profile = check(tables, frame)
    assert profile.column("x").std == pytest.approx(frame["x"].std(), rel=1e-9)
