"""The authoring names the demo DAGs use, from Airflow 3's `airflow.sdk` or Airflow 2.

Copied into the dags folder beside the DAG files (ddtui never imports it), so the same
DAG files run on every Airflow the compatibility matrix builds metastores with.
"""

from __future__ import annotations

from typing import Any

try:  # Airflow 3 exposes the authoring API as airflow.sdk.
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG, BaseOperator, Param, TaskGroup, task
    from airflow.sdk import Asset as _Asset

    AIRFLOW_2 = False
except ImportError:  # Airflow 2.9-2.11
    from airflow.datasets import Dataset as _Asset  # type: ignore[no-redef]
    from airflow.decorators import task  # type: ignore[no-redef]
    from airflow.models.baseoperator import BaseOperator  # type: ignore[no-redef]
    from airflow.models.dag import DAG  # type: ignore[no-redef]
    from airflow.models.param import Param  # type: ignore[no-redef]
    from airflow.operators.empty import EmptyOperator  # type: ignore[no-redef]
    from airflow.utils.task_group import TaskGroup  # type: ignore[no-redef]

    AIRFLOW_2 = True

__all__ = [
    "AIRFLOW_2",
    "DAG",
    "Asset",
    "BaseOperator",
    "EmptyOperator",
    "Param",
    "TaskGroup",
    "task",
]


def Asset(uri: str, name: str | None = None) -> Any:
    """An outlet naming a table: an Airflow 3 asset, or an Airflow 2 dataset (no name)."""
    if AIRFLOW_2:
        return _Asset(uri=uri)
    return _Asset(uri=uri, name=name) if name else _Asset(uri=uri)
