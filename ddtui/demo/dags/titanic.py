"""Titanic-like survival model, DataDriver style: load -> clean -> features -> train -> score.

Synthetic data (fixed seed) with numbers, categories, booleans, datetimes and
missing values. ``score`` writes ``scores_{{ ds_nodash }}`` (one table per run);
run with conf ``{"fail": true}`` and ``train`` raises, which fails the run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow_compat import DAG, Param
from datadriver import DataDriverOperator

PASSENGERS = 891
FEATURES = ["pclass", "is_female", "age", "fare", "family_size", "is_alone", "embarked_c"]


def load(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Generate the raw passenger list."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1912)
    n = PASSENGERS
    pclass = rng.choice([1, 2, 3], size=n, p=[0.24, 0.21, 0.55])
    sex = rng.choice(["male", "female"], size=n, p=[0.65, 0.35])
    age = np.round(rng.normal(30, 14, size=n).clip(0.4, 80), 1)
    age[rng.random(n) < 0.2] = np.nan  # ~20 % unknown ages, as in the real list
    fare = np.round(rng.lognormal(2.5 + (3 - pclass) * 0.8, 0.6), 2)
    sibsp = rng.poisson(0.5, size=n)
    parch = rng.poisson(0.4, size=n)
    embarked = rng.choice(["S", "C", "Q"], size=n, p=[0.72, 0.19, 0.09]).astype(object)
    embarked[[61, 829]] = None  # the two famous missing ports
    decks, numbers = rng.choice(list("ABCDEF"), n), rng.integers(1, 130, n)
    cabins = [f"{deck}{number}" for deck, number in zip(decks, numbers, strict=True)]
    cabin = np.where(rng.random(n) < np.where(pclass == 1, 0.8, 0.1), cabins, None)
    boarded_at = pd.Timestamp("1912-04-10 09:30") + pd.to_timedelta(
        rng.integers(0, 36 * 60, size=n), unit="min"
    )
    chance = 0.15 + 0.5 * (sex == "female") + 0.15 * (pclass == 1) - 0.05 * (pclass == 3)
    survived = rng.random(n) < chance
    return pd.DataFrame(
        {
            "passenger_id": np.arange(1, n + 1),
            "survived": survived,
            "pclass": pclass,
            "name": [f"Passenger {i}" for i in range(1, n + 1)],
            "sex": pd.Categorical(sex),
            "age": age,
            "sibsp": sibsp,
            "parch": parch,
            "fare": fare,
            "cabin": cabin,
            "embarked": embarked,
            "boarded_at": boarded_at,
        }
    )


def clean(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Drop rows without a port, keep `age` missing but flag it."""
    raw = inputs["titanic_raw"]
    cleaned = raw.dropna(subset=["embarked"]).copy()
    cleaned["age_missing"] = cleaned["age"].isna()
    cleaned["boarded_at"] = cleaned["boarded_at"].astype("datetime64[ns]")
    return cleaned.drop(columns=["name"])


def features(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Model features: impute age, encode sex and port, family size."""
    import pandas as pd

    clean_frame = inputs["titanic_clean"]
    frame = pd.DataFrame({"passenger_id": clean_frame["passenger_id"]})
    frame["pclass"] = clean_frame["pclass"]
    frame["is_female"] = clean_frame["sex"] == "female"
    frame["age"] = clean_frame["age"].fillna(clean_frame["age"].median())
    frame["fare"] = clean_frame["fare"]
    frame["family_size"] = clean_frame["sibsp"] + clean_frame["parch"] + 1
    frame["is_alone"] = frame["family_size"] == 1
    frame["embarked_c"] = clean_frame["embarked"] == "C"
    frame["age_band"] = pd.cut(
        frame["age"], [0, 12, 18, 35, 60, 100], labels=["child", "teen", "young", "adult", "senior"]
    ).astype(str)
    frame["survived"] = clean_frame["survived"].astype(bool)
    return frame


def train(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Fit a logistic regression with plain gradient descent; one row per coefficient."""
    import numpy as np
    import pandas as pd

    if options.get("fail"):
        raise RuntimeError("training failed on purpose (conf fail=true)")
    frame = inputs["titanic_features"]
    x, mean, std = _standardise(frame[FEATURES].to_numpy(dtype=float))
    y = frame["survived"].to_numpy(dtype=float)
    weights = np.zeros(x.shape[1] + 1)
    design = np.column_stack([np.ones(len(x)), x])
    for _ in range(500):
        prediction = 1 / (1 + np.exp(-design @ weights))
        weights -= 0.5 * design.T @ (prediction - y) / len(y)
    return pd.DataFrame(
        {
            "feature": ["intercept", *FEATURES],
            "weight": weights,
            "mean": [0.0, *mean],
            "std": [1.0, *std],
            "trained_on": str(options["ds"]),
        }
    )


def score(inputs: dict[str, Any], options: dict[str, Any]) -> Any:
    """Score every passenger with the trained model."""
    import numpy as np
    import pandas as pd

    frame, model = inputs["titanic_features"], inputs["titanic_model"]
    coef = model.set_index("feature")
    x = frame[FEATURES].to_numpy(dtype=float)
    x = (x - coef.loc[FEATURES, "mean"].to_numpy()) / coef.loc[FEATURES, "std"].to_numpy()
    logits = coef.loc["intercept", "weight"] + x @ coef.loc[FEATURES, "weight"].to_numpy()
    probability = 1 / (1 + np.exp(-logits))
    return pd.DataFrame(
        {
            "passenger_id": frame["passenger_id"],
            "probability": np.round(probability, 4),
            "predicted": probability >= 0.5,
            "actual": frame["survived"].astype(bool),
            "age_band": frame["age_band"],
            "scored_at": pd.Timestamp(options["logical_date"]).tz_localize(None),
        }
    )


def _standardise(x: Any) -> tuple[Any, Any, Any]:
    """Columns scaled to mean 0 and std 1, with the means and stds used."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    return (x - mean) / std, mean, std


with DAG(
    dag_id="titanic",
    description="Titanic survival: load, clean, features, train, score (DataDriver style)",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["ml", "datadriver"],
    params={"fail": Param(False, type="boolean", description="make `train` raise")},
    doc_md=__doc__,
) as dag:
    t_load = DataDriverOperator(task_id="load", output_table="titanic_raw", transform=load)
    t_clean = DataDriverOperator(
        task_id="clean", output_table="titanic_clean", input_tables=["titanic_raw"], transform=clean
    )
    t_features = DataDriverOperator(
        task_id="features",
        output_table="titanic_features",
        input_tables=["titanic_clean"],
        transform=features,
    )
    t_train = DataDriverOperator(
        task_id="train",
        output_table="titanic_model",
        input_tables=["titanic_features"],
        transform=train,
    )
    t_score = DataDriverOperator(
        task_id="score",
        output_table="scores_{{ ds_nodash }}",
        input_tables=["titanic_features", "titanic_model"],
        transform=score,
    )
    t_load >> t_clean >> t_features >> t_train >> t_score
