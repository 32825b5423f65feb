"""Daily partitions appended to one table, for per-partition profiles and drift.

``load_events`` appends the run's day to ``events`` (partition column ``ds``, a DATE) and
names its output in XCom as ``{"table": "events", "partition": {"ds": "<day>"}}``.
``score_events`` appends scores of that day to ``event_scores`` and pushes nothing: it
names its output with the templated ``output_table`` and ``output_partition`` attributes,
which Airflow renders for each run. Both replace their day's rows first, so a run may be
repeated. The run's conf ``shift`` moves the mean of ``amount``, ``rows`` sets the size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from airflow_compat import DAG, BaseOperator, Param, task
from datadriver import data_engine, run_options


def replace_partition(frame: Any, table: str, ds: str) -> None:
    """Delete the day's rows (if the table exists) and append the frame, in one transaction."""
    import sqlalchemy as sa

    engine = data_engine()
    with engine.begin() as conn:
        if sa.inspect(conn).has_table(table):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE ds = :ds"), {"ds": ds})
        frame.to_sql(table, conn, if_exists="append", index=False, dtype={"ds": sa.Date()})


def day_of_events(options: Mapping[str, Any]) -> Any:
    """The day's events: amounts drift with the run's `shift`, a few are missing."""
    import numpy as np
    import pandas as pd

    rows = int(options["rows"])
    day = pd.Timestamp(options["ds"])
    rng = np.random.default_rng(int(day.strftime("%Y%m%d")))
    amount = np.round(rng.normal(80.0 + float(options["shift"]), 12.0, size=rows), 2)
    amount[rng.random(rows) < 0.03] = np.nan
    return pd.DataFrame(
        {
            "ds": day.date(),
            "event_id": np.arange(rows) + int(day.strftime("%Y%m%d")) * 100_000,
            "country": rng.choice(["fr", "de", "es", "it"], size=rows, p=[0.4, 0.3, 0.2, 0.1]),
            "amount": amount,
            "items": rng.poisson(2, size=rows),
            "hour": rng.integers(0, 24, size=rows),
        }
    )


class PartitionScoreOperator(BaseOperator):
    """Score the day's events and append them to `output_table`'s `output_partition`."""

    template_fields: Sequence[str] = ("output_table", "output_partition")
    ui_color = "#e8eaf6"

    def __init__(
        self, *, output_table: str, output_partition: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.output_table = output_table
        self.output_partition = output_partition

    def execute(self, context: Any) -> None:
        import pandas as pd
        import sqlalchemy as sa

        ds = self.output_partition["ds"]
        events = pd.read_sql_query(
            sa.text("SELECT event_id, amount, items FROM events WHERE ds = :ds"),
            data_engine(),
            params={"ds": ds},
        )
        scores = pd.DataFrame(
            {
                "ds": pd.Timestamp(ds).date(),
                "event_id": events["event_id"],
                "score": (events["amount"].fillna(0.0) / 100.0 + events["items"] * 0.1).round(4),
            }
        )
        self.log.info("appending %d scores to %s for ds=%s", len(scores), self.output_table, ds)
        replace_partition(scores, self.output_table, ds)


with DAG(
    dag_id="partitioned_events",
    description="Daily partitions appended to one table; ddtui profiles each run's partition",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["monitoring"],
    params={
        "shift": Param(0.0, type="number", description="added to the mean of `amount`"),
        "rows": Param(3_000, type="integer", minimum=1, description="events per day"),
    },
    doc_md=__doc__,
) as dag:

    @task
    def load_events(**context: Any) -> dict[str, Any]:
        """Append the run's day to `events` and name that partition as the output."""
        options = run_options(context)
        replace_partition(day_of_events(options), "events", options["ds"])
        return {"table": "events", "partition": {"ds": options["ds"]}}

    load_events() >> PartitionScoreOperator(
        task_id="score_events",
        output_table="event_scores",
        output_partition={"ds": "{{ ds }}"},
        do_xcom_push=False,
    )
