"""`ddtui profile SOURCE TABLE [--where-partition COL=VALUE ...]`, as installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from airflow_home_support import POSTGRES_URL, require_service
from partition_support import DAYS, partitioned_frame, the_slice
from profile_checks import assert_json_matches_pandas
from sqlalchemy.engine import make_url

DDTUI = str(Path(sys.executable).with_name("ddtui"))


def ddtui(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI"))}
    # No metastore anywhere: `profile` needs none.
    base |= {"AIRFLOW_HOME": "/nonexistent", "COLUMNS": "100", **env}
    return subprocess.run(
        [DDTUI, "profile", *args], capture_output=True, text=True, env=base, check=False
    )


def profile_json(*args: str, **env: str) -> dict[str, Any]:
    done = ddtui(*args, "--format", "json", **env)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    path = tmp_path_factory.mktemp("profile-cmd") / "parts.db"
    frame = partitioned_frame(500)
    engine = sa.create_engine(f"sqlite:///{path}")
    frame.to_sql("events", engine, index=False, dtype={"ds": sa.Date()})
    engine.dispose()
    return path, frame


def test_a_partition_of_a_sqlite_table(sqlite_file: tuple[Path, pd.DataFrame]) -> None:
    path, frame = sqlite_file
    found = profile_json(str(path), "events", "--where-partition", "ds=2024-01-02")
    assert found["partition"] == {"ds": "2024-01-02"}
    assert found["source"] == {
        "data_source": f"sqlite:///{path}",
        "read_through": "the command line",
    }
    assert found["profile"]["table"] == "events [ds=2024-01-02]"
    expected = the_slice(frame, DAYS[1])
    assert_json_matches_pandas(
        {**found["profile"], "columns": found["profile"]["columns"][1:]}, expected
    )


def test_the_whole_table_without_a_partition(sqlite_file: tuple[Path, pd.DataFrame]) -> None:
    path, frame = sqlite_file
    found = profile_json(f"sqlite:///{path}", "events", "-c", "score", "-c", "colour")
    assert found["partition"] is None
    assert found["profile"]["row_count"] == len(frame) == 1500
    assert_json_matches_pandas(found["profile"], frame[["score", "colour"]])


def test_text_names_the_partition(sqlite_file: tuple[Path, pd.DataFrame]) -> None:
    path, _ = sqlite_file
    done = ddtui(str(path), "events", "-w", "ds=2024-01-03", "-c", "price", NO_COLOR="1")
    assert done.returncode == 0, done.stderr
    assert "events [ds=2024-01-03]: 500 rows x 1 columns" in done.stdout
    assert "\x1b[" not in done.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["events", "-w", "ds"], 2, "'ds' is not COLUMN=VALUE"),
        (["events", "-w", "day=2024-01-01"], 6, "no partition column 'day' in table 'events'"),
        (["events", "-w", "ds=2024-02-30"], 6, "'2024-02-30' is not a date (column 'ds')"),
        (["missing"], 6, "table 'missing' not found"),
        (["events", "-c", "nope"], 2, "unknown column 'nope'"),
    ],
)
def test_faults_are_one_line_with_their_exit_code(
    sqlite_file: tuple[Path, pd.DataFrame], args: list[str], code: int, message: str
) -> None:
    path, _ = sqlite_file
    done = ddtui(str(path), *args)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_connection_id_is_one_line() -> None:
    done = ddtui("nowhere", "events")
    assert done.returncode == 3, done.stderr
    assert "unknown Airflow connection 'nowhere'" in done.stderr


@pytest.fixture
def pg_table() -> Iterator[tuple[str, pd.DataFrame]]:
    require_service("PostgreSQL", POSTGRES_URL)
    engine = sa.create_engine(POSTGRES_URL, poolclass=sa.NullPool)
    table = f"ddtui_pcmd_{uuid.uuid4().hex[:10]}"
    frame = partitioned_frame(500)
    frame.to_sql(table, engine, index=False, dtype={"ds": sa.Date()})
    try:
        yield table, frame
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))  # our own safe name
        engine.dispose()


def test_a_postgres_partition_through_an_airflow_connection(
    pg_table: tuple[str, pd.DataFrame],
) -> None:
    table, frame = pg_table
    # The test server trusts local logins: the password is only there to be kept secret.
    url = make_url(POSTGRES_URL).set(drivername="postgresql", password="s3cret-pw")
    conn_uri = url.render_as_string(hide_password=False)
    found = profile_json("pg_data", table, "-w", "ds=2024-01-01", AIRFLOW_CONN_PG_DATA=conn_uri)
    assert "s3cret-pw" not in json.dumps(found)
    assert found["source"]["read_through"].startswith("Airflow connection")
    expected = the_slice(frame, DAYS[0])
    assert_json_matches_pandas(
        {**found["profile"], "columns": found["profile"]["columns"][1:]}, expected
    )
