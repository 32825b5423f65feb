"""The one map from URL schemes and Airflow connection types to dialects and backends."""

from __future__ import annotations

import functools
import importlib

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ddtui.backends.base import Backend
from ddtui.backends.generic import GenericBackend

# URL scheme or Airflow conn_type -> SQLAlchemy dialect, for the databases ddtui reads.
SCHEME_DIALECTS = {
    "postgres": "postgresql",  # Airflow's spelling; SQLAlchemy knows only postgresql
    "postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "duckdb": "duckdb",
    "mssql": "mssql",
    "oracle": "oracle",
    "snowflake": "snowflake",
    "trino": "trino",
}
# Schemes Airflow writes that SQLAlchemy spells differently.
_SQLALCHEMY_SCHEMES = {"postgres": "postgresql"}
# Dialect -> "module:class" of the backend that knows it; any other dialect gets the generic
# backend. Named, not imported: a backend module is imported when its dialect is first asked
# for, so reading a SQLite metastore never loads SQLAlchemy's PostgreSQL dialect (~35 ms).
_BACKENDS: dict[str, str] = {
    "postgresql": "ddtui.backends.postgresql:PostgreSQLBackend",
    "mysql": "ddtui.backends.mysql:MySQLBackend",
    "mariadb": "ddtui.backends.mysql:MySQLBackend",
    "sqlite": "ddtui.backends.sqlite:SQLiteBackend",
    "duckdb": "ddtui.backends.duckdb:DuckDBBackend",
    "snowflake": "ddtui.backends.warehouses:SnowflakeBackend",
    "bigquery": "ddtui.backends.warehouses:BigQueryBackend",
    "trino": "ddtui.backends.warehouses:TrinoBackend",
    "databricks": "ddtui.backends.warehouses:DatabricksBackend",
    "redshift": "ddtui.backends.warehouses:RedshiftBackend",
}

Source = sa.Engine | sa.Connection | sa.Dialect | URL | str


def dialect_for_scheme(scheme: str) -> str | None:
    """The SQLAlchemy dialect of a URL scheme or conn_type (`postgres+psycopg2` -> postgresql);
    None for schemes ddtui does not read."""
    return SCHEME_DIALECTS.get(scheme.lower().split("+", 1)[0])


def sqlalchemy_url(url: URL) -> URL:
    """`url` with the scheme SQLAlchemy knows (`postgres+psycopg2://` -> `postgresql+...`)."""
    scheme, plus, driver = url.drivername.partition("+")
    if scheme not in _SQLALCHEMY_SCHEMES:
        return url
    return url.set(drivername=f"{_SQLALCHEMY_SCHEMES[scheme]}{plus}{driver}")


def known_backend(scheme: str) -> Backend | None:
    """The dedicated backend of a URL scheme (`mariadb+pymysql` -> MySQL), None if it has none."""
    dialect = dialect_for_scheme(scheme)
    return _backend(dialect) if dialect in _BACKENDS else None


def backend_for(source: Source) -> Backend:
    """The backend of an engine, connection, dialect, URL or URL text."""
    if isinstance(source, sa.Engine | sa.Connection):
        source = source.dialect
    if isinstance(source, sa.Dialect):
        return _backend(source.name)
    if isinstance(source, str):
        try:
            url = make_url(source)
        except (ArgumentError, ValueError):  # a scheme or dialect name alone
            return _backend(dialect_for_scheme(source) or source)
    else:
        url = source
    scheme = url.drivername
    return _backend(dialect_for_scheme(scheme) or scheme.split("+", 1)[0])


@functools.cache
def _backend(dialect: str) -> Backend:
    return _backend_class(dialect)(dialect)


def _backend_class(dialect: str) -> type[Backend]:
    where = _BACKENDS.get(dialect)
    if where is None:
        return GenericBackend
    module, _, name = where.partition(":")
    backend: type[Backend] = getattr(importlib.import_module(module), name)
    return backend
