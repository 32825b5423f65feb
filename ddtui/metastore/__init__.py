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
from ddtui.metastore.protocol import MetastoreReader
from ddtui.metastore.reader import Metastore, open_metastore

__all__ = [
    "DagStructure",
    "DagSummary",
    "Metastore",
    "MetastoreInfo",
    "MetastoreReader",
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
