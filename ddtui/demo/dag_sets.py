"""The DAG sets a home is built with: which DAG files, which runs (with their conf), and
which DAGs are left unpaused. "test" is the suite's home, "demo" adds the demo-only DAGs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# "assets": the outlet-asset DAG alone, for a home whose data database is a server.
# "warehouse": a DAG writing through its `warehouse` Airflow connection (added by the caller).
# "partitions": the DAG appending daily partitions to one table.
# "compat": each way of naming an output (XCom, templated output_table, outlets), two runs
# each, for the metastores of every Airflow version the compatibility matrix builds.
DagSet = Literal["test", "demo", "assets", "warehouse", "partitions", "compat"]

# Modules the DAG files import; Airflow puts the dags folder on sys.path.
HELPER_MODULES = ("datadriver", "airflow_compat")
TEST_DAGS = (
    "titanic",
    "asset_outputs",
    "groups_mapped",
    "no_outputs",
    "drift",
    "templated_output",
)
DEMO_ONLY_DAGS = ("churn_training", "daily_scoring", "partitioned_events")
COMPAT_DAGS = ("titanic", "asset_outputs", "groups_mapped", "templated_output")


@dataclass(frozen=True)
class PlannedRun:
    """One `airflow dags test` run the builder makes, and the state it must end in."""

    dag_id: str
    logical_date: str
    conf: Mapping[str, Any] = field(default_factory=dict)
    expected_state: Literal["success", "failed"] = "success"


DRIFT_SHIFT = {"shift": 25.0, "drop_column": "channel", "na_fraction": 0.2, "rows": 4_000}

TEST_RUNS = (
    PlannedRun("titanic", "2024-01-01"),
    PlannedRun("titanic", "2024-01-02", {"fail": True}, "failed"),
    PlannedRun("asset_outputs", "2024-02-01"),
    PlannedRun("groups_mapped", "2024-03-01"),
    PlannedRun("drift", "2024-04-01"),
    PlannedRun("drift", "2024-04-02", DRIFT_SHIFT),
    PlannedRun("templated_output", "2024-07-01"),
    PlannedRun("templated_output", "2024-07-02", {"rows": 1_500}),
)
ASSET_RUNS = (PlannedRun("asset_outputs", "2024-02-01"),)
COMPAT_RUNS = (
    PlannedRun("titanic", "2024-01-01"),
    PlannedRun("titanic", "2024-01-02"),
    PlannedRun("asset_outputs", "2024-02-01"),
    PlannedRun("asset_outputs", "2024-02-02"),
    PlannedRun("groups_mapped", "2024-03-01"),
    PlannedRun("groups_mapped", "2024-03-02"),
    PlannedRun("templated_output", "2024-07-01"),
    PlannedRun("templated_output", "2024-07-02", {"rows": 1_500}),
)
WAREHOUSE_RUNS = (PlannedRun("warehouse_outputs", "2024-08-01"),)
# Three days appended to one table; the third one's amounts drift.
PARTITION_RUNS = (
    PlannedRun("partitioned_events", "2024-09-01"),
    PlannedRun("partitioned_events", "2024-09-02"),
    PlannedRun("partitioned_events", "2024-09-03", {"shift": 30.0}),
)
DEMO_RUNS = (
    *TEST_RUNS,
    PlannedRun("churn_training", "2024-05-01"),
    PlannedRun("churn_training", "2024-06-01", {"rows": 30_000}),
    PlannedRun("daily_scoring", "2024-06-02"),
    PlannedRun("daily_scoring", "2024-06-03"),
    PlannedRun("daily_scoring", "2024-06-04", {"fail": True}, "failed"),
    *PARTITION_RUNS,
)
# DAGs left unpaused (new DAGs start paused), so both states show in the UI.
UNPAUSED = {
    "test": ("titanic",),
    "demo": ("titanic", "drift", "churn_training", "daily_scoring", "partitioned_events"),
    "assets": ("asset_outputs",),
    "warehouse": ("warehouse_outputs",),
    "partitions": ("partitioned_events",),
    "compat": ("titanic",),
}


def dag_ids(dag_set: DagSet) -> tuple[str, ...]:
    """The DAGs of a DAG set (each DAG file defines the DAG of the same name)."""
    if dag_set in ("assets", "warehouse", "partitions"):
        return UNPAUSED[dag_set]  # one DAG each, left unpaused
    if dag_set == "compat":
        return COMPAT_DAGS
    return TEST_DAGS + (DEMO_ONLY_DAGS if dag_set == "demo" else ())


def dag_file_names(dag_set: DagSet) -> tuple[str, ...]:
    """The files copied into the dags folder for a DAG set."""
    return tuple(f"{name}.py" for name in HELPER_MODULES + dag_ids(dag_set))


def planned_runs(dag_set: DagSet) -> tuple[PlannedRun, ...]:
    """The runs a DAG set is built with."""
    runs = {
        "demo": DEMO_RUNS,
        "assets": ASSET_RUNS,
        "warehouse": WAREHOUSE_RUNS,
        "partitions": PARTITION_RUNS,
        "compat": COMPAT_RUNS,
    }
    return runs.get(dag_set, TEST_RUNS)
