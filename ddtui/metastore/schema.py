"""Which Airflow schema a metastore has, and the tables ddtui reads, per version.

Tables are declared by hand (only the columns we read) rather than reflected: reflection
costs a round trip per table, and a declaration lets SQLAlchemy quote every identifier.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from ddtui.errors import MetastoreError
from ddtui.metastore.revisions import AIRFLOW_VERSION_BY_REVISION

_metadata = sa.MetaData()


@dataclass(frozen=True)
class UnreadableJSON:
    """A JSON column value that does not decode (truncated, hand-edited, pickled bytes)."""

    error: str


class LenientJSON(sa.types.TypeDecorator[Any]):
    """JSON whose damaged values read as `UnreadableJSON` instead of failing the whole query."""

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        # PostgreSQL only stores valid JSON, and its drivers or SQLAlchemy decode it; elsewhere
        # the value comes back as text and is decoded here, where a failure can be kept.
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.JSON())
        return dialect.type_descriptor(sa.Text())

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if dialect.name == "postgresql" or not isinstance(value, str | bytes | bytearray):
            return value
        try:
            return json.loads(value)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
            return UnreadableJSON(str(exc) or type(exc).__name__)


class LenientDateTime(sa.types.TypeDecorator[Any]):
    """A timestamp; one that does not parse (SQLite keeps any text) reads as unknown (None)."""

    impl = sa.DateTime
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        parse = dialect.type_descriptor(self.impl_instance).result_processor(dialect, coltype)
        if parse is None:  # the driver hands back datetimes itself
            return None

        def lenient(value: Any) -> Any:
            try:
                return parse(value)
            except (ValueError, TypeError):
                return None

        return lenient


alembic_version = sa.Table("alembic_version", _metadata, sa.Column("version_num", sa.String))

dag = sa.Table(
    "dag",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("dag_display_name", sa.String),
    sa.Column("is_paused", sa.Boolean),
    sa.Column("is_stale", sa.Boolean),
    sa.Column("owners", sa.String),
    sa.Column("timetable_summary", sa.String),
    sa.Column("timetable_description", sa.String),
    sa.Column("fileloc", sa.String),
    sa.Column("relative_fileloc", sa.String),
)

dag_tag = sa.Table(
    "dag_tag", _metadata, sa.Column("name", sa.String), sa.Column("dag_id", sa.String)
)

dag_run = sa.Table(
    "dag_run",
    _metadata,
    sa.Column("id", sa.Integer),
    sa.Column("dag_id", sa.String),
    sa.Column("run_id", sa.String),
    sa.Column("state", sa.String),
    sa.Column("run_type", sa.String),
    sa.Column("logical_date", LenientDateTime),
    sa.Column("run_after", LenientDateTime),
    sa.Column("start_date", LenientDateTime),
    sa.Column("end_date", LenientDateTime),
)

task_instance = sa.Table(
    "task_instance",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("run_id", sa.String),
    sa.Column("task_id", sa.String),
    sa.Column("map_index", sa.Integer),
    sa.Column("state", sa.String),
    sa.Column("try_number", sa.Integer),
    sa.Column("start_date", LenientDateTime),
    sa.Column("end_date", LenientDateTime),
    sa.Column("duration", sa.Float),
    sa.Column("operator", sa.String),
    sa.Column("custom_operator_name", sa.String),
)

xcom = sa.Table(
    "xcom",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("run_id", sa.String),
    sa.Column("task_id", sa.String),
    sa.Column("map_index", sa.Integer),
    sa.Column("key", sa.String),
    sa.Column("value", LenientJSON),  # JSON in Airflow 3; Airflow 2 stores bytes (see flavours)
)

rendered_task_instance_fields = sa.Table(
    "rendered_task_instance_fields",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("run_id", sa.String),
    sa.Column("task_id", sa.String),
    sa.Column("map_index", sa.Integer),
    sa.Column("rendered_fields", LenientJSON),
)

serialized_dag = sa.Table(
    "serialized_dag",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("data", LenientJSON),
    sa.Column("data_compressed", sa.LargeBinary),
    sa.Column("created_at", LenientDateTime),
    sa.Column("last_updated", LenientDateTime),
    sa.Column("dag_version_id", sa.String),
)

dag_version = sa.Table(
    "dag_version",
    _metadata,
    sa.Column("id", sa.String),
    sa.Column("version_number", sa.Integer),
)

# Task logs: earlier tries of a task instance, and the log filename template of each run.
task_instance_history = sa.Table(
    "task_instance_history",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("run_id", sa.String),
    sa.Column("task_id", sa.String),
    sa.Column("map_index", sa.Integer),
    sa.Column("try_number", sa.Integer),
    sa.Column("state", sa.String),
    sa.Column("start_date", LenientDateTime),
    sa.Column("end_date", LenientDateTime),
    sa.Column("hostname", sa.String),
)

log_template = sa.Table(
    "log_template", _metadata, sa.Column("id", sa.Integer), sa.Column("filename", sa.String)
)

dag_run_log_template = sa.Table(
    "dag_run",
    sa.MetaData(),  # a second declaration of dag_run, with only what task logs need
    sa.Column("dag_id", sa.String),
    sa.Column("run_id", sa.String),
    sa.Column("log_template_id", sa.Integer),
)

asset = sa.Table(
    "asset",
    _metadata,
    sa.Column("id", sa.Integer),
    sa.Column("uri", sa.String),
    sa.Column("name", sa.String),
)

task_outlet_asset_reference = sa.Table(
    "task_outlet_asset_reference",
    _metadata,
    sa.Column("asset_id", sa.Integer),
    sa.Column("dag_id", sa.String),
    sa.Column("task_id", sa.String),
)


@dataclass(frozen=True)
class SchemaFlavor:
    """What differs between Airflow versions, kept in one place.

    Airflow 2.9-2.11 will add a flavour: `execution_date` for `logical_date`, `is_active`
    for `not is_stale`, `schedule_interval`, `dataset` tables, xcom values as bytes.
    """

    name: str
    major: int


AIRFLOW_3 = SchemaFlavor("airflow3", 3)


@dataclass(frozen=True)
class DetectedSchema:
    revision: str
    airflow_version: str
    flavor: SchemaFlavor


def detect_schema(conn: Connection, masked_url: str) -> DetectedSchema:
    """Read `alembic_version` and the tables present; refuse what we cannot read correctly."""
    tables = set(sa.inspect(conn).get_table_names())
    if "alembic_version" not in tables or "dag" not in tables:
        raise MetastoreError(
            f"{masked_url} is not an Airflow metastore (no alembic_version/dag tables); "
            "point --metastore or AIRFLOW_HOME at one, or run `airflow db migrate`"
        )
    revision = conn.execute(sa.select(alembic_version.c.version_num)).scalar() or "?"
    known = AIRFLOW_VERSION_BY_REVISION.get(revision)
    if "dag_version" in tables and "asset" in tables:
        version = f"{known}+" if known else "3.x"
        return DetectedSchema(revision, version, AIRFLOW_3)
    if "dataset" in tables or (known and known.startswith("2.")):
        raise MetastoreError(
            f"{masked_url} is an Airflow {known or '2.x'} metastore (alembic {revision}); "
            "ddtui supports Airflow 3 metastores for now"
        )
    raise MetastoreError(
        f"{masked_url}: unsupported Airflow schema (alembic {revision}); "
        "ddtui supports Airflow 3 metastores"
    )
