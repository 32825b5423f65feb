"""Read-only access to an Airflow metastore (no Airflow import, no DAG code, no unpickling)."""

from ddtui.metastore.models import (
    DagStructure,
    DagSummary,
    MetastoreInfo,
    Outlet,
    RunDetail,
    RunSummary,
    TaskGroupNode,
    TaskInstanceSummary,
    TaskNode,
    TaskTries,
    TaskTry,
    XComValue,
)
from ddtui.metastore.reader import Metastore, open_metastore

__all__ = [
    "DagStructure",
    "DagSummary",
    "Metastore",
    "MetastoreInfo",
    "Outlet",
    "RunDetail",
    "RunSummary",
    "TaskGroupNode",
    "TaskInstanceSummary",
    "TaskNode",
    "TaskTries",
    "TaskTry",
    "XComValue",
    "open_metastore",
]
