"""The data sources the user configured, and whether a URI found in metastore data names one.

A URI in an XCom or an asset is written by DAG code, so it is only a *reference*: ddtui
connects to a server only when the reference matches a source the user configured (by
scheme family, host, port and database) and then uses that source's own URL and
credentials. SQLite references are opened only under the directories of configured SQLite
data URLs or paths the user named. Deciding touches neither the network nor, for paths
outside those directories, the file system.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ddtui.backends import backend_for, known_backend

# Origins of configured sources (shown to users as "read from ...").
METASTORE_ORIGIN = "the metastore"
ALLOW_SOURCE_OPTION = "--allow-source"
ALLOW_SOURCES_ENV = "DDTUI_ALLOW_SOURCES"

# `scheme://user:password@`: the password part, in any text (reasons, errors, XCom values).
# Up to the authority's last "@", as urlsplit reads it: a password may hold a raw "@".
_PASSWORD_IN_URI = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@'\"]*:)[^\s/?#'\"]*@")


def mask_uri_passwords(text: str) -> str:
    """`text` with the password of every `scheme://user:password@host` in it replaced by ***."""
    return _PASSWORD_IN_URI.sub(r"\1***@", text)


def server_family(scheme: str) -> str | None:
    """The backend of a server database's URL scheme (`postgres`, `mariadb+pymysql` ->
    postgresql, mysql); None for files (SQLite) and databases ddtui has no backend for."""
    backend = known_backend(scheme)
    if backend is None or backend.default_port is None:
        return None
    return backend.name


@dataclass(frozen=True)
class ServerKey:
    """What makes two server URLs the same database: scheme family, host, port, database."""

    family: str
    host: str
    port: int
    database: str

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.family}://{host}:{self.port}/{self.database}"


def server_key(family: str, host: str | None, port: int | None, database: str | None) -> ServerKey:
    # Hosts are compared as written (case aside): localhost, 127.0.0.1 and ::1 may be different
    # servers (a tunnel on one, a local server on another), so none stands in for another.
    default_port = backend_for(family).default_port or 0
    return ServerKey(family, (host or "").lower(), port or default_port, database or "")


@dataclass(frozen=True)
class ConfiguredSource:
    """A database the user configured: its URL (credentials included) and where it came from."""

    url: str
    origin: str  # --data-url, --data-conn ID, AIRFLOW_CONN_<ID>, DDTUI_DATA_URL, ...

    @cached_property
    def server(self) -> ServerKey | None:
        """The server database it names, or None for SQLite, paths and unparseable URLs."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        if "://" not in self.url:
            return None
        try:
            parsed = make_url(self.url)
        except (ArgumentError, ValueError):
            return None
        family = server_family(parsed.drivername)
        if family is None:
            return None
        return server_key(family, parsed.host, parsed.port, parsed.database)

    @property
    def sqlite_path(self) -> str | None:
        """The absolute file (or directory) path of a SQLite URL or a plain path, else None."""
        url = self.url.strip()
        if url.startswith("/"):
            return posixpath.normpath(url)
        backend = known_backend(url.split(":", 1)[0])
        path = backend.file_path(url) if backend is not None else None
        if path is None:
            return None
        return posixpath.normpath(Path(path).expanduser().absolute().as_posix())


@dataclass(frozen=True)
class ConfiguredSources:
    """All data sources the user configured, in the order a match is looked for."""

    entries: tuple[ConfiguredSource, ...] = ()

    def server_for(self, key: ServerKey) -> ConfiguredSource | None:
        """The first configured source for the same server database, or None."""
        return next((s for s in self.entries if s.server == key), None)

    def sqlite_roots(self) -> list[tuple[str, ConfiguredSource, bool]]:
        """(path, source, is_directory): where SQLite references may point.

        A data URL allows its directory; a path the user named allows itself (a directory
        allows what is under it). The metastore allows only its own file: its directory is
        AIRFLOW_HOME, which holds more than databases.
        """
        roots = []
        for source in self.entries:
            path = source.sqlite_path
            if path is None:
                continue
            if source.origin == METASTORE_ORIGIN:
                roots.append((path, source, False))
            elif source.origin.startswith(ALLOW_SOURCE_OPTION) or source.origin == (
                ALLOW_SOURCES_ENV
            ):
                roots.append((path, source, Path(path).is_dir()))
            else:
                roots.append((posixpath.dirname(path), source, True))
        return roots

    def sqlite_file_allowed(self, path: str) -> ConfiguredSource | None:
        """The source that allows the SQLite file `path` (absolute, normalised), or None.

        First by the path as written, without touching the file system, then once more with
        symlinks resolved on both sides, so a link inside an allowed directory cannot point
        outside it.
        """
        roots = self.sqlite_roots()
        if not any(_under(path, root, is_dir) for root, _, is_dir in roots):
            return None
        real = os.path.realpath(path)
        for root, source, is_dir in roots:
            if _under(real, os.path.realpath(root), is_dir):
                return source
        return None


def _under(path: str, root: str, is_dir: bool) -> bool:
    if not is_dir:
        return path == root
    return path == root or path.startswith(root.rstrip("/") + "/")


@dataclass(frozen=True)
class ServerReference:
    """`postgres://host:port/db/schema/table` or `mysql://host:port/db/table`, parsed."""

    key: ServerKey
    schema: str | None
    table: str
    shown: str  # the server part as written, password masked (for reasons)


@dataclass(frozen=True)
class SqliteReference:
    """`sqlite:////dir/file.db/table` (or `.../file.db/schema/table`), as path segments."""

    segments: tuple[str, ...]


def parse_reference(uri: str) -> ServerReference | SqliteReference | None:
    """A reference to an SQL table, or None when `uri` is not one."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:  # a port that is not a number, an unbalanced [ in the host
        return None
    backend = known_backend(parts.scheme)
    if backend is None or backend.reference_path is None or "+" in parts.scheme:
        return None
    segments = [unquote(p) for p in parts.path.split("/") if p]
    if not backend.reference_path:  # a file's path, then the table
        # Airflow normalises sqlite:////abs/f.db/t to sqlite://abs/f.db/t: the "host" is a dir.
        if "@" in parts.netloc:  # user:password@ means nothing to SQLite: not a path we know
            return None
        if parts.netloc:
            segments.insert(0, unquote(parts.netloc))
        return SqliteReference(tuple(segments)) if len(segments) >= 2 else None
    if len(segments) != len(backend.reference_path):
        return None
    named = dict(zip(backend.reference_path, segments, strict=True))
    database, schema, table = named["database"], named.get("schema"), named["table"]
    key = server_key(backend.name, parts.hostname, port, database)
    shown = mask_uri_passwords(f"{parts.scheme}://{parts.netloc}/{parts.path.split('/')[1]}")
    return ServerReference(key, schema, table, shown)


def not_configured(shown: str) -> str:
    """The reason a reference is not opened."""
    return (
        f"{shown} is not a configured data source: "
        f"allow it with {ALLOW_SOURCE_OPTION} URL or {ALLOW_SOURCES_ENV}"
    )
