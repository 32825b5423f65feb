"""Which Airflow a metastore belongs to: release-range labels, and revisions ddtui does not
know (a newer Airflow, Airflow 1.10, a schema without a table ddtui reads)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from compat_checks import run_ddtui

from ddtui.demo.home import AirflowHome
from ddtui.errors import MetastoreError
from ddtui.metastore import open_metastore
from ddtui.metastore.revisions import AIRFLOW_VERSION_BY_REVISION, version_label

DASH = "\u2013"
UNKNOWN_REVISION = "0123456789ab"  # no Airflow release has it: a newer Airflow


def revision_of(release: str) -> str:
    return next(rev for rev, version in AIRFLOW_VERSION_BY_REVISION.items() if version == release)


@pytest.mark.parametrize(
    ("introduced", "label"),
    [
        ("2.9.0", f"2.9.0{DASH}2.9.1"),
        ("2.10.3", f"2.10.3{DASH}2.11"),  # 2.11 adds no migration
        ("3.0.3", f"3.0.3{DASH}3.0.6"),
        ("3.1.8", "3.1.8"),
        ("3.2.0", "3.2"),
        ("3.3.0", "3.3"),
    ],
)
def test_a_revision_is_labelled_with_the_releases_it_can_mean(introduced: str, label: str) -> None:
    assert version_label(revision_of(introduced)) == label


def copy_of(home: AirflowHome, tmp_path: Path) -> Path:
    db = tmp_path / "airflow.db"
    shutil.copy(Path(home.metastore_url.removeprefix("sqlite:///")), db)
    return db


def test_a_newer_revision_with_every_column_is_read_with_a_notice(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    db = copy_of(airflow_home, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (UNKNOWN_REVISION,))
        conn.execute("ALTER TABLE dag_run ADD COLUMN added_later TEXT")  # additive only
    store = open_metastore(f"sqlite:///{db}")
    try:
        assert store.info.airflow_version == "newer than 3.3"
        assert f"alembic {UNKNOWN_REVISION} unknown" in store.info.note
        assert {d.dag_id for d in store.list_dags()} == set(airflow_home.dag_ids)
    finally:
        store.close()
    done = run_ddtui(airflow_home, "dags", "--metastore", f"sqlite:///{db}")
    assert done.returncode == 0, done.stderr
    assert f"alembic {UNKNOWN_REVISION} unknown: read as Airflow 3" in done.stdout


def test_a_newer_revision_without_a_column_ddtui_reads_is_exit_4(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    db = copy_of(airflow_home, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (UNKNOWN_REVISION,))
        conn.execute("ALTER TABLE dag_run RENAME COLUMN run_after TO runs_after")
    done = run_ddtui(airflow_home, "dags", "--metastore", f"sqlite:///{db}")
    assert done.returncode == 4
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert f"Airflow newer than 3.3 metastore (alembic {UNKNOWN_REVISION})" in message
    assert "dag_run.run_after" in message
    assert f"ddtui reads Airflow 2.9{DASH}2.11 and 3.0{DASH}3.3 metastores" in message


def test_a_known_revision_without_a_table_ddtui_reads_is_refused(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    db = copy_of(airflow_home, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE rendered_task_instance_fields")
    with pytest.raises(MetastoreError, match=r"without the table\(s\) ddtui reads: rendered_task"):
        open_metastore(f"sqlite:///{db}")


def test_an_airflow_1_10_metastore_is_exit_4_naming_what_is_supported(tmp_path: Path) -> None:
    db = tmp_path / "airflow110.db"
    with sqlite3.connect(db) as conn:  # the tables 1.10.15 has that ddtui looks at first
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('e959f08ac86c')")
        conn.execute("CREATE TABLE dag (dag_id VARCHAR(250) PRIMARY KEY, is_paused BOOLEAN)")
        conn.execute("CREATE TABLE dag_run (id INTEGER PRIMARY KEY, execution_date DATETIME)")
    home = AirflowHome(tmp_path, f"sqlite:///{db}", "", (), ())
    done = run_ddtui(home, "dags", "--metastore", f"sqlite:///{db}")
    assert done.returncode == 4
    assert "older than 2.4 (alembic e959f08ac86c" in done.stderr
    assert f"ddtui reads Airflow 2.9{DASH}2.11 and 3.0{DASH}3.3 metastores" in done.stderr
