"""Daily scoring with the model `churn_training` wrote: fetch -> score -> check -> publish.

``fetch`` writes ``scoring_events_{{ ds_nodash }}``; ``publish`` overwrites
``daily_scores_latest`` and declares it as an outlet asset too. Conf
``{"fail": true}`` makes ``quality_check`` fail the run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow_compat import DAG, Asset, Param
from datadriver import DataDriverOperator, table_asset_uri

FEATURES = ["monthly_fee", "tenure_months", "support_tickets", "days_since_login", "satisfaction"]


def fetch(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """The day's customer activity snapshot (10,000 rows, some fields missing)."""
    import numpy as np
    import pandas as pd

    day = pd.Timestamp(options["logical_date"]).tz_localize(None)
    rng = np.random.default_rng(int(day.strftime("%Y%m%d")))
    rows = 10_000
    satisfaction = np.round(rng.normal(3.5, 1.0, size=rows).clip(1, 5), 1)
    satisfaction[rng.random(rows) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "customer_id": rng.integers(100_000, 130_000, size=rows),
            "seen_at": day + pd.to_timedelta(rng.integers(0, 86_400, size=rows), unit="s"),
            "channel": rng.choice(["app", "web", "call_center"], size=rows, p=[0.6, 0.3, 0.1]),
            "monthly_fee": np.round(rng.choice([9.99, 19.99, 39.99], size=rows), 2),
            "tenure_months": rng.integers(1, 72, size=rows),
            "support_tickets": rng.poisson(1.0 + (day.day % 3) * 0.3, size=rows),
            "days_since_login": rng.exponential(10, size=rows).round(),
            "satisfaction": satisfaction,
        }
    )


def score(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Churn probability per customer event, with a risk band."""
    import numpy as np
    import pandas as pd

    (events,) = (frame for name, frame in inputs.items() if name != "churn_model")
    model = inputs["churn_model"].set_index("feature")
    x = events[FEATURES].fillna(events[FEATURES].median()).to_numpy(dtype=float)
    x = (x - model.loc[FEATURES, "mean"].to_numpy()) / model.loc[FEATURES, "std"].to_numpy()
    logits = model.loc["intercept", "weight"] + x @ model.loc[FEATURES, "weight"].to_numpy()
    probability = 1 / (1 + np.exp(-logits))
    return pd.DataFrame(
        {
            "customer_id": events["customer_id"],
            "seen_at": events["seen_at"],
            "channel": events["channel"],
            "churn_probability": probability.round(4),
            "risk": pd.cut(probability, [0, 0.2, 0.5, 1], labels=["low", "medium", "high"]).astype(
                str
            ),
        }
    )


def quality_check(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Per-risk-band counts; raise when the run was asked to fail."""
    (scores,) = inputs.values()
    if options.get("fail"):
        raise ValueError("quality check failed on purpose (conf fail=true)")
    return scores.groupby("risk", as_index=False).agg(
        customers=("customer_id", "nunique"), mean_probability=("churn_probability", "mean")
    )


def publish(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """The day's scores, as the table downstream consumers read."""
    return inputs[next(name for name in inputs if name.startswith("daily_scores_"))]


with DAG(
    dag_id="daily_scoring",
    description="Score customers daily with the latest churn model",
    schedule="@daily",
    start_date=datetime(2024, 6, 1),
    catchup=False,
    tags=["ml", "scoring"],
    params={"fail": Param(False, type="boolean", description="make `quality_check` fail")},
    doc_md=__doc__,
) as dag:
    (
        DataDriverOperator(
            task_id="fetch", output_table="scoring_events_{{ ds_nodash }}", transform=fetch
        )
        >> DataDriverOperator(
            task_id="score",
            output_table="daily_scores_{{ ds_nodash }}",
            input_tables=["scoring_events_{{ ds_nodash }}", "churn_model"],
            transform=score,
        )
        >> DataDriverOperator(
            task_id="quality_check",
            output_table="daily_quality_{{ ds_nodash }}",
            input_tables=["daily_scores_{{ ds_nodash }}"],
            transform=quality_check,
        )
        >> DataDriverOperator(
            task_id="publish",
            output_table="daily_scores_latest",
            input_tables=["daily_scores_{{ ds_nodash }}"],
            transform=publish,
            outlets=[Asset(uri=table_asset_uri("daily_scores_latest"))],
        )
    )
