"""Odd settings are one line and exit 3, never a traceback or a silent fallback; options given
before a command apply to it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_support import (
    assert_one_line_error,
    copy_metastore,
    ddtui_env,
    run_ddtui,
    run_ddtui_unprivileged,
    shared_tmp_dir,
)

from ddtui.config.settings import resolve_metastore_url
from ddtui.demo.home import AirflowHome
from ddtui.errors import ConfigError

CFG = "[database]\nsql_alchemy_conn = sqlite:////elsewhere/airflow.db\n"


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    path = shared_tmp_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_url_with_a_port_that_is_not_a_number_is_exit_3(tmp_path: Path) -> None:
    done = run_ddtui(
        "dags",
        "--metastore",
        "postgresql://u:s3cret@127.0.0.1:abc/db",
        env=ddtui_env(AIRFLOW_HOME=str(tmp_path)),
    )
    assert_one_line_error(done, 3, "127.0.0.1:abc", "port is not a number")
    assert "s3cret" not in done.stderr


def test_airflow_cfg_that_is_a_directory_is_exit_3_naming_it(tmp_path: Path) -> None:
    (tmp_path / "airflow.cfg").mkdir()
    done = run_ddtui("dags", env=ddtui_env(AIRFLOW_HOME=str(tmp_path)))
    assert_one_line_error(done, 3, f"{tmp_path}/airflow.cfg", "directory")


def test_airflow_config_with_invalid_bytes_is_exit_3_naming_it(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.cfg"
    config.write_bytes(CFG.encode() + b"dags_folder = \xff\xfe\n")
    done = run_ddtui("dags", env=ddtui_env(AIRFLOW_HOME=str(tmp_path), AIRFLOW_CONFIG=str(config)))
    assert_one_line_error(done, 3, str(config), "not UTF-8")


def test_malformed_airflow_cfg_is_exit_3_naming_it(tmp_path: Path) -> None:
    (tmp_path / "airflow.cfg").write_text("sql_alchemy_conn = no section header\n")
    with pytest.raises(ConfigError, match=f"cannot read {tmp_path}/airflow.cfg"):
        resolve_metastore_url(None, {"AIRFLOW_HOME": str(tmp_path)})


def test_airflow_cfg_the_user_may_not_read_is_exit_3_naming_it(shared_dir: Path) -> None:
    """Not skipped and not the default ~/airflow/airflow.db instead (run as `nobody`)."""
    config = shared_dir / "airflow.cfg"
    config.write_text(CFG)
    config.chmod(0o000)
    done = run_ddtui_unprivileged("dags", env=ddtui_env(AIRFLOW_HOME=str(shared_dir)))
    assert_one_line_error(done, 3, str(config), "Permission denied")


def test_metastore_given_before_the_command_applies(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    db = copy_metastore(airflow_home, tmp_path / "airflow.db")
    env = ddtui_env(AIRFLOW_HOME=str(tmp_path / "nothing-here"))
    done = run_ddtui("--metastore", f"sqlite:///{db}", "dags", env=env)
    assert done.returncode == 0, done.stderr
    assert str(db) in done.stdout.splitlines()[0]
    assert "titanic" in done.stdout
    tasks = run_ddtui("--metastore", f"sqlite:///{db}", "tasks", "drift", env=env)
    assert tasks.returncode == 0, tasks.stderr
    assert "sample" in tasks.stdout


def test_data_url_given_before_describe_applies(airflow_home: AirflowHome) -> None:
    env = ddtui_env(airflow_home)
    env.pop("DDTUI_DATA_URL", None)
    done = run_ddtui("--data-url", airflow_home.data_url, "describe", "titanic", "clean", env=env)
    assert done.returncode == 0, done.stderr
    assert "titanic_clean" in done.stdout
    without = run_ddtui("describe", "titanic", "clean", env=env)
    assert without.returncode != 0  # so the option before the command is what made it work


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--dag", "titanic", "dags"], "--dag opens the terminal UI"),
        (["--data-url", "sqlite:////x.db", "dags"], "does not take --data-url"),
        (["--metastore", "sqlite:////a.db", "demo"], "does not take --metastore"),
        (
            ["--metastore", "sqlite:////a.db", "dags", "--metastore", "sqlite:////b.db"],
            "given twice",
        ),
    ],
)
def test_options_that_cannot_apply_are_a_usage_error(
    args: list[str], expected: str, tmp_path: Path
) -> None:
    # A cache of its own: were `demo` to run, it would build its home there, not in ~/.cache.
    done = run_ddtui(*args, env=ddtui_env(XDG_CACHE_HOME=str(tmp_path)))
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("extra", "expected"), [("{bad", "its extra is not JSON"), ("[1, 2]", "not a JSON object")]
)
def test_json_connection_with_a_damaged_extra_is_exit_3(
    extra: str, expected: str, airflow_home: AirflowHome
) -> None:
    conn = json.dumps({"conn_type": "postgres", "host": "h", "extra": extra})
    env = ddtui_env(airflow_home, AIRFLOW_CONN_WAREHOUSE=conn)
    done = run_ddtui("describe", "titanic", "clean", "--data-conn", "warehouse", env=env)
    assert_one_line_error(done, 3, "'warehouse'", expected)
