"""Customer churn model, DataDriver style: extract -> features -> train -> evaluate.

``rows`` (param or conf) sets the customer count; ``evaluate`` writes one
table per run, ``churn_eval_{{ ds_nodash }}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow_compat import DAG, Param
from datadriver import DataDriverOperator

PLANS = ["basic", "plus", "pro"]
REGIONS = ["north", "south", "east", "west", "central", "islands"]
FEATURES = ["monthly_fee", "tenure_months", "support_tickets", "days_since_login", "satisfaction"]


def extract(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Customers with numbers, categories, dates and missing values."""
    import numpy as np
    import pandas as pd

    rows = int(options["rows"])
    rng = np.random.default_rng(31)
    plan = rng.choice(PLANS, size=rows, p=[0.55, 0.3, 0.15])
    tenure = rng.integers(1, 72, size=rows)
    tickets = rng.poisson(1.2, size=rows)
    satisfaction = np.round(rng.normal(3.6, 0.9, size=rows).clip(1, 5), 1)
    satisfaction[rng.random(rows) < 0.15] = np.nan  # survey not answered
    as_of = pd.Timestamp(options["logical_date"]).tz_localize(None)
    last_login = as_of - pd.to_timedelta(rng.exponential(12, size=rows).astype(int), unit="D")
    last_login = last_login.where(rng.random(rows) >= 0.05)  # never logged in
    churn_logit = -1.5 + 0.35 * tickets - 0.04 * tenure - 0.4 * np.nan_to_num(satisfaction - 3.6)
    return pd.DataFrame(
        {
            "customer_id": np.arange(100_000, 100_000 + rows),
            "signup_date": as_of - pd.to_timedelta(tenure * 30, unit="D"),
            "plan": pd.Categorical(plan, categories=PLANS),
            "region": rng.choice(REGIONS, size=rows),
            "monthly_fee": np.select([plan == "basic", plan == "plus"], [9.99, 19.99], 39.99)
            * rng.uniform(0.8, 1.0, size=rows).round(2),
            "tenure_months": tenure,
            "support_tickets": tickets,
            "last_login": last_login,
            "satisfaction": satisfaction,
            "is_churned": rng.random(rows) < 1 / (1 + np.exp(-churn_logit)),
        }
    )


def features(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Numeric features with imputed values, plus the label."""
    import pandas as pd

    customers = inputs["churn_customers"]
    as_of = pd.Timestamp(options["logical_date"]).tz_localize(None)
    frame = customers[["customer_id", "monthly_fee", "tenure_months", "support_tickets"]].copy()
    frame["days_since_login"] = (as_of - customers["last_login"]).dt.days.fillna(365)
    frame["satisfaction"] = customers["satisfaction"].fillna(customers["satisfaction"].median())
    frame["plan"] = customers["plan"]
    frame["is_churned"] = customers["is_churned"].astype(bool)
    return frame


def train(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Logistic regression by gradient descent; one row per coefficient."""
    import numpy as np
    import pandas as pd

    frame = inputs["churn_features"]
    x = frame[FEATURES].to_numpy(dtype=float)
    mean, std = x.mean(axis=0), x.std(axis=0)
    design = np.column_stack([np.ones(len(x)), (x - mean) / std])
    y = frame["is_churned"].to_numpy(dtype=float)
    weights = np.zeros(design.shape[1])
    for _ in range(300):
        weights -= 0.5 * design.T @ (1 / (1 + np.exp(-design @ weights)) - y) / len(y)
    return pd.DataFrame(
        {
            "feature": ["intercept", *FEATURES],
            "weight": weights,
            "mean": [0.0, *mean],
            "std": [1.0, *std],
            "trained_at": pd.Timestamp(options["logical_date"]).tz_localize(None),
        }
    )


def evaluate(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Churn rate predicted vs observed per score decile."""
    import numpy as np
    import pandas as pd

    frame, model = inputs["churn_features"], inputs["churn_model"].set_index("feature")
    x = frame[FEATURES].to_numpy(dtype=float)
    x = (x - model.loc[FEATURES, "mean"].to_numpy()) / model.loc[FEATURES, "std"].to_numpy()
    logits = model.loc["intercept", "weight"] + x @ model.loc[FEATURES, "weight"].to_numpy()
    scored = pd.DataFrame(
        {"probability": 1 / (1 + np.exp(-logits)), "churned": frame["is_churned"]}
    )
    scored["decile"] = pd.qcut(scored["probability"], 10, labels=False) + 1
    return scored.groupby("decile", as_index=False).agg(
        customers=("churned", "size"),
        predicted_rate=("probability", "mean"),
        observed_rate=("churned", "mean"),
    )


with DAG(
    dag_id="churn_training",
    description="Train a churn model on customer data",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["ml"],
    params={"rows": Param(20_000, type="integer", minimum=100, description="customers")},
    doc_md=__doc__,
) as dag:
    (
        DataDriverOperator(task_id="extract", output_table="churn_customers", transform=extract)
        >> DataDriverOperator(
            task_id="features",
            output_table="churn_features",
            input_tables=["churn_customers"],
            transform=features,
        )
        >> DataDriverOperator(
            task_id="train",
            output_table="churn_model",
            input_tables=["churn_features"],
            transform=train,
        )
        >> DataDriverOperator(
            task_id="evaluate",
            output_table="churn_eval_{{ ds_nodash }}",
            input_tables=["churn_features", "churn_model"],
            transform=evaluate,
        )
    )
