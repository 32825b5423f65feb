"""Which table a task wrote: XCom return value, then `output_table`, then an SQL outlet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from ddtui.metastore.models import Outlet, RunDetail, TaskNode
from ddtui.settings import DataSettings

OutputSource = Literal["xcom", "output_table", "outlet"]

# A table name, optionally schema-qualified; quoting happens later, through SQLAlchemy.
_TABLE_NAME = re.compile(r"^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?$")
_SQL_SCHEMES = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
}
NO_DATA_SOURCE = (
    "no data source configured for bare table names: "
    "pass --data-url URL or --data-conn ID, or set DDTUI_DATA_URL"
)


@dataclass(frozen=True)
class OutputRef:
    """A task's output table and where the answer came from, or why there is none."""

    table: str | None
    schema: str | None
    source: OutputSource | None
    data_url: str | None  # SQLAlchemy URL of the database holding the table
    data_source: str  # where data_url came from (shown to users)
    reason: str  # human text: how it was found, or why nothing was

    @property
    def found(self) -> bool:
        return self.table is not None

    @property
    def readable(self) -> bool:
        return self.table is not None and self.data_url is not None

    @property
    def qualified_name(self) -> str:
        if self.table is None:
            return ""
        return f"{self.schema}.{self.table}" if self.schema else self.table

    @property
    def label(self) -> str:
        return f"{self.qualified_name} · {self.source}" if self.found else ""


def resolve_output(task: TaskNode, run: RunDetail | None, data: DataSettings) -> OutputRef:
    """The first of: the run's XCom return value, the `output_table` attribute, an outlet."""
    tried: list[str] = []
    if run is not None:
        ref = _from_xcom(task, run, data, tried)
        if ref:
            return ref
    ref = _from_attribute(task, run, data, tried)
    if ref:
        return ref
    for outlet in task.outlets:
        ref = _from_outlet(outlet, data)
        if ref:
            return ref
        tried.append(f"outlet {outlet.uri!r} is not an SQL table URI")
    if not task.outlets:
        tried.append("no outlets")
    return OutputRef(None, None, None, None, "", "no output table: " + "; ".join(tried))


def _from_xcom(
    task: TaskNode, run: RunDetail, data: DataSettings, tried: list[str]
) -> OutputRef | None:
    values = [x for x in run.return_values if x.task_id == task.task_id]
    if not values:
        tried.append("no XCom return value in this run")
        return None
    value = values[0].value
    extra = f" (first of {len(values)} mapped)" if len(values) > 1 else ""
    if isinstance(value, str):
        ref = _from_name(value, "xcom", data, f"XCom return_value {value!r}{extra}")
        if ref:
            return ref
    tried.append(f"XCom return value {_short(value)} names no table")
    return None


def _from_attribute(
    task: TaskNode, run: RunDetail | None, data: DataSettings, tried: list[str]
) -> OutputRef | None:
    template = task.output_table_attr
    if template is None:
        tried.append("no output_table attribute")
        return None
    rendered = (run.rendered_fields.get(task.task_id) or {}).get("output_table") if run else None
    if isinstance(rendered, str) and rendered:
        how = f"output_table {template!r} rendered for this run as {rendered!r}"
        return _from_name(rendered, "output_table", data, how)
    if "{{" in template or "{%" in template:
        tried.append(f"output_table {template!r} is a template with no rendered value for this run")
        return None
    return _from_name(template, "output_table", data, f"output_table attribute {template!r}")


def _from_name(name: str, source: OutputSource, data: DataSettings, how: str) -> OutputRef | None:
    name = name.strip()
    if "://" in name or name.startswith("sqlite:"):
        return _from_uri(name, source, how)
    if not _TABLE_NAME.match(name):
        return None
    schema, _, table = name.rpartition(".")
    if data.url is None:
        return OutputRef(table, schema or None, source, None, "", f"{how}; {NO_DATA_SOURCE}")
    return OutputRef(
        table, schema or None, source, data.url, data.source, f"{how}, read from {data.source}"
    )


def _from_outlet(outlet: Outlet, data: DataSettings) -> OutputRef | None:
    # Airflow normalises asset URIs (sqlite:///a -> sqlite:/a); the name keeps what was written.
    for candidate in dict.fromkeys((outlet.name, outlet.uri)):
        ref = _from_uri(candidate, "outlet", f"outlet asset {candidate!r}")
        if ref:
            return ref
    return None


def _from_uri(uri: str, source: OutputSource, how: str) -> OutputRef | None:
    """Map `postgres://host:port/db/schema/table`, `mysql://host/db/table`, `sqlite:///f.db/t`."""
    parts = urlsplit(uri)
    dialect = _SQL_SCHEMES.get(parts.scheme.lower())
    if dialect is None:
        return None
    segments = [unquote(p) for p in parts.path.split("/") if p]
    if dialect == "sqlite":
        # Airflow normalises sqlite:////abs/f.db/t to sqlite://abs/f.db/t: the "host" is a dir.
        if parts.netloc:
            segments.insert(0, unquote(parts.netloc))
        return _from_sqlite_path(segments, source, how)
    netloc = parts.netloc
    if dialect == "postgresql" and len(segments) == 3:
        database, schema, table = segments
    elif dialect == "mysql" and len(segments) == 2:
        (database, table), schema = segments, None
    else:
        return None
    url = f"{dialect}://{netloc}/{database}"
    return OutputRef(table, schema, source, url, "the asset URI", f"{how}, read from {url}")


def _from_sqlite_path(segments: list[str], source: OutputSource, how: str) -> OutputRef | None:
    # The database file is the longest leading path that exists as a file.
    for cut in range(len(segments) - 1, 0, -1):
        path = Path("/", *segments[:cut])
        rest = segments[cut:]
        if path.is_file() and 1 <= len(rest) <= 2:
            schema = rest[0] if len(rest) == 2 else None
            url = f"sqlite:///{path.as_posix()}"
            return OutputRef(
                rest[-1], schema, source, url, "the asset URI", f"{how}, read from {url}"
            )
    return None


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
