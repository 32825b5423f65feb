"""Data that drifts between runs, for comparing a task's output across runs.

``sample`` writes a per-run table ``drift_{{ ds_nodash }}``; ``publish``
overwrites ``drift_latest`` with it. The run's conf (or the params) controls
the drift: ``shift`` moves the mean of ``amount``, ``drop_column`` drops a
column, ``na_fraction`` blanks that share of ``score``, ``rows`` sets the size.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow_compat import DAG, Param
from datadriver import DataDriverOperator

SEGMENTS = ["bronze", "silver", "gold"]


def sample(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """A customer sample whose distribution follows the run's drift options."""
    import numpy as np
    import pandas as pd

    rows = int(options["rows"])
    rng = np.random.default_rng(2024)
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, rows + 1),
            "amount": np.round(rng.normal(100.0 + float(options["shift"]), 15.0, size=rows), 2),
            "quantity": rng.poisson(3, size=rows),
            "segment": pd.Categorical(
                rng.choice(["bronze", "silver", "gold"], rows, p=[0.6, 0.3, 0.1])
            ),
            "channel": rng.choice(["web", "store", "phone"], size=rows, p=[0.5, 0.4, 0.1]),
            "signup_date": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 4 * 365, size=rows), unit="D"),
            "is_active": rng.random(rows) < 0.8,
            "score": np.round(rng.uniform(0.0, 1.0, size=rows), 4),
        }
    )
    na_fraction = float(options["na_fraction"])
    if na_fraction > 0:
        frame.loc[rng.random(rows) < na_fraction, "score"] = np.nan
    if options.get("drop_column"):
        frame = frame.drop(columns=[options["drop_column"]])
    return frame


def publish(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Copy this run's sample to the overwritten `drift_latest` table."""
    (frame,) = inputs.values()
    return frame


with DAG(
    dag_id="drift",
    description="A sample whose distribution drifts between runs",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["monitoring"],
    params={
        "shift": Param(0.0, type="number", description="added to the mean of `amount`"),
        "drop_column": Param("", type="string", description="a column to drop ('' keeps all)"),
        "na_fraction": Param(
            0.0, type="number", minimum=0, maximum=1, description="NAs in `score`"
        ),
        "rows": Param(5_000, type="integer", minimum=1, description="row count"),
    },
    doc_md=__doc__,
) as dag:
    DataDriverOperator(
        task_id="sample", output_table="drift_{{ ds_nodash }}", transform=sample
    ) >> DataDriverOperator(
        task_id="publish",
        output_table="drift_latest",
        input_tables=["drift_{{ ds_nodash }}"],
        transform=publish,
    )
