"""A profile history file ddtui must not use (another program's, locked, from a newer ddtui)
is one line and exit 9 in the CLI, a note in the TUI, and is left as it was; the size cap
shrinks the file, not only its row count."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fault_support import assert_one_line_error, copy_metastore, ddtui_env, run_ddtui

from ddtui.demo.home import AirflowHome
from ddtui.drift import HistoryError, ProfileHistory
from ddtui.drift import history as history_module
from tests.drift_support import profile_frame
from tests.unit.drift.test_history import frame, key


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def other_programs_sqlite(tmp_path: Path, airflow_home: AirflowHome) -> Path:
    """An Airflow metastore: a real SQLite file that is not a ddtui history."""
    return copy_metastore(airflow_home, tmp_path / "airflow.db")


def plain_text(tmp_path: Path, _: AirflowHome) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("remember to water the plants\n" * 100)
    return path


def newer_history(tmp_path: Path, _: AirflowHome) -> Path:
    history = ProfileHistory(tmp_path / "newer.sqlite")
    history.record(key(), profile_frame(frame()))
    with sqlite3.connect(history.path) as conn:
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'format'")
    conn.close()
    return history.path


UNUSABLE: dict[str, tuple[Callable[[Path, AirflowHome], Path], str]] = {
    "an Airflow metastore": (other_programs_sqlite, "is not a ddtui profile history"),
    "a text file": (plain_text, "not an SQLite file"),
    "a newer ddtui's": (newer_history, "written by a newer ddtui"),
}


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process in the middle of a long write to the history."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("DELETE FROM profiles")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def files_next_to(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


@pytest.mark.parametrize("kind", sorted(UNUSABLE))
def test_unusable_file_is_refused_and_left_as_it_was(
    kind: str, tmp_path: Path, airflow_home: AirflowHome
) -> None:
    make, expected = UNUSABLE[kind]
    path = make(tmp_path, airflow_home)
    before, names = digest(path), files_next_to(path)
    history = ProfileHistory(path)
    with pytest.raises(HistoryError, match=expected) as info:
        history.record(key(), profile_frame(frame()))
    assert info.value.exit_code == 9
    with pytest.raises(HistoryError, match=expected):
        history.for_task(key().metastore, "drift", "sample")
    assert digest(path) == before
    assert files_next_to(path) == names


@pytest.mark.parametrize("kind", sorted(UNUSABLE))
def test_cli_record_into_an_unusable_file_is_one_line_exit_9(
    kind: str, tmp_path: Path, airflow_home: AirflowHome
) -> None:
    make, expected = UNUSABLE[kind]
    path = make(tmp_path, airflow_home)
    before = digest(path)
    env = ddtui_env(airflow_home, DDTUI_HISTORY=str(path))
    done = run_ddtui("describe", "titanic", "clean", "--record", env=env)
    assert_one_line_error(done, 9, str(path), expected)
    assert digest(path) == before


def test_cli_record_into_a_locked_history_is_one_line_exit_9(
    tmp_path: Path, airflow_home: AirflowHome
) -> None:
    path = tmp_path / "history.sqlite"
    ProfileHistory(path).record(key(), profile_frame(frame()))
    env = ddtui_env(airflow_home, DDTUI_HISTORY=str(path))
    with locked(path):  # the command waits its busy timeout (10 s), then says so
        done = run_ddtui("describe", "titanic", "clean", "--record", env=env)
    assert_one_line_error(done, 9, str(path), "locked by another process")


@pytest.mark.parametrize("kind", [*sorted(UNUSABLE), "locked"])
@pytest.mark.expect_worker_error("history note: profile")  # not recorded, not read
async def test_tui_notes_an_unusable_history_and_keeps_working(
    kind: str,
    tmp_path: Path,
    airflow_home: AirflowHome,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tui.conftest import fixed_clock
    from tui.helpers import press, settle, static_text

    from ddtui.config.settings import DataSettings
    from ddtui.metastore import open_metastore
    from ddtui.tui.app import DdtuiApp

    if kind == "locked":
        path = tmp_path / "history.sqlite"
        ProfileHistory(path).record(key(), profile_frame(frame()))
        expected = "locked by another process"
        monkeypatch.setattr(history_module, "BUSY_TIMEOUT_S", 0.2)
    else:
        make, expected = UNUSABLE[kind]
        path = make(tmp_path, airflow_home)
    monkeypatch.setenv("DDTUI_HISTORY", str(path))
    before = digest(path)
    store = open_metastore(airflow_home.metastore_url)
    data = DataSettings(airflow_home.data_url, "--data-url")
    app = DdtuiApp(
        store, data, dag_id="drift", task_id="publish", refresh_seconds=0, clock=fixed_clock
    )
    with locked(path) if kind == "locked" else _nothing():
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, rounds=6)
            assert "exact profile" in static_text(app, "#stats-title")
            notes = [n.message for n in app._notifications]
            assert any(expected in note and "not recorded" in note for note in notes), notes
            await press(pilot, "k")  # the app keeps working
            assert app.main.selection.task_id == "sample"
            assert "exact profile" in static_text(app, "#stats-title")
    store.close()
    assert digest(path) == before


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def test_history_from_before_the_marker_is_still_used(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    ProfileHistory(path).record(key(1), profile_frame(frame()))
    with sqlite3.connect(path) as conn:  # as ddtui wrote it before it set an application id
        conn.execute("PRAGMA application_id = 0")
    conn.close()
    history = ProfileHistory(path)
    history.record(key(2), profile_frame(frame()))
    assert [e.key.run_id for e in history.for_task(key().metastore, "drift", "sample")] == [
        "manual__2",
        "manual__1",
    ]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x64647475
    conn.close()


def file_bytes(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def test_a_lowered_cap_shrinks_the_file_not_only_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    big = ProfileHistory(path)
    df = frame(rows=3000)
    samples = {c: df[c].tolist() for c in df.columns}
    for run in range(40):
        big.record(key(run), profile_frame(df), samples)
    grown = file_bytes(path)
    assert grown > 1_000_000
    cap = grown // 10
    small = ProfileHistory(path, max_bytes=cap)
    small.record(key("new"), profile_frame(df))
    assert small.stats()["bytes"] <= cap
    assert file_bytes(path) <= 2 * cap  # the space of the evicted entries was given back
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
