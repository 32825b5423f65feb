"""A WAL-mode SQLite metastore (Airflow 3's default) that cannot be opened read-only as usual
opens as an immutable snapshot, says so, and leaves no -wal/-shm files of ddtui's behind."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_support import copy_metastore, ddtui_env, run_ddtui_unprivileged, shared_tmp_dir

from ddtui.demo.home import AirflowHome
from ddtui.metastore import open_metastore

NOTE = "snapshot: cannot see new writes"


def in_wal_mode(db: Path) -> bool:
    """The header's read/write versions (bytes 18, 19) are 2 in WAL mode (read without SQLite,
    which would make the -shm file)."""
    return db.read_bytes()[18:20] == b"\x02\x02"


@pytest.fixture
def readonly_dir(airflow_home: AirflowHome) -> Iterator[Path]:
    """A copy of the real WAL-mode metastore, alone in a directory no one but root may write."""
    directory = shared_tmp_dir()
    copy_metastore(airflow_home, directory / "airflow.db")
    (directory / "airflow.db").chmod(0o644)
    directory.chmod(0o555)
    yield directory
    directory.chmod(0o755)
    shutil.rmtree(directory)


def test_wal_metastore_in_a_readonly_directory_opens_as_a_snapshot(
    readonly_dir: Path, airflow_home: AirflowHome
) -> None:
    db = readonly_dir / "airflow.db"
    assert in_wal_mode(db)
    before = sorted(p.name for p in readonly_dir.iterdir())
    assert before == ["airflow.db"]  # no -shm: nobody has it open
    # No Airflow home of the test set: its airflow.cfg is private to root (Airflow writes it 0600).
    env = ddtui_env(AIRFLOW_HOME=str(readonly_dir))
    done = run_ddtui_unprivileged("dags", "--metastore", f"sqlite:///{db}", env=env)
    assert done.returncode == 0, done.stderr
    heading = done.stdout.splitlines()[0]
    assert NOTE in heading and str(db) in heading
    assert "titanic" in done.stdout
    tasks = run_ddtui_unprivileged("tasks", "titanic", "--metastore", f"sqlite:///{db}", env=env)
    assert tasks.returncode == 0, tasks.stderr
    assert sorted(p.name for p in readonly_dir.iterdir()) == before


def test_metastore_open_by_airflow_is_read_live_not_as_a_snapshot(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    db = copy_metastore(airflow_home, tmp_path / "airflow.db")
    airflow = sqlite3.connect(db, isolation_level=None)  # as Airflow's scheduler holds it
    airflow.execute("SELECT count(*) FROM dag").fetchone()
    store = open_metastore(f"sqlite:///{db}")
    assert not store.info.snapshot and store.info.note == ""
    paused = {d.dag_id: d.is_paused for d in store.list_dags()}
    airflow.execute("UPDATE dag SET is_paused = NOT is_paused WHERE dag_id = 'titanic'")
    assert {d.dag_id: d.is_paused for d in store.list_dags()}["titanic"] != paused["titanic"]
    store.close()
    airflow.close()


async def test_tui_header_says_it_shows_a_snapshot(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    from tui.conftest import fixed_clock
    from tui.helpers import settle

    from ddtui.config.settings import DataSettings
    from ddtui.tui.app import DdtuiApp
    from ddtui.tui.header import InfoBar

    # As root a read-only directory stops nothing: ask for the snapshot in the URL instead.
    db = copy_metastore(airflow_home, tmp_path / "airflow.db")
    store = open_metastore(f"sqlite:///file:{db}?mode=ro&immutable=1&uri=true")
    data = DataSettings(airflow_home.data_url, "--data-url")
    app = DdtuiApp(store, data, refresh_seconds=0, clock=fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert NOTE in app.query_one(InfoBar).plain
        assert app.main.dag_pane.dags
    store.close()
