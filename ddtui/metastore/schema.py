"""Column types for metastore values, and the tables every Airflow generation shares.

What differs between Airflow 2 and 3 is in `ddtui.metastore.generations`. Tables are
declared by hand (only the columns we read) rather than reflected: reflection costs a
round trip per table, and a declaration lets SQLAlchemy quote every identifier.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from ddtui.backends import backend_for

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
        if backend_for(dialect).capabilities.decodes_json:
            return dialect.type_descriptor(sa.JSON())
        return dialect.type_descriptor(sa.Text())

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        # Chosen once per statement, not per row: the backend is asked here only.
        driver_value = self.impl_instance.result_processor(dialect, coltype)
        if backend_for(dialect).capabilities.decodes_json:
            return driver_value

        def decode(value: Any) -> Any:
            if driver_value is not None:
                value = driver_value(value)
            if not isinstance(value, str | bytes | bytearray):
                return value
            try:
                return json.loads(value)
            except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
                return UnreadableJSON(str(exc) or type(exc).__name__)

        return decode


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

dag_tag = sa.Table(
    "dag_tag", _metadata, sa.Column("name", sa.String), sa.Column("dag_id", sa.String)
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

rendered_task_instance_fields = sa.Table(
    "rendered_task_instance_fields",
    _metadata,
    sa.Column("dag_id", sa.String),
    sa.Column("run_id", sa.String),
    sa.Column("task_id", sa.String),
    sa.Column("map_index", sa.Integer),
    sa.Column("rendered_fields", LenientJSON),
)

# Task logs: the log filename template of each run.
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
