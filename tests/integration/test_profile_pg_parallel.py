"""PostgreSQL push-down on two connections: one snapshot, prompt cancellation, same errors.

Each test's engine names its connections (application_name) so pg_stat_activity shows
exactly the backends the profile opened.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from airflow_home_support import POSTGRES_URL
from datagen import make_mixed_frame
from profile_checks import assert_matches_pandas, reference_frame

from ddtui.errors import DataSourceError, QueryTimeoutError
from ddtui.profile import ProfileCancelled, profile_table
from ddtui.profile import api as profile_api


@pytest.fixture
def admin(postgres_engine: sa.Engine) -> sa.Engine:
    return postgres_engine


@pytest.fixture
def app_name() -> str:
    return f"ddtui-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def engine(app_name: str) -> Iterator[sa.Engine]:
    """The profile's engine; NullPool: a closed connection is a disconnected backend."""
    made = sa.create_engine(
        POSTGRES_URL, poolclass=sa.NullPool, connect_args={"application_name": app_name}
    )
    yield made
    made.dispose()


@pytest.fixture
def table(admin: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new table's name, dropped afterwards."""
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 0)  # these tests are about push-down
    name = f"ddtui_par_{uuid.uuid4().hex[:12]}"
    yield name
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))  # our own safe name


def backends(admin: sa.Engine, app_name: str, active_only: bool = False) -> int:
    # Parallel query workers of a connection's query show under its application_name too.
    query = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE application_name = :app AND backend_type = 'client backend'"
    )
    if active_only:
        query += " AND state = 'active'"
    with admin.connect() as conn:
        return int(conn.execute(sa.text(query), {"app": app_name}).scalar_one())


def assert_all_closed(admin: sa.Engine, app_name: str) -> None:
    """No backend of the profile's left and no worker thread (a backend exits soon after)."""
    assert not [t for t in threading.enumerate() if t.name.startswith("ddtui-pushdown")]
    for _ in range(100):  # a disconnected backend leaves pg_stat_activity asynchronously
        if not backends(admin, app_name):
            return
        time.sleep(0.05)
    raise AssertionError(f"{backends(admin, app_name)} connections left open")


def make_large(admin: sa.Engine, name: str, rows: int) -> None:
    """A table whose aggregate queries run long enough to be caught running."""
    with admin.begin() as conn:
        conn.execute(
            sa.text(
                f"CREATE TABLE {name} AS SELECT g AS id, random() AS x,"  # our own safe name
                " md5(g::text) AS s, now() - g * interval '1 second' AS t"
                " FROM generate_series(1, :rows) AS g"
            ),
            {"rows": rows},
        )


def test_two_connections_equal_pandas(
    admin: sa.Engine, engine: sa.Engine, table: str, app_name: str
) -> None:
    make_mixed_frame(5000, seed=13).to_sql(table, admin, index=False)
    seen: list[int] = []
    profile = profile_table(
        engine, table, progress=lambda *_: seen.append(backends(admin, app_name))
    )
    # The profile's own connection and the second one that shares its snapshot.
    assert max(seen) >= 2  # (a closed backend may linger a moment: >=)
    assert (profile.strategy, profile.exact) == ("pushdown", True)
    assert_matches_pandas(profile, reference_frame(admin, table))
    assert_all_closed(admin, app_name)


def on_third_connection(engine: sa.Engine, action: Callable[[Any], None]) -> list[int]:
    """Run `action(dbapi_connection)` when the profile opens its second worker connection.

    The 1st connection reads the schema, the 2nd profiles (and has exported its snapshot
    by then), the 3rd is the second worker, not yet in its transaction.
    """
    opened = [0]

    @sa.event.listens_for(engine, "connect")
    def _connected(dbapi_connection: Any, _record: object) -> None:
        opened[0] += 1
        if opened[0] == 3:
            action(dbapi_connection)

    return opened


def test_rows_added_after_the_snapshot_are_not_counted(
    admin: sa.Engine, engine: sa.Engine, table: str, app_name: str
) -> None:
    make_mixed_frame(5000, seed=17).to_sql(table, admin, index=False)
    expected = reference_frame(admin, table)
    added = make_mixed_frame(3000, seed=18)
    added["id"] += 1_000_000  # new distinct values everywhere they could show
    added["user"] = "late_" + added["user"].astype(str)
    # Committed after the export, before the second connection's first query: without
    # the shared snapshot, that connection's queries would count these rows.
    opened = on_third_connection(
        engine, lambda _: added.to_sql(table, admin, index=False, if_exists="append")
    )
    profile = profile_table(engine, table)
    assert opened == [3]
    assert_matches_pandas(profile, expected)
    assert len(reference_frame(admin, table)) == 8000
    assert_all_closed(admin, app_name)


def test_cancelled_mid_query_closes_every_connection(
    admin: sa.Engine, engine: sa.Engine, table: str, app_name: str
) -> None:
    make_large(admin, table, 100_000)
    holder = admin.connect()
    released_by_guard = threading.Event()

    def release(by_guard: bool) -> None:
        if holder.in_transaction():
            if by_guard:
                released_by_guard.set()
            holder.rollback()

    def lock_table(_: object) -> None:
        # Every profile query now waits for this lock: only a cancel can end it early.
        holder.execute(sa.text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))

    on_third_connection(engine, lock_table)
    # A guard against a hang: released late, the queries end and the test fails below.
    guard = threading.Timer(60, release, args=(True,))
    guard.start()
    caught_waiting: list[int] = []

    def cancel_once_both_wait() -> bool:
        if backends(admin, app_name, active_only=True) == 2:
            caught_waiting.append(2)
        return bool(caught_waiting)

    try:
        with pytest.raises(ProfileCancelled):
            profile_table(engine, table, cancelled=cancel_once_both_wait)
    finally:
        guard.cancel()
        guard.join()
        release(False)
        holder.close()
    assert caught_waiting == [2]  # cancelled while both connections ran a query
    assert not released_by_guard.is_set()  # the queries were cancelled, not let through
    assert_all_closed(admin, app_name)


def test_error_on_the_second_connection_is_translated(
    admin: sa.Engine, engine: sa.Engine, table: str, app_name: str
) -> None:
    make_large(admin, table, 300_000)

    def time_out(dbapi_connection: Any) -> None:
        # Only the second worker's queries time out.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 50")
        dbapi_connection.commit()

    opened = on_third_connection(engine, time_out)
    with pytest.raises(QueryTimeoutError) as caught:
        profile_table(engine, table)
    assert isinstance(caught.value, DataSourceError)
    assert table in str(caught.value)
    assert opened == [3]
    assert_all_closed(admin, app_name)


def test_mixed_frame_matches_after_a_cancelled_profile(
    admin: sa.Engine, engine: sa.Engine, table: str, app_name: str
) -> None:
    # A cancelled profile leaves nothing behind that changes the next one.
    pd.DataFrame(make_mixed_frame(3000, seed=2)).to_sql(table, admin, index=False)
    with pytest.raises(ProfileCancelled):
        profile_table(engine, table, cancelled=lambda: True)
    assert_matches_pandas(profile_table(engine, table), reference_frame(admin, table))
    assert_all_closed(admin, app_name)
