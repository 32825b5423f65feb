"""A per-run table named by a template, with nothing in XCom.

``readings`` writes ``readings_{{ ds_nodash }}`` and pushes no return value, so
ddtui must find the table through the ``output_table`` template field as
Airflow rendered it for each run. The run's conf ``rows`` sets the size.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow_compat import DAG, Param
from datadriver import DataDriverOperator


def readings(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Sensor readings of the run's day: a value per sensor and minute, some missing."""
    import numpy as np
    import pandas as pd

    rows = int(options["rows"])
    day = pd.Timestamp(options["logical_date"]).tz_localize(None)
    rng = np.random.default_rng(int(day.strftime("%Y%m%d")))
    value = np.round(rng.normal(20.0 + day.day, 3.0, size=rows), 3)
    value[rng.random(rows) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "sensor": rng.choice(["north", "south", "east", "west"], size=rows),
            "read_at": day + pd.to_timedelta(rng.integers(0, 86_400, size=rows), unit="s"),
            "value": value,
            "ok": rng.random(rows) < 0.9,
        }
    )


with DAG(
    dag_id="templated_output",
    description="A per-run output table named by a template, found without XCom",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["monitoring"],
    params={"rows": Param(2_000, type="integer", minimum=1, description="row count")},
    doc_md=__doc__,
) as dag:
    DataDriverOperator(
        task_id="readings",
        output_table="readings_{{ ds_nodash }}",
        transform=readings,
        do_xcom_push=False,
    )
