"""A URI in metastore data is a reference: `ddtui` reads only the data sources the user configured.

Real metastores built by Airflow (copied, then their XComs and assets pointed elsewhere), a real
TCP port that counts visitors, the real PostgreSQL server, real SQLite files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from airflow_home_support import POSTGRES_URL, fresh_postgres_database, require_service
from sources_support import Listener, copy_metastore, set_outlet, set_return_value

import ddtui as ddtui_package
from ddtui.config.settings import DataSettings
from ddtui.demo.home import AirflowHome
from ddtui.metastore import RunDetail, RunSummary, TaskNode, XComValue
from ddtui.outputs.resolve import resolve_output

DDTUI = str(Path(sys.executable).with_name("ddtui"))
SOURCE_ROOT = str(Path(ddtui_package.__file__).resolve().parents[1])
SECRET = "hunter2"  # a password written into metastore data: it must never be printed
ENV_SECRET = "env-password-for-the-users-own-servers"
ALLOW_HINT = (
    "is not a configured data source: allow it with --allow-source URL or DDTUI_ALLOW_SOURCES"
)


def ddtui(
    home: AirflowHome, metastore: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`ddtui ARGS --metastore COPY`, with libpq's PGPASSWORD set as on a user's shell."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI", "NO_COLOR"))
    }
    base.update(home.env())
    base["PGPASSWORD"] = ENV_SECRET
    # The ddtui under test, not whichever one the environment installed.
    base["PYTHONPATH"] = os.pathsep.join(filter(None, (SOURCE_ROOT, base.get("PYTHONPATH"))))
    base.update(env or {})
    command = [DDTUI, *args, "--metastore", f"sqlite:///{metastore}"]
    return subprocess.run(command, capture_output=True, text=True, env=base, check=False)


@pytest.fixture
def listener() -> Iterator[Listener]:
    port = Listener()
    yield port
    port.close()


def test_a_foreign_server_in_metastore_data_is_never_connected_to(
    airflow_home: AirflowHome, tmp_path: Path, listener: Listener
) -> None:
    metastore = copy_metastore(airflow_home, tmp_path)
    foreign = f"postgres://ddtui:{SECRET}@127.0.0.1:{listener.port}/proddb"
    set_return_value(metastore, "titanic", "clean", f"{foreign}/public/secrets")
    set_outlet(metastore, "asset_outputs", "orders", f"postgres://127.0.0.1:{listener.port}/db/s/t")
    masked = f"postgres://ddtui:***@127.0.0.1:{listener.port}/proddb"
    done = [
        ddtui(airflow_home, metastore, "dags"),
        ddtui(airflow_home, metastore, "tasks", "titanic"),
        ddtui(airflow_home, metastore, "tasks", "asset_outputs"),
        *(
            ddtui(airflow_home, metastore, "describe", "titanic", "clean", "--format", fmt)
            for fmt in ("text", "json", "markdown")
        ),
        ddtui(airflow_home, metastore, "describe", "asset_outputs", "extract_orders"),
    ]
    assert listener.connections() == 0
    for result in done:
        assert SECRET not in result.stdout + result.stderr
        assert ENV_SECRET not in result.stdout + result.stderr
    assert [r.returncode for r in done] == [0, 0, 0, 5, 5, 5, 5]
    assert "secrets · xcom" in done[1].stdout  # the reference is still shown as the output
    assert f"{masked} {ALLOW_HINT}" in done[3].stderr
    assert f"postgres://127.0.0.1:{listener.port}/db {ALLOW_HINT}" in done[6].stderr


def test_a_configured_server_is_read_with_its_own_url(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    require_service("PostgreSQL", POSTGRES_URL)
    frame = pd.read_sql_table("titanic_clean", sa.create_engine(airflow_home.data_url))
    with fresh_postgres_database(POSTGRES_URL, f"ddtui_sources_{os.getpid()}") as url:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        frame.to_sql("passengers", engine, index=False)
        database = url.rsplit("/", 1)[1]
        metastore = copy_metastore(airflow_home, tmp_path)
        # The reference names a user and a password of its own: neither is used nor shown.
        reference = f"postgres://intruder:{SECRET}@127.0.0.1:5432/{database}/public/passengers"
        set_return_value(metastore, "titanic", "clean", reference)
        configured = f"postgresql://postgres@127.0.0.1:5432/{database}"
        runs = {
            "--data-url": ddtui(
                airflow_home, metastore, "describe", "titanic", "clean", "-f", "json",
                "--data-url", configured,
            ),
            "--allow-source": ddtui(
                airflow_home, metastore, "describe", "titanic", "clean", "-f", "json",
                "--allow-source", configured,
            ),
            "DDTUI_ALLOW_SOURCES": ddtui(
                airflow_home, metastore, "describe", "titanic", "clean", "-f", "json",
                env={"DDTUI_ALLOW_SOURCES": f"sqlite:////nowhere, {configured}"},
            ),
            "nothing": ddtui(airflow_home, metastore, "describe", "titanic", "clean"),
        }  # fmt: skip
        texts = [
            ddtui(airflow_home, metastore, "describe", "titanic", "clean", "-f", fmt,
                  "--data-url", configured)
            for fmt in ("text", "markdown")
        ]  # fmt: skip
        engine.dispose()
    for how in ("--data-url", "--allow-source", "DDTUI_ALLOW_SOURCES"):
        result = runs[how]
        assert result.returncode == 0, (how, result.stderr)
        doc = json.loads(result.stdout)
        assert (doc["output"]["schema"], doc["output"]["table"]) == ("public", "passengers")
        assert doc["output"]["data_source"] == configured
        assert doc["output"]["reason"].endswith(f"read from {how}")
        assert "intruder:***@" in doc["output"]["reason"]
        columns = {c["name"]: c for c in doc["profile"]["columns"]}
        assert doc["profile"]["row_count"] == len(frame)
        assert columns["age"]["mean"] == pytest.approx(frame["age"].mean(), rel=1e-12)
        assert columns["age"]["missing"] == int(frame["age"].isna().sum())
    assert runs["nothing"].returncode == 5
    assert f"postgres://intruder:***@127.0.0.1:5432/{database} {ALLOW_HINT}" in (
        runs["nothing"].stderr
    )
    for result in [*runs.values(), *texts]:
        assert SECRET not in result.stdout + result.stderr
    for result in texts:
        assert result.returncode == 0, result.stderr
        assert "output: XCom return_value 'postgres://intruder:***@127.0.0.1" in result.stdout


def test_sqlite_files_outside_the_configured_directories_are_not_opened(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    secret = elsewhere / "secret.db"
    frame = pd.read_sql_table("titanic_raw", sa.create_engine(airflow_home.data_url))
    writer = sa.create_engine(f"sqlite:///{secret}")
    frame.to_sql("people", writer, index=False)
    writer.dispose()
    metastore = copy_metastore(airflow_home, tmp_path)

    set_return_value(metastore, "titanic", "clean", "sqlite:////etc/passwd/x")
    passwd = ddtui(airflow_home, metastore, "describe", "titanic", "clean")
    assert passwd.returncode == 5
    assert f"sqlite:////etc/passwd {ALLOW_HINT}" in passwd.stderr

    set_return_value(metastore, "titanic", "clean", f"sqlite:///{secret}/people")
    refused = ddtui(airflow_home, metastore, "describe", "titanic", "clean")
    assert refused.returncode == 5
    assert f"sqlite:///{secret} {ALLOW_HINT}" in refused.stderr
    for allow in (["--allow-source", f"sqlite:///{elsewhere}"], ["--allow-source", str(secret)]):
        allowed = ddtui(
            airflow_home, metastore, "describe", "titanic", "clean", "-f", "json", *allow
        )
        assert allowed.returncode == 0, allowed.stderr
        assert json.loads(allowed.stdout)["profile"]["row_count"] == len(frame)
    before = ddtui(
        airflow_home, metastore, "--allow-source", f"sqlite:///{elsewhere}",
        "describe", "titanic", "clean", "-f", "json",
    )  # fmt: skip
    assert before.returncode == 0, before.stderr
    by_env = ddtui(
        airflow_home, metastore, "describe", "titanic", "clean", "-f", "json",
        env={"DDTUI_ALLOW_SOURCES": f"sqlite:///{elsewhere}"},
    )  # fmt: skip
    assert by_env.returncode == 0, by_env.stderr


def test_an_allow_source_that_is_no_url_nor_path_is_a_settings_error(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    metastore = copy_metastore(airflow_home, tmp_path)
    done = ddtui(airflow_home, metastore, "tasks", "titanic", "--allow-source", "relative/dir")
    assert done.returncode == 3
    assert "--allow-source: 'relative/dir' is neither a database URL nor an absolute path" in (
        done.stderr
    )


QUOTED_NAMES = {
    "Q1 totals": (None, "Q1 totals"),
    "Émissions": (None, "Émissions"),
    '"dotted.name"': (None, "dotted.name"),
    'main."Q1 totals"': ("main", "Q1 totals"),
    "main.Q1 totals": ("main", "Q1 totals"),
}


def test_xcom_and_output_table_naming_tables_that_need_quotes(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    frame = pd.read_sql_table("titanic_raw", sa.create_engine(airflow_home.data_url))
    data_file = tmp_path / "data" / "data.db"
    data_file.parent.mkdir()
    writer = sa.create_engine(f"sqlite:///{data_file}")
    for table in ("Q1 totals", "Émissions", "dotted.name"):
        frame.to_sql(table, writer, index=False)
    writer.dispose()
    data = DataSettings(f"sqlite:///{data_file}", "--data-url")
    for name, (schema, table) in QUOTED_NAMES.items():
        by_xcom = resolve_output(task_node(), run_detail(name), data)
        by_attribute = resolve_output(task_node(output_table=name), None, data)
        for ref in (by_xcom, by_attribute):
            assert (ref.schema, ref.table, ref.data_url) == (schema, table, data.url), name
    not_a_table = resolve_output(task_node("Loaded 891 rows"), run_detail("all done!"), data)
    assert not not_a_table.found
    assert "XCom return value 'all done!' names no table" in not_a_table.reason
    assert "output_table 'Loaded 891 rows' names no table" in not_a_table.reason

    metastore = copy_metastore(airflow_home, tmp_path)
    set_return_value(metastore, "titanic", "clean", "Q1 totals")
    done = ddtui(
        airflow_home, metastore, "describe", "titanic", "clean", "-f", "json",
        env={"DDTUI_DATA_URL": data.url or ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["output"]["table"] == "Q1 totals"
    assert doc["profile"]["row_count"] == len(frame)
    fares = next(c for c in doc["profile"]["columns"] if c["name"] == "fare")
    assert fares["mean"] == pytest.approx(frame["fare"].mean(), rel=1e-12)


def test_schema_and_table_names_that_need_quotes_on_postgres() -> None:
    require_service("PostgreSQL", POSTGRES_URL)
    with fresh_postgres_database(POSTGRES_URL, f"ddtui_sources_q_{os.getpid()}") as url:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text('CREATE SCHEMA "Sales Data"'))
            conn.execute(sa.text('CREATE TABLE "Sales Data"."Mixed Case" (n integer)'))
        data = DataSettings(url, "--data-url")
        for name in ('"Sales Data"."Mixed Case"', "Sales Data.Mixed Case"):
            ref = resolve_output(task_node(), run_detail(name), data)
            assert (ref.schema, ref.table) == ("Sales Data", "Mixed Case"), name
        assert not resolve_output(task_node(), run_detail("Sales Data.mixed case"), data).found
        data.tables.close()
        engine.dispose()


def task_node(output_table: str | None = None) -> TaskNode:
    fields = {"output_table": output_table} if output_table is not None else {}
    return TaskNode("t", "Op", None, (), (), fields, (), is_mapped=False)


def run_detail(return_value: str) -> RunDetail:
    summary = RunSummary(
        "d", "r", "success", "manual", datetime(2024, 1, 1, tzinfo=UTC), *[None] * 3
    )
    return RunDetail(summary, (), (XComValue("t", -1, return_value),), {})
