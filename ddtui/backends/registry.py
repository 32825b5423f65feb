"""The one map from URL schemes and Airflow connection types to dialects and backends."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ddtui.backends.base import Backend
from ddtui.backends.duckdb import DuckDBBackend
from ddtui.backends.generic import GenericBackend
from ddtui.backends.mysql import MySQLBackend
from ddtui.backends.postgresql import PostgreSQLBackend
from ddtui.backends.sqlite import SQLiteBackend
from ddtui.backends.warehouses import WAREHOUSE_BACKENDS

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
# Dialect -> the backend that knows it; any other dialect gets the generic backend.
_BACKENDS: dict[str, type[Backend]] = {
    "postgresql": PostgreSQLBackend,
    "mysql": MySQLBackend,
    "mariadb": MySQLBackend,
    "sqlite": SQLiteBackend,
    "duckdb": DuckDBBackend,
    **WAREHOUSE_BACKENDS,
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
    return _BACKENDS.get(dialect, GenericBackend)(dialect)
