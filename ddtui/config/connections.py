"""Airflow connections, looked up as Airflow looks them up: secrets backend, env, metastore.

The metastore's `connection` table keeps passwords and extras encrypted with the fernet key
from airflow.cfg (or AIRFLOW__CORE__FERNET_KEY); ddtui decrypts them with `cryptography`, as
Airflow does. A configured secrets backend is Airflow's own code: ddtui asks the `airflow`
command for those, and says how to pass the connection when there is none. No password is
ever part of a message: connections are shown by id and origin.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlencode

import sqlalchemy as sa

from ddtui.backends import backend_for, dialect_for_scheme
from ddtui.config.fernet import FernetKeys, find_fernet_keys
from ddtui.config.sources import ServerKey, server_family, server_key
from ddtui.errors import ConfigError, MetastoreError
from ddtui.terminal_text import safe_text

BACKEND_ENV = "AIRFLOW__SECRETS__BACKEND"
DEFAULT_CONN_ENV = "DDTUI_DATA_CONN"
METASTORE = "metastore"
# What Airflow accepts as a connection id; anything else (e.g. "--help" from DAG code) is none.
_CONN_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,249}$")
AIRFLOW_COMMAND_TIMEOUT_S = 120


_CONNECTION = sa.table(
    "connection",
    *(
        sa.column(name)
        for name in (
            "conn_id",
            "conn_type",
            "host",
            "schema",
            "login",
            "password",
            "port",
            "extra",
            "is_encrypted",
            "is_extra_encrypted",
        )
    ),
)


@dataclass(frozen=True)
class AirflowConnection:
    """One Airflow connection, decrypted; `origin` says which store it came from."""

    conn_id: str
    conn_type: str
    host: str = ""
    schema: str = ""
    login: str = ""
    password: str = field(default="", repr=False)
    port: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)
    origin: str = METASTORE  # "metastore", "AIRFLOW_CONN_<ID>", "secrets backend ..."

    @property
    def shown(self) -> str:
        """How users see where data is read through (never with credentials)."""
        return f"Airflow connection `{safe_text(self.conn_id, limit=100)}` ({self.origin})"

    @property
    def dialect(self) -> str | None:
        """The SQLAlchemy dialect (with the driver a URI named: `postgresql+psycopg`)."""
        _, plus, driver = self.conn_type.lower().partition("+")
        found = dialect_for_scheme(self.conn_type)
        return f"{found}{plus}{driver}" if found else None

    @property
    def server(self) -> ServerKey | None:
        """The server database it names (for matching asset URIs), else None."""
        family = server_family(self.dialect or "")
        if family is None:
            return None
        return server_key(family, self.host, self.port, self.schema)

    def url(self) -> str:
        """Its SQLAlchemy URL, credentials included (never shown: see `shown`)."""
        dialect = self.dialect
        if dialect is None:
            raise ConfigError(
                f"{self.shown} is of type {safe_text(self.conn_type, limit=40)!r}, "
                "not a database ddtui reads (postgres, mysql, sqlite, ...)"
            )
        backend = backend_for(dialect)
        file_url = backend.file_url(self.host or self.schema)
        if file_url is not None:
            return file_url
        auth = ""
        if self.login:
            auth = quote(self.login, safe="")
            if self.password:
                auth += ":" + quote(self.password, safe="")
            auth += "@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = f":{self.port}" if self.port else ""
        # Options of `extra` that change how to connect (TLS, timeouts), as URL query.
        options = {k: self.extra[k] for k in backend.connect_extras if k in self.extra}
        query = f"?{urlencode(options)}" if options else ""
        return f"{dialect}://{auth}{host}{port}/{quote(self.schema, safe='')}{query}"


def from_json(conn_id: str, raw: str | Mapping[str, Any], origin: str) -> AirflowConnection:
    """A connection from Airflow's JSON form (AIRFLOW_CONN_<ID>, `airflow connections get`)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"connection {conn_id!r} ({origin}): invalid JSON ({exc})") from None
    if not isinstance(raw, Mapping):
        raise ConfigError(f"connection {conn_id!r} ({origin}): not a JSON object")
    extra = raw.get("extra_dejson", raw.get("extra")) or {}
    return AirflowConnection(
        conn_id=conn_id,
        conn_type=str(raw.get("conn_type") or ""),
        host=str(raw.get("host") or ""),
        schema=str(raw.get("schema") or ""),
        login=str(raw.get("login") or ""),
        password=str(raw.get("password") or ""),
        port=_port(raw.get("port")),
        extra=_extra(conn_id, extra, origin),
        origin=origin,
    )


def _port(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _extra(conn_id: str, value: Any, origin: str) -> Mapping[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError:
            raise ConfigError(f"connection {conn_id!r} ({origin}): its extra is not JSON") from None
    if not isinstance(value, Mapping):
        raise ConfigError(f"connection {conn_id!r} ({origin}): its extra is not a JSON object")
    return value


class AirflowConnections:
    """Connections by id, in Airflow's order; each looked up once per process."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        metastore: sa.Engine | None = None,
    ) -> None:
        from ddtui.config.airflow_cfg import airflow_config_path

        self.env = dict(os.environ if env is None else env)
        self.metastore = metastore
        self.config_path = airflow_config_path(self.env)
        self._found: dict[str, AirflowConnection | None] = {}
        self._listed: list[AirflowConnection] | None = None
        self._lock = threading.Lock()

    @cached_property
    def config(self) -> Any:
        """airflow.cfg, read only when a connection needs it (`--data-url` alone never does)."""
        from ddtui.config.airflow_cfg import read_airflow_config

        present = self.config_path.exists() or self.config_path.is_symlink()
        return read_airflow_config(self.config_path) if present else None

    @property
    def secrets_backend(self) -> str:
        """The `[secrets] backend` Airflow is configured with, or ""."""
        if self.env.get(BACKEND_ENV):
            return self.env[BACKEND_ENV].strip()
        if self.config is not None:
            return self.config.get("secrets", "backend", fallback="").strip()
        return ""

    def default_conn(self) -> tuple[str, str] | None:
        """(id, where) of the default data connection: DDTUI_DATA_CONN, [ddtui] data_conn."""
        if self.env.get(DEFAULT_CONN_ENV):
            return self.env[DEFAULT_CONN_ENV].strip(), DEFAULT_CONN_ENV
        if self.config is not None:
            value = self.config.get("ddtui", "data_conn", fallback="").strip()
            if value:
                return value, f"{safe_text(self.config_path)} [ddtui] data_conn"
        return None

    def get(self, conn_id: str) -> AirflowConnection:
        """The connection, or a ConfigError naming it and what to do."""
        found = self.find(conn_id)
        if found is None:
            stores = "the secrets backend, " if self.secrets_backend else ""
            raise ConfigError(
                f"unknown Airflow connection {safe_text(conn_id, limit=100)!r} "
                f"(looked in {stores}AIRFLOW_CONN_{conn_id.upper()} and the metastore); add it "
                "with `airflow connections add`, or pass --data-url URL"
            )
        return found

    def find(self, conn_id: str) -> AirflowConnection | None:
        """The connection, or None when no store has it (errors on one that is unreadable)."""
        if not _CONN_ID.match(conn_id):
            return None
        with self._lock:
            if conn_id not in self._found:
                self._found[conn_id] = self._lookup(conn_id)
            return self._found[conn_id]

    def _lookup(self, conn_id: str) -> AirflowConnection | None:
        if self.secrets_backend:
            return self._from_airflow_command(conn_id)
        found = self._from_env(conn_id)
        if found is None and self.metastore is not None:
            rows = self._metastore_rows(_CONNECTION.c.conn_id == conn_id)
            found = self._decrypted(rows[0]) if rows else None
        return found

    def _from_env(self, conn_id: str) -> AirflowConnection | None:
        name = f"AIRFLOW_CONN_{conn_id.upper()}"
        raw = self.env.get(name, "").strip()
        if not raw:
            return None
        if raw.startswith("{"):
            return from_json(conn_id, raw, name)
        return _from_uri(conn_id, raw, name)

    def _from_airflow_command(self, conn_id: str) -> AirflowConnection | None:
        backend = safe_text(self.secrets_backend, limit=120)
        airflow = shutil.which("airflow", path=self.env.get("PATH"))
        if airflow is None:
            raise ConfigError(
                f"connection {safe_text(conn_id, limit=100)!r}: Airflow reads connections from "
                f"the secrets backend {backend}, which only the `airflow` command can query "
                f"(none on PATH); pass the database with --data-url URL or set "
                f"AIRFLOW_CONN_{conn_id.upper()}"
            )
        try:
            done = subprocess.run(
                [airflow, "connections", "get", conn_id, "-o", "json"],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=AIRFLOW_COMMAND_TIMEOUT_S,
                check=False,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise ConfigError(
                f"connection {conn_id!r}: `airflow connections get` failed ({type(exc).__name__})"
            ) from None
        if done.returncode != 0:
            if "not found" in (done.stdout + done.stderr).lower():
                return None
            raise ConfigError(
                f"connection {conn_id!r}: `airflow connections get` exited {done.returncode} "
                f"(secrets backend {backend}); run it yourself to see why"
            )
        try:
            parsed = json.loads(done.stdout[done.stdout.find("[") :])
        except json.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, list) or not parsed:
            raise ConfigError(f"connection {conn_id!r}: `airflow connections get` gave no JSON")
        return from_json(conn_id, parsed[0], f"secrets backend via `airflow`, {backend}")

    def sql_connections(self) -> list[AirflowConnection]:
        """Every server-database connection of the environment and the metastore.

        For matching asset URIs; a secrets backend cannot be listed, and metastore
        connections that cannot be decrypted are left out (naming one gives the error).
        """
        with self._lock:
            if self._listed is None:
                self._listed = self._list()
            return self._listed

    def _list(self) -> list[AirflowConnection]:
        found: dict[str, AirflowConnection] = {}
        if self.metastore is not None:
            for row in self._metastore_rows(None):
                try:
                    found[row.conn_id] = self._decrypted(row)
                except ConfigError:
                    continue
        for name in sorted(self.env):  # the environment wins over the metastore, as in Airflow
            if name.startswith("AIRFLOW_CONN_") and self.env[name].strip():
                conn_id = name.removeprefix("AIRFLOW_CONN_").lower()
                try:
                    found[conn_id] = self._from_env(conn_id) or found[conn_id]
                except (ConfigError, KeyError):
                    continue
        return [c for c in found.values() if c.server is not None]

    def _metastore_rows(self, where: Any) -> list[Any]:
        query = sa.select(_CONNECTION)
        if where is not None:
            query = query.where(where)
        assert self.metastore is not None
        try:
            with self.metastore.connect() as connection:
                return list(connection.execute(query))
        except sa.exc.SQLAlchemyError as exc:
            first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise MetastoreError(
                f"cannot read the metastore's connection table: {safe_text(first, limit=200)}"
            ) from None

    def _decrypted(self, row: Any) -> AirflowConnection:
        keys: FernetKeys | None = None

        def plain(value: Any, encrypted: Any, what: str) -> str:
            nonlocal keys
            if not value:
                return ""
            if not encrypted:
                return str(value)
            if keys is None:
                keys = find_fernet_keys(self.env, self.config, self.config_path)
            return keys.decrypt(str(value), row.conn_id, what)

        password = plain(row.password, row.is_encrypted, "password")
        extra = plain(row.extra, row.is_extra_encrypted, "extra")
        return AirflowConnection(
            conn_id=row.conn_id,
            conn_type=str(row.conn_type or ""),
            host=str(row.host or ""),
            schema=str(row.schema or ""),
            login=str(row.login or ""),
            password=password,
            port=_port(row.port),
            extra=_extra(row.conn_id, extra, METASTORE),
            origin=METASTORE,
        )


def _from_uri(conn_id: str, uri: str, origin: str) -> AirflowConnection:
    """An Airflow connection URI (`postgres://user:pw@host:5432/db?sslmode=require`)."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        raise ConfigError(f"connection {conn_id!r} ({origin}): not a valid URI") from None
    conn_type = parts.scheme.replace("-", "_")
    if backend_for(conn_type).file_url("") is not None:
        # Airflow: sqlite:////abs/path.db keeps the path as host
        prefix = f"{parts.scheme}:///"
        path = uri[len(prefix) :].split("?", 1)[0] if uri.startswith(prefix) else ""
        return AirflowConnection(conn_id, conn_type, host=path, origin=origin)
    return AirflowConnection(
        conn_id=conn_id,
        conn_type=conn_type,
        host=unquote(parts.hostname or ""),
        schema=unquote(parts.path.lstrip("/")),
        login=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        port=port,
        extra=dict(parse_qsl(parts.query)),
        origin=origin,
    )
