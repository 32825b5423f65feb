"""Which table a task wrote: XCom return value, then `output_table`, then an SQL outlet."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from ddtui.backends import known_backend
from ddtui.config.settings import DataSettings
from ddtui.config.sources import (
    SqliteReference,
    mask_uri_passwords,
    not_configured,
    parse_reference,
)
from ddtui.metastore.models import Outlet, RunDetail, TaskNode
from ddtui.outputs.table_slice import InvalidSliceError, TableSlice

OutputSource = Literal["xcom", "output_table", "outlet"]

# A table name, optionally schema-qualified; quoting happens later, through SQLAlchemy.
_TABLE_NAME = re.compile(r"^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?$")
NO_DATA_SOURCE = (
    "no data source configured for bare table names: "
    "pass --data-url URL or --data-conn ID, set DDTUI_DATA_URL or DDTUI_DATA_CONN, "
    "or name an Airflow connection in the task (conn_id)"
)
CONNECTION_PREFIX = "Airflow connection"
# A table reference returned as JSON text is short; longer text is data, not decoded.
MAX_JSON_TEXT = 10_000


@dataclass(frozen=True)
class OutputRef:
    """A task's output table and where the answer came from, or why there is none."""

    table: str | None
    schema: str | None
    source: OutputSource | None
    data_url: str | None  # SQLAlchemy URL of the database holding the table
    data_source: str  # where data_url came from (shown to users)
    reason: str  # human text: how it was found, or why nothing was
    partition: TableSlice | None = None  # the run's slice of a table appended to every run

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
    def shown_name(self) -> str:
        """`events [ds=2024-01-01]` for a partition, else the qualified name."""
        if self.partition is None:
            return self.qualified_name
        return f"{self.qualified_name} [{self.partition.label}]"

    @property
    def label(self) -> str:
        return f"{self.shown_name} · {self.source}" if self.found else ""

    def same_rows(self, other: OutputRef) -> bool:
        """Whether both name the same rows: the same table and the same partition (or none)."""
        mine = (self.data_url, self.schema, self.table, self.partition)
        return mine == (other.data_url, other.schema, other.table, other.partition)


def resolve_output(task: TaskNode, run: RunDetail | None, data: DataSettings) -> OutputRef:
    """The first of: the run's XCom return value, the `output_table` attribute, an outlet."""
    ref = _resolve(task, run, data)
    # URIs in metastore data may carry passwords: none reaches a reason shown anywhere.
    return replace(ref, reason=mask_uri_passwords(ref.reason))


def read_from(origin: str) -> str:
    """`read through Airflow connection `x` (metastore)` or `read from --data-url`."""
    return f"read {'through' if origin.startswith(CONNECTION_PREFIX) else 'from'} {origin}"


def task_connection_ids(task: TaskNode, run: RunDetail | None) -> list[str]:
    """The connection ids a task names in `conn_id` or `*_conn_id` fields, rendered first."""
    rendered = (run.rendered_fields.get(task.task_id) or {}) if run else {}
    found: list[str] = []
    for fields in (rendered, task.template_fields):
        for name, value in fields.items():
            is_conn = name == "conn_id" or name.endswith("_conn_id")
            if is_conn and isinstance(value, str) and value.strip() and "{{" not in value:
                found.append(value.strip())
    return list(dict.fromkeys(found))


def data_for_task(task: TaskNode, run: RunDetail | None, data: DataSettings) -> DataSettings:
    """Where the task's bare table names live: the user's source, else the task's own
    connection, else the default connection ([ddtui] data_conn, DDTUI_DATA_CONN)."""
    if data.url is not None or data.connections is None:
        return data
    for conn_id in task_connection_ids(task, run):
        conn = data.connections.find(conn_id)
        if conn is not None and conn.dialect is not None:
            return replace(data, url=conn.url(), source=conn.shown)
    default = data.connections.default_conn()
    if default is None:
        return data
    conn = data.connections.get(default[0])
    return replace(data, url=conn.url(), source=f"{conn.shown}, the default from {default[1]}")


def _resolve(task: TaskNode, run: RunDetail | None, data: DataSettings) -> OutputRef:
    tried: list[str] = []
    data = data_for_task(task, run, data)
    if run is not None:
        ref = _from_xcom(task, run, data, tried)
        if ref:
            return ref
    ref = _from_attribute(task, run, data, tried)
    if ref:
        return _noting_unread_xcom(ref, task, run)
    for outlet in task.outlets:
        ref = _from_outlet(outlet, data)
        if ref:
            return _noting_unread_xcom(ref, task, run)
        tried.append(f"outlet {outlet.uri!r} is not an SQL table URI")
    if not task.outlets:
        tried.append("no outlets")
    return OutputRef(None, None, None, None, "", "no output table: " + "; ".join(tried))


def _noting_unread_xcom(ref: OutputRef, task: TaskNode, run: RunDetail | None) -> OutputRef:
    """Say why the task's XCom was passed over (a pickle) when another way found the table."""
    notes = [x.note for x in (run.return_values if run else ()) if x.task_id == task.task_id]
    if not notes or not notes[0]:
        return ref
    return replace(ref, reason=f"{ref.reason} ({notes[0]})")


def _from_xcom(
    task: TaskNode, run: RunDetail, data: DataSettings, tried: list[str]
) -> OutputRef | None:
    values = [x for x in run.return_values if x.task_id == task.task_id]
    if not values:
        tried.append("no XCom return value in this run")
        return None
    if values[0].note:  # e.g. a pickle, which ddtui never unpickles
        tried.append(values[0].note)
        return None
    value = _json_object(values[0].value)
    extra = f" (first of {len(values)} mapped)" if len(values) > 1 else ""
    note = ""
    if isinstance(value, str):
        ref, note = _from_name(value, "xcom", data, f"XCom return_value {value!r}{extra}")
        if ref:
            # A table named in XCom, its partition by the attribute (as Airflow rendered it).
            partition, why = _partition_attribute(task, run)
            if why:
                tried.append(why)
                return None
            if partition is None:
                return ref
            how = f"{ref.reason}, output_partition {partition.label}"
            return replace(ref, partition=partition, reason=how)
    elif isinstance(value, dict) and "table" in value:
        ref, note = _from_table_object(value, data, f"XCom return_value{extra}")
        if ref:
            return ref
    tried.append(_names_no_table(f"XCom return value {_short(value)}", note))
    return None


def _json_object(value: object) -> object:
    """A JSON object a task returned as text (`json.dumps(...)`) as a dict; else the value."""
    if isinstance(value, str) and value.lstrip().startswith("{") and len(value) <= MAX_JSON_TEXT:
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return decoded if isinstance(decoded, dict) else value
    return value


def _from_table_object(
    value: dict[str, object], data: DataSettings, how: str
) -> tuple[OutputRef | None, str]:
    """`{"table": "events", "schema": "sales", "partition": {"ds": "2024-01-01"}}`."""
    table, schema = value.get("table"), value.get("schema")
    if not isinstance(table, str) or not table.strip():
        return None, "its table is not a name"
    if schema is not None and (not isinstance(schema, str) or not schema.strip()):
        return None, "its schema is not a name"
    partition = None
    if value.get("partition") is not None:
        try:
            partition = TableSlice.from_mapping(value["partition"])
        except InvalidSliceError as exc:
            return None, str(exc)
    name = f"{schema.strip()}.{table.strip()}" if schema else table.strip()
    shown = f"{name!r}" + (f" partition {partition.label}" if partition else "")
    ref, note = _from_name(name, "xcom", data, f"{how} names {shown}")
    if ref is not None and schema and ref.table != table.strip():
        # `_from_name` split a dotted table name differently: keep what the task said.
        ref = replace(ref, table=table.strip(), schema=schema.strip())
    return (replace(ref, partition=partition) if ref else None), note


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
        name = rendered
    elif "{{" in template or "{%" in template:
        tried.append(f"output_table {template!r} is a template with no rendered value for this run")
        return None
    else:
        how, name = f"output_table attribute {template!r}", template
    partition, why = _partition_attribute(task, run)
    if why:
        tried.append(why)
        return None
    if partition is not None:
        how += f", output_partition {partition.label}"
    ref, note = _from_name(name, "output_table", data, how)
    if ref is None:
        tried.append(_names_no_table(f"output_table {_short(name)}", note))
        return None
    return replace(ref, partition=partition)


def _partition_attribute(task: TaskNode, run: RunDetail | None) -> tuple[TableSlice | None, str]:
    """The task's `output_partition`, rendered for the run; or why it cannot be used."""
    template = task.template_fields.get("output_partition")
    if template is None:
        return None, ""
    rendered = (
        (run.rendered_fields.get(task.task_id) or {}).get("output_partition") if run else None
    )
    value = rendered if rendered is not None else template
    if rendered is None and _has_template(template):
        why = "is a template with no rendered value for this run"
        return None, f"output_partition {_short(template)} {why}"
    try:
        return TableSlice.from_mapping(value), ""
    except InvalidSliceError as exc:
        return None, f"output_partition {_short(value)} is not a partition ({exc})"


def _has_template(value: object) -> bool:
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(_has_template(v) for v in value.values())
    return False


def _names_no_table(what: str, note: str) -> str:
    return f"{what} names no table" + (f" ({note})" if note else "")


def _from_name(
    name: str, source: OutputSource, data: DataSettings, how: str
) -> tuple[OutputRef | None, str]:
    """The table a string names, or None and a note on why it names none."""
    name = name.strip()
    if "://" in name or (":" in name and known_backend(name.split(":", 1)[0]) is not None):
        return _from_uri(name, source, data, how), ""
    if _TABLE_NAME.match(name):
        schema, _, table = name.rpartition(".")
    elif data.url is None:
        return None, ""
    else:
        # Not a plain identifier: a table only when the data source has one of that name.
        found, note = data.tables.find(data.url, name)
        if found is None:
            return None, note
        schema, table = found[0] or "", found[1]
    if data.url is None:
        return OutputRef(table, schema or None, source, None, "", f"{how}; {NO_DATA_SOURCE}"), ""
    ref = OutputRef(
        table, schema or None, source, data.url, data.source, f"{how}, {read_from(data.source)}"
    )
    return ref, ""


def _from_outlet(outlet: Outlet, data: DataSettings) -> OutputRef | None:
    # Airflow normalises asset URIs (sqlite:///a -> sqlite:/a); the name keeps what was written.
    for candidate in dict.fromkeys((outlet.name, outlet.uri)):
        ref = _from_uri(candidate, "outlet", data, f"outlet asset {candidate!r}")
        if ref:
            return ref
    return None


def _from_uri(uri: str, source: OutputSource, data: DataSettings, how: str) -> OutputRef | None:
    """Map `postgres://host:port/db/schema/table`, `mysql://host/db/table`, `sqlite:///f.db/t`
    to a configured source; a URI that names none is found but not read (never connected to)."""
    reference = parse_reference(uri)
    if reference is None:
        return None
    if isinstance(reference, SqliteReference):
        return _from_sqlite(reference.segments, source, data, how)
    table, schema = reference.table, reference.schema
    configured = data.configured.server_for(reference.key)
    if configured is None and data.connections is not None:
        # A connection in Airflow's store is configured: read with its own credentials.
        matches = [c for c in data.connections.sql_connections() if c.server == reference.key]
        if len(matches) == 1:
            conn = matches[0]
            reason = f"{how}, {read_from(conn.shown)}"
            return OutputRef(table, schema, source, conn.url(), conn.shown, reason)
        if matches:
            ids = ", ".join(sorted(c.conn_id for c in matches))
            why = f"{reference.shown} matches several Airflow connections ({ids}): pass --data-conn"
            return OutputRef(table, schema, source, None, "", f"{how}: {why}")
    if configured is None:
        why = not_configured(reference.shown)
        return OutputRef(table, schema, source, None, "", f"{how}: {why}")
    # The configured URL, not the reference: its driver, user, password and options. libpq may
    # still fill a missing password from PGPASSWORD or ~/.pgpass; we leave that as it is (a
    # user's own --data-url often relies on .pgpass), since only hosts the user configured get
    # here: a reference that names none is never handed to a driver at all.
    reason = f"{how}, {read_from(configured.origin)}"
    return OutputRef(table, schema, source, configured.url, configured.origin, reason)


def _from_sqlite(
    segments: tuple[str, ...], source: OutputSource, data: DataSettings, how: str
) -> OutputRef:
    # The database file is the longest leading path that is an allowed file; paths outside the
    # allowed directories are decided on by name alone, never probed.
    configured = data.configured
    for cut in range(len(segments) - 1, max(len(segments) - 3, 0), -1):
        path = posixpath.normpath("/" + "/".join(segments[:cut]))
        allowed = configured.sqlite_file_allowed(path)
        if allowed is not None and Path(path).is_file():
            rest = segments[cut:]
            url = f"sqlite:///{Path(path).resolve().as_posix()}"
            schema = rest[0] if len(rest) == 2 else None
            reason = f"{how}, read from {allowed.origin}"
            return OutputRef(rest[-1], schema, source, url, allowed.origin, reason)
    path = posixpath.normpath("/" + "/".join(segments[:-1]))
    if configured.sqlite_file_allowed(path) is not None:
        why = f"no SQLite database file at {path}"
    else:
        why = not_configured(f"sqlite:///{path}")
    return OutputRef(segments[-1], None, source, None, "", f"{how}: {why}")


def _short(value: object, limit: int = 40) -> str:
    text = mask_uri_passwords(repr(value))  # before cutting: a cut URI would hide its "@"
    return text if len(text) <= limit else text[: limit - 1] + "…"
