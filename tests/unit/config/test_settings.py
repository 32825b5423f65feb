"""Where the metastore and data sources are found, in Airflow's order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ddtui.config.settings import (
    connection_url,
    resolve_data_settings,
    resolve_metastore_url,
)
from ddtui.errors import ConfigError


def write_cfg(home: Path, body: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "airflow.cfg"
    path.write_text(body)
    return path


def test_cli_url_wins_over_everything(tmp_path: Path) -> None:
    write_cfg(tmp_path, "[database]\nsql_alchemy_conn = sqlite:////cfg.db\n")
    env = {"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "sqlite:////env"}
    resolved = resolve_metastore_url("sqlite:////cli.db", env)
    assert (resolved.value, resolved.source) == ("sqlite:////cli.db", "--metastore")


def test_env_var_beats_airflow_cfg(tmp_path: Path) -> None:
    write_cfg(tmp_path, "[database]\nsql_alchemy_conn = sqlite:////cfg.db\n")
    env = {"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "sqlite:////env"}
    assert resolve_metastore_url(None, env).value == "sqlite:////env"


def test_cmd_variant_runs_the_command(tmp_path: Path) -> None:
    env = {
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD": "echo sqlite:////x.db",
    }
    resolved = resolve_metastore_url(None, env)
    assert resolved.value == "sqlite:////x.db"
    assert resolved.source.endswith("_CMD")


def test_failing_cmd_is_a_config_error(tmp_path: Path) -> None:
    env = {"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD": "exit 3"}
    with pytest.raises(ConfigError, match="_CMD"):
        resolve_metastore_url(None, env)


def test_secret_variant_is_explained_not_ignored(tmp_path: Path) -> None:
    env = {"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_SECRET": "conn"}
    with pytest.raises(ConfigError, match="secrets backends"):
        resolve_metastore_url(None, env)


def test_airflow_cfg_database_section_then_core(tmp_path: Path) -> None:
    write_cfg(tmp_path, "[core]\nsql_alchemy_conn = sqlite:////core.db\n")
    env = {"AIRFLOW_HOME": str(tmp_path)}
    assert resolve_metastore_url(None, env).value == "sqlite:////core.db"
    write_cfg(
        tmp_path,
        "[core]\nsql_alchemy_conn = sqlite:////core.db\n"
        "[database]\nsql_alchemy_conn = sqlite:///{AIRFLOW_HOME}/db.db\n",
    )
    resolved = resolve_metastore_url(None, env)
    assert resolved.value == f"sqlite:///{tmp_path}/db.db"
    assert "[database]" in resolved.source


def test_airflow_config_env_points_at_another_file(tmp_path: Path) -> None:
    cfg = write_cfg(tmp_path / "elsewhere", "[database]\nsql_alchemy_conn = sqlite:////o.db\n")
    env = {"AIRFLOW_HOME": str(tmp_path), "AIRFLOW_CONFIG": str(cfg)}
    assert resolve_metastore_url(None, env).value == "sqlite:////o.db"


def test_default_is_airflow_db_in_airflow_home(tmp_path: Path) -> None:
    resolved = resolve_metastore_url(None, {"AIRFLOW_HOME": str(tmp_path)})
    assert resolved.value == f"sqlite:///{tmp_path}/airflow.db"
    assert "missing" in resolved.source  # the user learns airflow.cfg was looked for


def test_airflow_home_defaults_to_home_airflow(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_metastore_url(None, {}).value == f"sqlite:///{tmp_path}/airflow/airflow.db"


def test_data_settings_order() -> None:
    env = {"DDTUI_DATA_URL": "sqlite:////env.db", "AIRFLOW_CONN_WAREHOUSE": "postgresql://u@h/db"}
    assert resolve_data_settings("sqlite:////cli.db", "warehouse", env).url == "sqlite:////cli.db"
    conn = resolve_data_settings(None, "warehouse", env)
    shown = "Airflow connection `warehouse` (AIRFLOW_CONN_WAREHOUSE)"
    assert (conn.url, conn.source) == ("postgresql://u@h/db", shown)
    assert resolve_data_settings(None, None, env).url == "sqlite:////env.db"
    assert resolve_data_settings(None, None, {}).url is None


def test_json_connection_becomes_a_url() -> None:
    conn = {
        "conn_type": "postgres",
        "host": "db.example",
        "login": "ds",
        "password": "p@ss/word",
        "schema": "analytics",
        "port": 5433,
    }
    env = {"AIRFLOW_CONN_DWH": json.dumps(conn)}
    assert connection_url("dwh", env) == "postgresql://ds:p%40ss%2Fword@db.example:5433/analytics"


def test_unknown_connection_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="AIRFLOW_CONN_NOPE is not set"):
        connection_url("nope", {})


def test_every_source_the_user_configured_counts() -> None:
    env = {
        "DDTUI_DATA_URL": "sqlite:////env/data.db",
        "AIRFLOW_CONN_WAREHOUSE": "postgres://u:p@wh:5432/dwh",
        "AIRFLOW_CONN_API": json.dumps({"conn_type": "http", "host": "api"}),  # not a database
        "AIRFLOW_CONN_BROKEN": '{"conn_type": "postgres", "extra": "{not json"}',
        "DDTUI_ALLOW_SOURCES": "sqlite:////shared/dir, postgresql://h2/db\n/abs/file.db",
    }
    data = resolve_data_settings(
        "sqlite:////cli/data.db",
        None,
        env,
        allow_sources=["mysql://m/shop"],
        metastore_url="postgresql://airflow:pw@meta/airflow",
    )
    assert [(s.origin, s.url) for s in data.configured.entries] == [
        ("--data-url", "sqlite:////cli/data.db"),
        ("DDTUI_DATA_URL", "sqlite:////env/data.db"),
        ("AIRFLOW_CONN_WAREHOUSE", "postgres://u:p@wh:5432/dwh"),
        ("--allow-source", "mysql://m/shop"),
        ("DDTUI_ALLOW_SOURCES", "sqlite:////shared/dir"),
        ("DDTUI_ALLOW_SOURCES", "postgresql://h2/db"),
        ("DDTUI_ALLOW_SOURCES", "/abs/file.db"),
        ("the metastore", "postgresql://airflow:pw@meta/airflow"),
    ]


def test_an_allowed_source_must_be_a_url_or_an_absolute_path() -> None:
    with pytest.raises(ConfigError, match="DDTUI_ALLOW_SOURCES: 'data' is neither"):
        resolve_data_settings(None, None, {"DDTUI_ALLOW_SOURCES": "data"})
