"""Nested task groups and a dynamically mapped task whose map indexes each write a table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow_compat import DAG, TaskGroup, task
from datadriver import DataDriverOperator, read_table, write_table

SHARDS = [0, 1, 2]


def make_events(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Generate a click-stream of 3,000 events across the shards."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(42)
    n = 3_000
    return pd.DataFrame(
        {
            "event_id": np.arange(n),
            "shard": rng.choice(SHARDS, size=n),
            "kind": rng.choice(["view", "click", "purchase"], size=n, p=[0.7, 0.25, 0.05]),
            "value": np.round(rng.exponential(20.0, size=n), 2),
            "happened_at": pd.Timestamp("2024-03-01")
            + pd.to_timedelta(rng.integers(0, 86_400, size=n), unit="s"),
        }
    )


with DAG(
    dag_id="groups_mapped",
    description="Nested task groups and a mapped task",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["examples"],
    doc_md=__doc__,
) as dag:
    with TaskGroup("prepare") as prepare:
        extract = DataDriverOperator(
            task_id="extract", output_table="gm_events", transform=make_events
        )
        with TaskGroup("validate"):

            @task
            def check_rows() -> None:
                """Fail loudly when the events table is empty."""
                if read_table("gm_events").empty:
                    raise ValueError("no events")

            @task
            def check_nulls() -> None:
                """Fail loudly when an event has no kind."""
                if read_table("gm_events")["kind"].isna().any():
                    raise ValueError("events without kind")

            extract >> [check_rows(), check_nulls()]

    @task
    def aggregate_shard(shard: int) -> str:
        """Aggregate one shard into its own table and return the table name."""
        events = read_table("gm_events")
        summary = (
            events[events["shard"] == shard]
            .groupby("kind", as_index=False)
            .agg(events=("event_id", "count"), value=("value", "sum"))
        )
        return write_table(summary, f"gm_shard_{shard}")

    shard_tables = aggregate_shard.expand(shard=SHARDS)
    prepare >> shard_tables

    with TaskGroup("report"):

        @task
        def summarize(tables: list[str]) -> dict[str, Any]:
            """Return a small summary dict: an XCom that names no table."""
            return {"shards": len(tables), "tables": sorted(tables)}

        summarize(shard_tables)
