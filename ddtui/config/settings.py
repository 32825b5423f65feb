"""Where the metastore and the data sources are, resolved as Airflow itself would.

Parsed with the standard library only: importing Airflow to read its config costs seconds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from ddtui.backends import backend_for, dialect_for_scheme
from ddtui.config.airflow_cfg import (
    airflow_config_path,
    airflow_home,
    expand_config_value,
    read_airflow_config,
    run_config_command,
)
from ddtui.config.sources import (
    ALLOW_SOURCE_OPTION,
    ALLOW_SOURCES_ENV,
    METASTORE_ORIGIN,
    ConfiguredSource,
    ConfiguredSources,
)
from ddtui.config.table_names import TableNames
from ddtui.errors import ConfigError

if TYPE_CHECKING:
    import sqlalchemy as sa

    from ddtui.config.connections import AirflowConnections

CONN_ENV = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
LEGACY_CONN_ENV = "AIRFLOW__CORE__SQL_ALCHEMY_CONN"
DATA_URL_ENV = "DDTUI_DATA_URL"
# Statement timeouts in seconds: the metastore's queries are short; a profile's may be long.
METASTORE_TIMEOUT_ENV = "DDTUI_METASTORE_TIMEOUT"
DATA_TIMEOUT_ENV = "DDTUI_DATA_TIMEOUT"
DEFAULT_METASTORE_TIMEOUT_S = 30.0
DEFAULT_DATA_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class ResolvedSetting:
    """A value and where it came from (shown to users when something fails)."""

    value: str
    source: str


def statement_timeout(name: str, default: float, env: Mapping[str, str] | None = None) -> float:
    """Seconds from the environment variable `name` (a positive number), else `default`."""
    env = os.environ if env is None else env
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):
        raise ConfigError(f"{name} must be a positive number of seconds, not {raw!r}")
    return seconds


def resolve_metastore_url(
    cli_url: str | None = None, env: Mapping[str, str] | None = None
) -> ResolvedSetting:
    """First hit wins: --metastore, the env var (+ _CMD, _SECRET), airflow.cfg, the default."""
    env = os.environ if env is None else env
    if cli_url:
        return ResolvedSetting(cli_url, "--metastore")
    for name in (CONN_ENV, LEGACY_CONN_ENV):
        found = _from_env(name, env)
        if found:
            return found
    home = airflow_home(env)
    config_path = airflow_config_path(env)
    present = config_path.exists() or config_path.is_symlink()
    if present:  # a file that is there but cannot be read is an error, never skipped
        found = _from_config(config_path, env)
        if found:
            return found
    default = f"sqlite:///{(home / 'airflow.db').as_posix()}"
    where = (
        f"Airflow's default for AIRFLOW_HOME={home}; tried --metastore, {CONN_ENV}, "
        f"{config_path}" + ("" if present else " (missing)")
    )
    return ResolvedSetting(default, where)


def _from_env(name: str, env: Mapping[str, str]) -> ResolvedSetting | None:
    if env.get(name):
        return ResolvedSetting(env[name], name)
    if env.get(f"{name}_CMD"):
        return ResolvedSetting(run_config_command(env[f"{name}_CMD"], f"{name}_CMD"), f"{name}_CMD")
    if env.get(f"{name}_SECRET"):
        # Secrets backends need Airflow itself; we cannot resolve them without it.
        raise ConfigError(
            f"{name}_SECRET is set, but ddtui cannot read Airflow secrets backends; "
            f"pass the URL with --metastore or set {name}."
        )
    return None


def _from_config(path: Path, env: Mapping[str, str]) -> ResolvedSetting | None:
    parser = read_airflow_config(path)
    for section in ("database", "core"):  # Airflow < 2.3 kept it under [core]
        if parser.has_option(section, "sql_alchemy_conn"):
            value = parser.get(section, "sql_alchemy_conn").strip()
            if value:
                return ResolvedSetting(expand_config_value(value, env), f"{path} [{section}]")
        if parser.has_option(section, "sql_alchemy_conn_cmd"):
            cmd = parser.get(section, "sql_alchemy_conn_cmd")
            where = f"{path} [{section}] sql_alchemy_conn_cmd"
            return ResolvedSetting(run_config_command(cmd, where), where)
    return None


# Data sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class DataSettings:
    """Where bare output-table names are read from, and which other sources may be read."""

    url: str | None
    source: str  # "--data-url", "DDTUI_DATA_URL", "Airflow connection `ID` (...)", or ""
    # Other sources the user configured (AIRFLOW_CONN_*, --allow-source, the metastore):
    # URIs found in metastore data are read only when they name one of these or `url`.
    others: tuple[ConfiguredSource, ...] = ()
    tables: TableNames = field(default_factory=TableNames, compare=False, repr=False)
    # Airflow's connections (secrets backend, env, metastore): a task's conn_id, an asset on a
    # server one of them names, or the default [ddtui] data_conn / DDTUI_DATA_CONN.
    connections: AirflowConnections | None = field(default=None, compare=False, repr=False)

    @property
    def configured(self) -> ConfiguredSources:
        main = (ConfiguredSource(self.url, self.source),) if self.url else ()
        return ConfiguredSources(main + self.others)


def resolve_data_settings(
    data_url: str | None = None,
    data_conn: str | None = None,
    env: Mapping[str, str] | None = None,
    *,
    allow_sources: Sequence[str] = (),
    metastore_url: str | None = None,
    metastore_engine: sa.Engine | None = None,
) -> DataSettings:
    """The data source for bare names (first hit wins) and every other configured source."""
    from ddtui.config.connections import AirflowConnections

    env = os.environ if env is None else env
    connections = AirflowConnections(env, metastore_engine)
    named: list[ConfiguredSource] = []
    if data_url:
        named.append(ConfiguredSource(data_url, "--data-url"))
    if data_conn:
        conn = connections.get(data_conn)
        named.append(ConfiguredSource(conn.url(), conn.shown))
    if env.get(DATA_URL_ENV):
        named.append(ConfiguredSource(env[DATA_URL_ENV], DATA_URL_ENV))
    others = named[1:] + _airflow_connections(env)
    others += [_allowed(value, ALLOW_SOURCE_OPTION) for value in allow_sources]
    listed = env.get(ALLOW_SOURCES_ENV, "").replace(",", " ").split()
    others += [_allowed(value, ALLOW_SOURCES_ENV) for value in listed]
    if metastore_url:
        others.append(ConfiguredSource(metastore_url, METASTORE_ORIGIN))
    main = named[0] if named else None
    return DataSettings(
        main.url if main else None,
        main.origin if main else "",
        tuple(others),
        connections=connections,
    )


def _airflow_connections(env: Mapping[str, str]) -> list[ConfiguredSource]:
    """Every AIRFLOW_CONN_<ID> in the environment: the user configured them all."""
    found = []
    for name in sorted(env):
        if name.startswith("AIRFLOW_CONN_") and env[name].strip():
            try:
                url = connection_url(name.removeprefix("AIRFLOW_CONN_"), env)
            except (ConfigError, ValueError):  # a kind ddtui does not read (http, aws...)
                continue
            found.append(ConfiguredSource(url, name))
    return found


def _allowed(value: str, origin: str) -> ConfiguredSource:
    value = value.strip()
    if "://" not in value and not value.startswith("/"):
        raise ConfigError(
            f"{origin}: {value!r} is neither a database URL nor an absolute path "
            "(e.g. postgresql://host:5432/db or sqlite:////data/dir)"
        )
    return ConfiguredSource(value, origin)


def connection_url(conn_id: str, env: Mapping[str, str] | None = None) -> str:
    """An SQLAlchemy URL from `AIRFLOW_CONN_<ID>` (URI or JSON form)."""
    env = os.environ if env is None else env
    name = f"AIRFLOW_CONN_{conn_id.upper()}"
    raw = env.get(name)
    if not raw:
        raise ConfigError(f"connection {conn_id!r}: {name} is not set")
    raw = raw.strip()
    if raw.startswith("{"):
        return _url_from_json_connection(conn_id, raw)
    return raw


def _url_from_json_connection(conn_id: str, raw: str) -> str:
    try:
        conn = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"connection {conn_id!r}: invalid JSON ({exc})") from None
    conn_type = str(conn.get("conn_type") or "")
    dialect = dialect_for_scheme(conn_type) if "+" not in conn_type else None
    if dialect is None:
        raise ConfigError(f"connection {conn_id!r}: unsupported conn_type {conn_type!r}")
    schema = conn.get("schema") or ""
    host = conn.get("host") or ""
    file_url = backend_for(dialect).file_url(host or schema)
    if file_url is not None:
        return file_url
    auth = ""
    if conn.get("login"):
        auth = quote(str(conn["login"]), safe="")
        if conn.get("password"):
            auth += ":" + quote(str(conn["password"]), safe="")
        auth += "@"
    port = f":{conn['port']}" if conn.get("port") else ""
    extra = conn.get("extra") or {}
    if isinstance(extra, str):
        try:
            extra = json.loads(extra) if extra.strip() else {}
        except json.JSONDecodeError as exc:
            raise ConfigError(f"connection {conn_id!r}: its extra is not JSON ({exc})") from None
    if not isinstance(extra, dict):
        raise ConfigError(f"connection {conn_id!r}: its extra is not a JSON object")
    query = f"?{urlencode(extra)}" if extra else ""
    return f"{dialect}://{auth}{host}{port}/{schema}{query}"
