"""A table written through an Airflow connection, with nothing in XCom.

``load_shipments`` writes to the database of its ``conn_id`` connection, as
Airflow resolves it at run time, and returns nothing: ddtui must find the
table through the ``output_table`` template field and the database through the
task's own ``conn_id`` (which, for ddtui, may be a login that can only read).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

try:  # Airflow 3 exposes the authoring API as airflow.sdk.
    from airflow.sdk import DAG, BaseHook, BaseOperator
except ImportError:  # pragma: no cover - Airflow 2 fallback for manual use
    from airflow import DAG
    from airflow.hooks.base import BaseHook
    from airflow.models.baseoperator import BaseOperator


def shipments() -> Any:
    """Forty shipments with fixed values: a weight, a distance, a carrier, some missing."""
    import pandas as pd

    rows = range(40)
    return pd.DataFrame(
        {
            "shipment_id": list(rows),
            "carrier": [("north", "south", "east")[i % 3] for i in rows],
            "weight_kg": [round(1.5 + (i * 7) % 23 * 0.75, 2) for i in rows],
            "distance_km": [None if i % 9 == 4 else 10.0 + (i * 13) % 50 for i in rows],
        }
    )


class WarehouseWriteOperator(BaseOperator):
    """Write a DataFrame to `output_table` in the database of the `conn_id` connection."""

    template_fields = ("conn_id", "output_table")

    def __init__(self, *, conn_id: str, output_table: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.conn_id = conn_id
        self.output_table = output_table

    def execute(self, context: Any) -> None:
        import sqlalchemy

        uri = BaseHook.get_connection(self.conn_id).get_uri()
        # Airflow's `postgres://` connection URI; SQLAlchemy names the dialect postgresql.
        if uri.startswith("postgres://"):
            uri = "postgresql+psycopg2://" + uri.removeprefix("postgres://")
        engine = sqlalchemy.create_engine(uri, poolclass=sqlalchemy.pool.NullPool)
        try:
            shipments().to_sql(self.output_table, engine, index=False, if_exists="replace")
        finally:
            engine.dispose()


with DAG(
    dag_id="warehouse_outputs",
    description="A table written through an Airflow connection, found without XCom",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["warehouse"],
    doc_md=__doc__,
) as dag:
    WarehouseWriteOperator(task_id="load_shipments", conn_id="warehouse", output_table="shipments")
