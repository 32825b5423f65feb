"""Airflow's own configuration as Airflow reads it: $AIRFLOW_HOME, airflow.cfg, and the
*_cmd settings (shell commands by definition). Standard library only: importing Airflow
to read its config costs seconds."""

from __future__ import annotations

import configparser
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ddtui.errors import ConfigError
from ddtui.terminal_text import safe_text


def airflow_home(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("AIRFLOW_HOME") or "~/airflow").expanduser()


def airflow_config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where Airflow reads airflow.cfg from: $AIRFLOW_CONFIG, else $AIRFLOW_HOME/airflow.cfg."""
    env = os.environ if env is None else env
    return Path(env.get("AIRFLOW_CONFIG") or airflow_home(env) / "airflow.cfg").expanduser()


def read_airflow_config(path: Path) -> configparser.ConfigParser:
    """airflow.cfg parsed without interpolation; an unreadable file is a ConfigError."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    shown = safe_text(path, limit=300)
    try:
        # Not parser.read(): it silently skips a file it cannot open.
        text = path.read_text(encoding="utf-8")
    except IsADirectoryError:
        raise ConfigError(f"cannot read {shown}: it is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read {shown}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {shown}: {exc.strerror or exc}") from None
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"cannot read {shown}: {safe_text(first, limit=200)}") from None
    return parser


def expand_config_value(value: str, env: Mapping[str, str]) -> str:
    """airflow.cfg values may hold {AIRFLOW_HOME} and ${VARS}, as Airflow expands them."""
    value = value.replace("{AIRFLOW_HOME}", str(airflow_home(env)))
    return os.path.expandvars(value)


def run_config_command(command: str, where: str) -> str:
    """The output of an Airflow *_cmd setting (a shell command by definition)."""
    try:
        # Airflow's *_cmd settings are shell commands by definition.
        done = subprocess.run(  # noqa: S602
            command, shell=True, capture_output=True, text=True, timeout=30, check=True
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise ConfigError(f"{where}: the command failed: {exc}") from None
    return done.stdout.strip()
