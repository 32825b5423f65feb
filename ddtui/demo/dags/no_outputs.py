"""Tasks that produce nothing: no table, no XCom, no outlet (and, in the test set, no runs)."""

from __future__ import annotations

from datetime import datetime

from airflow_compat import DAG, EmptyOperator, task

with DAG(
    dag_id="no_outputs",
    description="Tasks without outputs",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
) as dag:

    @task
    def say_hello() -> None:
        """Log a greeting and return nothing."""
        print("hello from ddtui's demo")

    EmptyOperator(task_id="start") >> say_hello() >> EmptyOperator(task_id="end")
