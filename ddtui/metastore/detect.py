"""Which generation of Airflow metastore a database holds, and its Airflow version.

A known alembic revision names its releases. An unknown one (a newer Airflow, or one
older than 2.9) is read only when every table and column ddtui reads is there, with a
notice; otherwise it is refused with the version seen and what ddtui reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ddtui.errors import MetastoreError
from ddtui.metastore import schema as s
from ddtui.metastore.generations import Generation
from ddtui.metastore.revisions import AIRFLOW_VERSION_BY_REVISION, RANGE_DASH, version_label

SUPPORTED = f"ddtui reads Airflow 2.9{RANGE_DASH}2.11 and 3.0{RANGE_DASH}3.3 metastores"
# Read whatever the generation: task states, tags, rendered fields, log templates.
SHARED_TABLES = (s.dag_tag, s.task_instance, s.rendered_task_instance_fields, s.log_template)


@dataclass(frozen=True)
class DetectedSchema:
    revision: str
    airflow_version: str  # a label: "2.10.3-2.11" (en dash), "3.3", "newer than 3.3"
    generation: Generation
    notice: str = ""  # shown beside the URL: the schema was read without being known


def detect_schema(conn: Connection, masked_url: str) -> DetectedSchema:
    """Read `alembic_version` and the tables present; refuse what we cannot read correctly."""
    tables = set(sa.inspect(conn).get_table_names())
    if "alembic_version" not in tables or "dag" not in tables:
        raise MetastoreError(
            f"{masked_url} is not an Airflow metastore (no alembic_version/dag tables); "
            "point --metastore or AIRFLOW_HOME at one, or run `airflow db migrate`"
        )
    revision = conn.execute(sa.select(s.alembic_version.c.version_num)).scalar() or "?"
    introduced = AIRFLOW_VERSION_BY_REVISION.get(revision)
    generation = _generation(tables)
    if generation is None:
        seen = f"Airflow {introduced}" if introduced else "an Airflow older than 2.4"
        raise MetastoreError(
            f"{masked_url}: a metastore of {seen} (alembic {revision}, neither asset nor "
            f"dataset tables); {SUPPORTED}"
        )
    needed = (*generation.tables_read(), *SHARED_TABLES)
    if introduced and introduced.startswith(f"{generation.major}."):
        missing = sorted({table.name for table in needed} - tables)
        if missing:
            raise MetastoreError(
                f"{masked_url}: Airflow {version_label(revision)} metastore (alembic {revision}) "
                f"without the table(s) ddtui reads: {', '.join(missing)}"
            )
        return DetectedSchema(revision, version_label(revision) or introduced, generation)
    return _unknown_revision(conn, masked_url, revision, generation, needed)


def _generation(tables: set[str]) -> Generation | None:
    # Imported here: building a generation's table metadata costs start-up time, and only
    # the one the metastore holds is read.
    if "dag_version" in tables and "asset" in tables:
        from ddtui.metastore.generations.airflow3 import Airflow3

        return Airflow3()
    if "dataset" in tables:
        from ddtui.metastore.generations.airflow2 import Airflow2

        return Airflow2(has_try_history="task_instance_history" in tables)
    return None


def _unknown_revision(
    conn: Connection,
    masked_url: str,
    revision: str,
    generation: Generation,
    needed: tuple[sa.Table, ...],
) -> DetectedSchema:
    """Read a revision ddtui does not know when the changes are only additions."""
    seen = "newer than 3.3" if generation.major == 3 else f"2.x, not 2.9{RANGE_DASH}2.11"
    missing = _missing_columns(conn, needed)
    if missing:
        raise MetastoreError(
            f"{masked_url}: Airflow {seen} metastore (alembic {revision}) without "
            f"{', '.join(missing[:5])}; {SUPPORTED}"
        )
    notice = f"alembic {revision} unknown: read as {generation.name} {generation.supported}"
    return DetectedSchema(revision, seen, generation, notice)


def _missing_columns(conn: Connection, needed: tuple[sa.Table, ...]) -> list[str]:
    """`table` or `table.column` for each table and column ddtui reads that is not there."""
    inspector = sa.inspect(conn)
    present_tables = set(inspector.get_table_names())
    missing: list[str] = []
    for table in dict.fromkeys(needed):
        if table.name not in present_tables:
            missing.append(table.name)
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing.extend(f"{table.name}.{c.name}" for c in table.columns if c.name not in present)
    return missing
