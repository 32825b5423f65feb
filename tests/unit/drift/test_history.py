"""The local profile history: survives restarts and processes, keeps its cap, clears."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ddtui.drift import HistoryError, HistoryKey, ProfileHistory, default_history_path
from ddtui.drift.history import HISTORY_ENV
from tests.drift_support import profile_frame
from tests.paths import TESTS

METASTORE = "postgresql://airflow:***@db/airflow"
TESTS_DIR = TESTS


def frame(seed: int = 0, rows: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": rng.normal(100, 15, rows),
            "segment": rng.choice(["bronze", "silver", "gold"], rows),
            "active": rng.random(rows) < 0.8,
        }
    )


def key(run: int | str = 1, task: str = "sample", table: str = "drift_latest") -> HistoryKey:
    return HistoryKey(METASTORE, "drift", task, f"manual__{run}", table)


def samples_of(df: pd.DataFrame) -> dict[str, list]:
    return {c: df[c].dropna().tolist() for c in df.columns}


def test_record_then_get_round_trips_profile_and_samples(tmp_path: Path) -> None:
    history = ProfileHistory(tmp_path / "h.sqlite")
    df = frame()
    profile = profile_frame(df, "drift_latest")
    profile.head = [{"amount": 1.0}]
    stored = history.record(key(), profile, samples_of(df))
    got = history.get(key())
    assert got is not None
    assert got.profile == replace(profile, head=[], tail=[])  # rows are not kept
    assert got.samples == samples_of(df)
    assert got.key == key()
    assert got.entry_id == stored.entry_id
    assert got.recorded_at.tzinfo is not None
    assert history.get(key(run=2)) is None


def test_history_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    ProfileHistory(path).record(key(), profile_frame(frame()), None)
    reopened = ProfileHistory(path)
    got = reopened.get(key())
    assert got is not None
    assert got.samples is None
    assert got.profile.row_count == 200


def run_python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **env, "PYTHONPATH": str(TESTS_DIR.parent)},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_one_process_writes_another_reads_via_env(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "history.sqlite"
    env = {HISTORY_ENV: str(path)}
    run_python(
        f"""
        import numpy as np, pandas as pd
        from ddtui.drift import HistoryKey, ProfileHistory
        from tests.drift_support import profile_frame
        df = pd.DataFrame({{"x": np.arange(10.0)}})
        key = HistoryKey({METASTORE!r}, "drift", "sample", "run_a", "t")
        ProfileHistory().record(key, profile_frame(df), {{"x": df.x.tolist()}})
        """,
        env,
    )
    assert path.is_file()
    out = run_python(
        f"""
        from ddtui.drift import HistoryKey, ProfileHistory
        got = ProfileHistory().get(HistoryKey({METASTORE!r}, "drift", "sample", "run_a", "t"))
        print(got.profile.row_count, sum(got.samples["x"]))
        """,
        env,
    )
    assert out.split() == ["10", "45.0"]


def test_env_var_is_read_when_the_history_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(HISTORY_ENV, raising=False)
    assert default_history_path().parts[-2:] == ("ddtui", "history.sqlite")
    monkeypatch.setenv(HISTORY_ENV, str(tmp_path / "elsewhere.sqlite"))
    assert ProfileHistory().path == tmp_path / "elsewhere.sqlite"


def test_reading_does_not_create_the_file(tmp_path: Path) -> None:
    history = ProfileHistory(tmp_path / "nothing" / "h.sqlite")
    assert history.get(key()) is None
    assert history.for_task(METASTORE, "drift", "sample") == []
    assert history.clear() == 0
    assert not history.path.parent.exists()


def test_file_is_private_and_holds_json_not_pickles(tmp_path: Path) -> None:
    history = ProfileHistory(tmp_path / "h.sqlite")
    df = frame()
    history.record(key(), profile_frame(df), samples_of(df))
    assert stat.S_IMODE(history.path.stat().st_mode) == 0o600
    with sqlite3.connect(history.path) as conn:
        profile_json, blob = conn.execute(
            "SELECT profile_json, samples_zjson FROM profiles"
        ).fetchone()
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert json.loads(profile_json)["schema_version"] == 1
    assert json.loads(zlib.decompress(blob))["segment"][:3] == df["segment"][:3].tolist()
    assert mode == "wal"


def test_same_key_replaces_the_entry(tmp_path: Path) -> None:
    history = ProfileHistory(tmp_path / "h.sqlite")
    history.record(key(), profile_frame(frame(rows=10)))
    history.record(key(), profile_frame(frame(rows=20)))
    assert history.stats()["entries"] == 1
    got = history.get(key())
    assert got is not None
    assert got.profile.row_count == 20


def test_passwords_are_masked_in_keys(tmp_path: Path) -> None:
    history = ProfileHistory(tmp_path / "h.sqlite")
    secret = HistoryKey("postgresql://airflow:hunter2@db/airflow", "d", "t", "r", "x")
    stored = history.record(secret, profile_frame(frame()))
    assert "hunter2" not in stored.key.metastore
    assert b"hunter2" not in history.path.read_bytes()
    assert history.get(secret) is not None  # looked up masked too
    assert len(history.for_task("postgresql://airflow:hunter2@db/airflow", "d", "t")) == 1


def test_for_task_is_newest_first_and_limited(tmp_path: Path) -> None:
    history = ProfileHistory(tmp_path / "h.sqlite")
    start = datetime(2024, 4, 1, tzinfo=UTC)
    for run in range(6):
        when = start + timedelta(days=run)
        history.record(key(run), profile_frame(frame(rows=10 + run)), recorded_at=when)
    history.record(key(99, task="other"), profile_frame(frame()))
    entries = history.for_task(METASTORE, "drift", "sample", limit=4)
    assert [e.key.run_id for e in entries] == [f"manual__{r}" for r in (5, 4, 3, 2)]
    assert [e.profile.row_count for e in entries] == [15, 14, 13, 12]
    assert entries[0].recorded_at == start + timedelta(days=5)


def test_entry_cap_evicts_the_oldest(tmp_path: Path) -> None:
    history = ProfileHistory(tmp_path / "h.sqlite", max_entries=5)
    for run in range(12):
        history.record(key(run), profile_frame(frame(rows=10)))
    assert history.stats()["entries"] == 5
    runs = [e.key.run_id for e in history.for_task(METASTORE, "drift", "sample", limit=50)]
    assert runs == [f"manual__{r}" for r in range(11, 6, -1)]
    # The cap holds after reopening with the same cap, too.
    reopened = ProfileHistory(history.path, max_entries=5)
    reopened.record(key(12), profile_frame(frame(rows=10)))
    assert reopened.stats()["entries"] == 5
    assert reopened.get(key(7)) is None


def test_byte_cap_evicts_the_oldest(tmp_path: Path) -> None:
    df = frame(rows=500)
    probe = ProfileHistory(tmp_path / "probe.sqlite")
    probe.record(key(), profile_frame(df), samples_of(df))
    one = probe.stats()["bytes"]
    history = ProfileHistory(tmp_path / "h.sqlite", max_bytes=int(one * 3.5))
    for run in range(10):
        history.record(key(run), profile_frame(df), samples_of(df))
    summary = history.stats()
    assert summary["entries"] == 3
    assert summary["bytes"] <= history.max_bytes
    with pytest.raises(HistoryError, match="over the history cap"):
        ProfileHistory(tmp_path / "tiny.sqlite", max_bytes=100).record(key(), profile_frame(df))


def test_clear_all_or_one_task(tmp_path: Path) -> None:
    history = ProfileHistory(tmp_path / "h.sqlite")
    for run in range(3):
        history.record(key(run), profile_frame(frame()))
        history.record(key(run, task="publish"), profile_frame(frame()))
    assert history.clear(METASTORE, "drift", "publish") == 3
    assert history.for_task(METASTORE, "drift", "publish") == []
    assert len(history.for_task(METASTORE, "drift", "sample")) == 3
    assert history.clear() == 3
    assert history.stats() == {"entries": 0, "bytes": 0}
    history.record(key(), profile_frame(frame()))  # still usable after clearing
    assert history.stats()["entries"] == 1


WRITER = """
import sys
import numpy as np, pandas as pd
from ddtui.drift import HistoryKey, ProfileHistory
from tests.drift_support import profile_frame
path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
history = ProfileHistory(path, max_entries=10_000)
df = pd.DataFrame({"x": np.arange(300.0), "c": ["a", "b", "c"] * 100})
for i in range(count):
    key = HistoryKey("sqlite:////m.db", "dag", name, f"run_{i}", "t")
    history.record(key, profile_frame(df), {"x": df.x.tolist(), "c": df.c.tolist()})
    if i % 5 == 0:
        history.for_task("sqlite:////m.db", "dag", name, limit=3)
"""


def test_two_writers_do_not_corrupt_it(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    env = {**os.environ, "PYTHONPATH": str(TESTS_DIR.parent)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), name, "40"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=180)
        assert writer.returncode == 0, err
    history = ProfileHistory(path, max_entries=10_000)
    assert history.stats()["entries"] == 80
    for name in ("first", "second"):
        entries = history.for_task("sqlite:////m.db", "dag", name, limit=100)
        assert len(entries) == 40
        assert entries[0].samples is not None
        assert len(entries[0].samples["x"]) == 300
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_newer_format_is_refused(tmp_path: Path) -> None:
    history = ProfileHistory(tmp_path / "h.sqlite")
    history.record(key(), profile_frame(frame()))
    with sqlite3.connect(history.path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'format'")
    with pytest.raises(HistoryError, match="newer ddtui"):
        ProfileHistory(history.path).get(key())


def test_unwritable_location_is_a_history_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(HistoryError):
        ProfileHistory(blocker / "h.sqlite").record(key(), profile_frame(frame()))


def test_for_task_orders_by_run_time_not_recording_time(tmp_path: Path) -> None:
    history = ProfileHistory(tmp_path / "h.sqlite", max_entries=2)
    day = datetime(2024, 4, 1, tzinfo=UTC)
    # Recorded newest run first (as a comparison records its current run, then the baseline).
    history.record(key(3), profile_frame(frame(rows=30)), run_after=day + timedelta(days=3))
    history.record(key(1), profile_frame(frame(rows=10)), run_after=day + timedelta(days=1))
    entries = history.for_task(METASTORE, "drift", "sample")
    assert [e.key.run_id for e in entries] == ["manual__3", "manual__1"]
    assert entries[0].run_after == day + timedelta(days=3)
    # The cap evicts the oldest run, even though it was recorded last.
    history.record(key(2), profile_frame(frame(rows=20)), run_after=day + timedelta(days=2))
    assert [e.key.run_id for e in history.for_task(METASTORE, "drift", "sample")] == [
        "manual__3",
        "manual__2",
    ]


def test_drift_package_imports_no_ui_and_no_pandas() -> None:
    out = run_python(
        "import sys, json, ddtui.drift; print(json.dumps(sorted(sys.modules)))", env={}
    )
    loaded = {name.split(".")[0] for name in json.loads(out)}
    for forbidden in ("textual", "plotext", "airflow", "pandas", "scipy"):
        assert forbidden not in loaded, forbidden
