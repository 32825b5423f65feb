"""The template DAG of the benchmark metastore: 20 tasks whose XCom return value is a table.

`airflow dags test` runs it once in a small real Airflow home; the benchmark then copies its
rows (dag, serialized_dag, dag_run, task_instance, xcom, ...) to 1,000 DAGs x 100 runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, BaseOperator

DAG_ID = "bench_template"
LAYERS = (("extract", 4), ("clean", 4), ("join", 3), ("features", 4), ("train", 2), ("report", 3))


class TableOperator(BaseOperator):
    """Pretends to write `output_table` and returns its name, as a DataDriver task does."""

    template_fields: Sequence[str] = ("output_table",)
    ui_color = "#e3f2e1"

    def __init__(self, *, output_table: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.output_table = output_table

    def execute(self, context: Any) -> str:
        return self.output_table


with DAG(
    DAG_ID,
    start_date=datetime(2024, 1, 1),
    schedule="@daily",
    catchup=False,
    tags=["bench", "team_a"],
    default_args={"owner": "data-science"},
) as dag:
    previous: list[TableOperator] = []
    for layer, width in LAYERS:
        current = [
            TableOperator(task_id=f"{layer}_{i}", output_table=f"{layer}_{i}_{{{{ ds_nodash }}}}")
            for i in range(width)
        ]
        for task in current:
            for upstream in previous[: 2 if layer != "extract" else 0]:
                upstream >> task
        previous = current
