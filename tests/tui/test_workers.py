"""Worker jobs run without a terminal: call a job, collect what it posts."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from textual.message import Message

from ddtui.outputs.data_sources import DataSources
from ddtui.outputs.resolve import OutputRef
from ddtui.tui import workers
from ddtui.tui.messages import ProfileLoaded, RowsCounted, SchemaLoaded


def _table(path: Path, name: str, rows: int) -> str:
    with sqlite3.connect(path) as conn:
        conn.execute(f'CREATE TABLE "{name}" (x INTEGER, label TEXT)')
        conn.executemany(
            f'INSERT INTO "{name}" VALUES (?, ?)', [(i, f"v{i % 7}") for i in range(rows)]
        )
    return f"sqlite:///{path}"


def _ref(url: str, table: str) -> OutputRef:
    return OutputRef(table, None, None, url, "--data-url", f"XCom names {table}")


def test_count_rows_counts_a_shared_table_once_and_reports_it_for_every_task(
    tmp_path: Path,
) -> None:
    url = _table(tmp_path / "data.sqlite", "shared", 120)
    _table(tmp_path / "other.sqlite", "own", 3)
    refs = {
        "extract": _ref(url, "shared"),
        "append": _ref(url, "shared"),
        "report": _ref(f"sqlite:///{tmp_path / 'other.sqlite'}", "own"),
        "broken": _ref(url, "no_such_table"),
    }
    posted: list[Message] = []
    sources = DataSources()
    try:
        workers.count_rows(sources, ("dag", "run"), refs)(posted.append, lambda: False)
    finally:
        sources.close()
    counted = {m.task_id: m for m in posted if isinstance(m, RowsCounted)}
    assert set(counted) == set(refs)
    assert counted["extract"].rows == counted["append"].rows == 120
    assert counted["report"].rows == 3
    assert counted["broken"].rows is None
    assert "no_such_table" in counted["broken"].error


def test_a_settling_profile_cancelled_meanwhile_reads_nothing(tmp_path: Path) -> None:
    url = _table(tmp_path / "data.sqlite", "t", 50)
    posted: list[Message] = []
    started = time.monotonic()
    sources = DataSources()
    try:
        job = workers.profile_output(sources, _ref(url, "t"), ("k",), settle=5.0)
        job(posted.append, lambda: time.monotonic() - started > 0.05)
    finally:
        sources.close()
    assert posted == []
    assert time.monotonic() - started < 2.0  # woke on cancellation, not after the settle


def test_a_profile_posts_schema_then_profiles_for_its_key(tmp_path: Path) -> None:
    url = _table(tmp_path / "data.sqlite", "t", 50)
    posted: list[Message] = []
    sources = DataSources()
    try:
        workers.profile_output(sources, _ref(url, "t"), ("k",))(posted.append, lambda: False)
    finally:
        sources.close()
    kinds = [type(m) for m in posted if not type(m).__name__.startswith("ProfileProgressed")]
    assert kinds[0] is SchemaLoaded
    loaded = [m for m in posted if isinstance(m, ProfileLoaded)]
    assert loaded and loaded[-1].profile.exact and loaded[-1].profile.row_count == 50
    assert all(m.key == ("k",) for m in loaded)
