"""ddtui finds a task's data as Airflow does: through Airflow connections, with no data flags.

Real Airflow adds the connections (`airflow connections add`) to a copy of the test home's
metastore, encrypting them with the fernet key that only its airflow.cfg holds; `ddtui` runs
as a command with nothing but AIRFLOW_HOME set.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from connections_support import SECRET, ConnectionsHome

import ddtui as ddtui_package
from ddtui.config.connections import AirflowConnections
from ddtui.demo.airflow_cli import find_airflow_executable, set_config_options
from ddtui.demo.home import AirflowHome
from ddtui.errors import ConfigError

DDTUI = str(Path(sys.executable).with_name("ddtui"))
SOURCE_ROOT = str(Path(ddtui_package.__file__).resolve().parents[1])
OTHER_KEY = "Lh9S3CGLVRk3rfTvtZ1mAAxkGvd9THqhjVlOaTsYoHQ="  # a valid key Airflow never used
VIA_WAREHOUSE = "Airflow connection `warehouse` (metastore)"


def ddtui(
    home: ConnectionsHome | AirflowHome, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """`ddtui ARGS` with only AIRFLOW_HOME (and `env`) set: no data flags, no data URL."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI"))}
    base["AIRFLOW_HOME"] = str(home.home)
    base["DDTUI_HISTORY"] = str(home.home / "history.sqlite")
    base["PYTHONPATH"] = os.pathsep.join(filter(None, (SOURCE_ROOT, base.get("PYTHONPATH"))))
    base.update(env)
    return subprocess.run([DDTUI, *args], capture_output=True, text=True, env=base, check=False)


def assert_one_line(done: subprocess.CompletedProcess[str], code: int, *parts: str) -> None:
    assert done.returncode == code, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for part in parts:
        assert part in lines[0]
    assert SECRET not in done.stdout + done.stderr


def profile(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout + done.stderr
    found = json.loads(done.stdout)
    found["profile"].pop("elapsed_seconds")
    return found


def assert_equals_pandas(found: dict[str, Any], url: str) -> None:
    """Row count and each numeric column's describe() metrics equal pandas on the same table."""
    engine = sa.create_engine(url)
    output = found["output"]
    frame = pd.read_sql_table(output["table"], engine, schema=output["schema"])
    engine.dispose()
    assert found["profile"]["row_count"] == len(frame)
    numeric = [c for c in found["profile"]["columns"] if c["kind"] == "number"]
    assert numeric
    for column in numeric:
        expected = frame[column["name"]].describe()
        for ours, theirs in (("count", "count"), ("mean", "mean"), ("std", "std"), ("max", "max")):
            assert math.isclose(column[ours], expected[theirs], rel_tol=1e-9), column["name"]


def test_a_tasks_conn_id_finds_its_table_without_flags(conn_home: ConnectionsHome) -> None:
    found = profile(ddtui(conn_home, "describe", "titanic", "clean", "--format", "json"))
    assert found["output"]["read_through"] == VIA_WAREHOUSE
    flagged = ddtui(
        conn_home,
        "describe",
        "titanic",
        "clean",
        "-f",
        "json",
        "--data-url",
        f"sqlite:///{conn_home.data_db}",
    )
    assert found["profile"] == profile(flagged)["profile"]
    assert_equals_pandas(found, f"sqlite:///{conn_home.data_db}")
    text = ddtui(conn_home, "describe", "titanic", "clean")
    assert f"read through {VIA_WAREHOUSE}" in text.stdout
    assert SECRET not in text.stdout + text.stderr


def test_a_task_without_a_connection_still_needs_one(conn_home: ConnectionsHome) -> None:
    done = ddtui(conn_home, "describe", "titanic", "features")
    assert_one_line(done, 5, "no data source configured", "DDTUI_DATA_CONN")


def test_data_conn_and_the_default_connection_come_from_the_metastore(
    conn_home: ConnectionsHome, tmp_path: Path
) -> None:
    by_flag = profile(
        ddtui(
            conn_home, "describe", "titanic", "features", "-f", "json", "--data-conn", "warehouse"
        )
    )
    assert by_flag["output"]["read_through"] == VIA_WAREHOUSE
    by_env = profile(
        ddtui(
            conn_home, "describe", "titanic", "features", "-f", "json", DDTUI_DATA_CONN="warehouse"
        )
    )
    assert by_env["output"]["read_through"].startswith(
        VIA_WAREHOUSE + ", the default from DDTUI_DATA_CONN"
    )
    config = tmp_path / "airflow.cfg"
    config.write_text((conn_home.home / "airflow.cfg").read_text())
    set_config_options(config, {("ddtui", "data_conn"): "warehouse"})
    by_cfg = profile(
        ddtui(
            conn_home, "describe", "titanic", "features", "-f", "json", AIRFLOW_CONFIG=str(config)
        )
    )
    assert "[ddtui] data_conn" in by_cfg["output"]["read_through"]
    assert by_flag["profile"] == by_env["profile"] == by_cfg["profile"]


def test_metastore_connections_decrypt_with_the_key_in_airflow_cfg(
    conn_home: ConnectionsHome,
) -> None:
    engine = sa.create_engine(conn_home.metastore_url)
    reader = AirflowConnections({"AIRFLOW_HOME": str(conn_home.home)}, engine).get("pg_reader")
    assert (reader.login, reader.password, reader.extra["sslmode"]) == ("reader", SECRET, "disable")
    # The options that matter for connecting, and only those, reach the URL.
    assert reader.url() == f"postgresql://reader:{SECRET}@127.0.0.1:5432/somedb?sslmode=disable"
    assert SECRET not in repr(reader) and SECRET not in reader.shown
    engine.dispose()


def test_a_rotated_key_list_still_decrypts(conn_home: ConnectionsHome) -> None:
    keys = f"{OTHER_KEY},{conn_home.fernet_key}"  # Airflow's form: new key first, old after
    done = ddtui(
        conn_home, "describe", "titanic", "clean", "-f", "json", AIRFLOW__CORE__FERNET_KEY=keys
    )
    assert profile(done)["output"]["read_through"] == VIA_WAREHOUSE


def test_a_wrong_key_is_one_line_naming_the_connection(conn_home: ConnectionsHome) -> None:
    done = ddtui(conn_home, "describe", "titanic", "clean", AIRFLOW__CORE__FERNET_KEY=OTHER_KEY)
    assert_one_line(
        done, 3, "'warehouse'", "cannot decrypt its password", "AIRFLOW__CORE__FERNET_KEY"
    )


def test_a_missing_key_is_one_line_naming_the_connection(
    conn_home: ConnectionsHome, tmp_path: Path
) -> None:
    config = tmp_path / "airflow.cfg"
    config.write_text((conn_home.home / "airflow.cfg").read_text())
    set_config_options(config, {("core", "fernet_key"): ""})
    done = ddtui(conn_home, "describe", "titanic", "clean", AIRFLOW_CONFIG=str(config))
    assert_one_line(done, 3, "'warehouse'", "no fernet key is set", "[core] fernet_key")


def test_an_unknown_connection_is_one_line(conn_home: ConnectionsHome) -> None:
    done = ddtui(conn_home, "describe", "titanic", "clean", "--data-conn", "nope")
    assert_one_line(done, 3, "unknown Airflow connection 'nope'", "airflow connections add")


def test_a_secrets_backend_without_airflow_says_how_to_pass_the_connection(
    conn_home: ConnectionsHome,
) -> None:
    vault = "airflow.providers.hashicorp.secrets.vault.VaultBackend"
    done = ddtui(
        conn_home,
        "describe",
        "titanic",
        "clean",
        AIRFLOW__SECRETS__BACKEND=vault,
        PATH="/usr/bin:/bin",
    )
    assert_one_line(done, 3, "'warehouse'", vault, "--data-url", "AIRFLOW_CONN_WAREHOUSE")


def test_a_secrets_backend_is_asked_through_the_airflow_command(
    conn_home: ConnectionsHome, tmp_path: Path
) -> None:
    # Airflow's own file backend: only Airflow's code reads it; ddtui asks `airflow`.
    secrets = tmp_path / "connections.json"
    secrets.write_text(
        json.dumps({"filed": {"conn_type": "sqlite", "host": str(conn_home.data_db)}})
    )
    airflow_bin = str(Path(find_airflow_executable()).parent)
    done = ddtui(
        conn_home, "describe", "titanic", "features", "-f", "json", "--data-conn", "filed",
        AIRFLOW__SECRETS__BACKEND="airflow.secrets.local_filesystem.LocalFilesystemBackend",
        AIRFLOW__SECRETS__BACKEND_KWARGS=json.dumps({"connections_file_path": str(secrets)}),
        PATH=f"{airflow_bin}:/usr/bin:/bin",
    )  # fmt: skip
    source = profile(done)["output"]["read_through"]
    assert source.startswith("Airflow connection `filed` (secrets backend via `airflow`")
    missing = ddtui(
        conn_home, "describe", "titanic", "features", "--data-conn", "missing",
        AIRFLOW__SECRETS__BACKEND="airflow.secrets.local_filesystem.LocalFilesystemBackend",
        AIRFLOW__SECRETS__BACKEND_KWARGS=json.dumps({"connections_file_path": str(secrets)}),
        PATH=f"{airflow_bin}:/usr/bin:/bin",
    )  # fmt: skip
    assert_one_line(missing, 3, "unknown Airflow connection 'missing'", "the secrets backend")


def test_the_fernet_key_command_is_run_and_a_secret_form_is_one_line(
    conn_home: ConnectionsHome,
) -> None:
    engine = sa.create_engine(conn_home.metastore_url)
    home = {"AIRFLOW_HOME": str(conn_home.home), "PATH": os.environ["PATH"]}
    command = {"AIRFLOW__CORE__FERNET_KEY_CMD": f"echo {conn_home.fernet_key}", **home}
    assert AirflowConnections(command, engine).get("pg_reader").password == SECRET
    secret = {"AIRFLOW__CORE__FERNET_KEY_SECRET": "core/fernet", **home}
    with pytest.raises(ConfigError, match="only Airflow reads its secrets backend") as raised:
        AirflowConnections(secret, engine).get("pg_reader")
    assert SECRET not in str(raised.value)
    engine.dispose()


def test_given_urls_need_no_readable_airflow_cfg(
    conn_home: ConnectionsHome, tmp_path: Path
) -> None:
    # An airflow.cfg ddtui cannot read (here: a directory) matters only when it is needed.
    done = ddtui(
        conn_home, "describe", "titanic", "features", "-f", "json",
        "--metastore", conn_home.metastore_url, "--data-url", f"sqlite:///{conn_home.data_db}",
        AIRFLOW_CONFIG=str(tmp_path),
    )  # fmt: skip
    assert profile(done)["output"]["table"] == "titanic_features"


def test_tasks_lists_every_task_and_gives_the_unusable_connection_in_its_own_row(
    conn_home: ConnectionsHome,
) -> None:
    done = ddtui(conn_home, "tasks", "titanic", AIRFLOW__CORE__FERNET_KEY=OTHER_KEY)
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout + done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
    assert "cannot decrypt its password" in rows["clean"]
    assert "'warehouse'" in rows["clean"]
    others = [row for task_id, row in rows.items() if task_id != "clean"]
    assert others and not any("decrypt" in row for row in others)
    assert "titanic_features" in done.stdout  # another task's output table still shows
