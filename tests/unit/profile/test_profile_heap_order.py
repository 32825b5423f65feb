"""Head and tail of PostgreSQL tables: the first and last rows in heap order.

Read by ctid ranges (a few pages), not by LIMIT (which a concurrent scan may start
mid-table) or OFFSET (which reads the whole table before the tail).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ddtui.profile import api as profile_api
from ddtui.profile import profile_stages, profile_table
from ddtui.profile.ends import read_ends


@pytest.fixture
def table(postgres_engine: sa.Engine) -> Iterator[str]:
    """A 20,000-row table (about 100 pages) whose first and last pages were emptied."""
    name = f"ddtui_h_{uuid.uuid4().hex[:12]}"
    with postgres_engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE TABLE "{name}" (id integer, note text)')
        conn.exec_driver_sql(
            f"INSERT INTO \"{name}\" SELECT i, 'row ' || i FROM generate_series(1, 20000) i"
        )
        # Deleted rows leave their pages in place (no VACUUM here): the ends are whole
        # empty pages that the reads must step over.
        conn.exec_driver_sql(f'DELETE FROM "{name}" WHERE id <= 1000 OR id > 19000')
    yield name
    with postgres_engine.begin() as conn:
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')


def heap_ordered_ids(engine: sa.Engine, name: str) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql(f'SELECT id FROM "{name}" ORDER BY ctid')]


@pytest.mark.parametrize("mode", ["exact", "sample"])
def test_head_and_tail_step_over_emptied_pages(
    postgres_engine: sa.Engine, table: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 0)  # the push-down's own ends too
    ids = heap_ordered_ids(postgres_engine, table)
    profile = profile_table(postgres_engine, table, mode=mode, sample_rows=500)  # type: ignore[arg-type]
    assert [r["id"] for r in profile.head] == ids[:5] == [1001, 1002, 1003, 1004, 1005]
    assert [r["id"] for r in profile.tail] == ids[-5:] == [18996, 18997, 18998, 18999, 19000]
    assert profile.head[0]["note"] == "row 1001"


def test_ends_read_only_the_end_pages(postgres_engine: sa.Engine, table: str) -> None:
    # Each statement that reads rows is planned as a TID range scan, never a whole-table scan.
    statements: list[tuple[str, object]] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        if "ctid" in statement or "OFFSET" in statement.upper():
            statements.append((statement, parameters))

    with postgres_engine.connect() as conn:
        reflected = sa.Table(table, sa.MetaData(), autoload_with=conn)
        sa.event.listen(conn, "before_cursor_execute", note)
        head, tail = read_ends(conn, reflected, list(reflected.columns), 18_000, 5)
        sa.event.remove(conn, "before_cursor_execute", note)
        assert [r["id"] for r in head + tail] == [*range(1001, 1006), *range(18996, 19001)]
        assert statements and all("OFFSET" not in s.upper() for s, _ in statements)
        for statement, parameters in statements:
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
            assert "Tid Range Scan" in plan and "Seq Scan" not in plan, plan


def test_views_fall_back_to_scan_order(postgres_engine: sa.Engine, table: str) -> None:
    view = f"{table}_v"
    with postgres_engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE VIEW "{view}" AS SELECT * FROM "{table}"')
    try:
        stages = list(profile_stages(postgres_engine, view, sample_rows=100))
        exact = stages[-1]
        assert [r["id"] for r in exact.head] == [1001, 1002, 1003, 1004, 1005]
        assert [r["id"] for r in exact.tail] == [18996, 18997, 18998, 18999, 19000]
    finally:
        with postgres_engine.begin() as conn:
            conn.exec_driver_sql(f'DROP VIEW "{view}"')
