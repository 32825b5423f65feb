"""Drift between two real Airflow runs of the `drift` demo DAG (built by `airflow_home`).

The second run moves `amount`'s mean by +25, drops `channel`, blanks ~20% of `score` and
writes 4,000 rows instead of 5,000 (see ddtui.demo.dag_sets.DRIFT_SHIFT). The numbers are checked
against independent numpy/pandas/scipy computations on the same tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import sqlalchemy as sa

from ddtui.config.settings import DataSettings
from ddtui.demo.dag_sets import DRIFT_SHIFT
from ddtui.demo.home import AirflowHome
from ddtui.drift import (
    BaselineUnavailableError,
    ProfileHistory,
    compare_task_runs,
    task_health,
)
from ddtui.metastore import open_metastore
from ddtui.outputs.data_sources import DataSources
from tests.drift_support import reference_psi


@pytest.fixture
def drift_runs(airflow_home: AirflowHome, tmp_path: Path):
    runs = airflow_home.runs_of("drift")
    assert len(runs) == 2
    metastore = open_metastore(airflow_home.metastore_url)
    sources = DataSources()
    settings = DataSettings(airflow_home.data_url, "test")
    history = ProfileHistory(tmp_path / "history.sqlite")
    yield runs, metastore, sources, settings, history
    sources.close()
    metastore.close()


def read(data_url: str, table: str) -> pd.DataFrame:
    engine = sa.create_engine(data_url)
    try:
        with engine.connect() as conn:
            return pd.read_sql_table(table, conn)
    finally:
        engine.dispose()


def test_shifted_run_against_previous(drift_runs, airflow_home: AirflowHome) -> None:
    (baseline_run, shifted_run), metastore, sources, settings, history = drift_runs
    report = compare_task_runs(
        metastore, sources, settings, "drift", "sample", shifted_run.run_id, "previous", history
    )
    assert report.baseline.run_id == baseline_run.run_id
    assert report.current.run_id == shifted_run.run_id
    base = read(airflow_home.data_url, report.baseline.table)
    cur = read(airflow_home.data_url, report.current.table)

    # Rows: 5,000 -> 4,000 is a 20% drop, under the 50% health threshold.
    assert report.rows.baseline == len(base) == 5_000
    assert report.rows.current == len(cur) == DRIFT_SHIFT["rows"]
    assert "rows-dropped" not in {h.flag for h in report.health}

    # Mean shift of `amount`: deltas match pandas, PSI and KS match numpy/scipy on the samples.
    amount = report.column("amount")
    assert amount is not None
    assert amount.deltas["mean"].change == pytest.approx(
        cur["amount"].mean() - base["amount"].mean(), rel=1e-6
    )
    assert amount.deltas["mean"].change == pytest.approx(DRIFT_SHIFT["shift"], abs=2.0)
    assert amount.verdict == "drift"
    assert amount.psi is not None
    assert amount.psi.source == "samples"
    stored = history.get(_key(metastore, shifted_run.run_id, report.current.table))
    stored_base = history.get(_key(metastore, baseline_run.run_id, report.baseline.table))
    assert stored is not None
    assert stored_base is not None
    assert stored.samples is not None
    assert stored_base.samples is not None
    b = np.asarray(stored_base.samples["amount"])
    c = np.asarray(stored.samples["amount"])
    assert amount.psi.value == pytest.approx(reference_psi(b, c), rel=1e-9)
    assert amount.ks is not None
    assert amount.ks.statistic == pytest.approx(scipy.stats.ks_2samp(b, c).statistic, abs=1e-12)
    # On the full tables the PSI says the same.
    full = reference_psi(base["amount"].to_numpy(), cur["amount"].to_numpy())
    assert amount.psi.value == pytest.approx(full, rel=0.2)

    # The dropped column, and the NAs added to `score`.
    assert ("channel", "dropped") in {(s.column, s.change) for s in report.schema_changes}
    score = report.column("score")
    assert score is not None
    assert score.deltas["missing_pct"].change == pytest.approx(
        100 * cur["score"].isna().mean() - 100 * base["score"].isna().mean()
    )
    assert score.verdict == "drift"
    assert score.psi is not None
    assert score.psi.value < 0.1  # the values that remain are distributed as before

    # Untouched columns stay quiet.
    for name in ("customer_id", "quantity", "segment", "is_active"):
        column = report.column(name)
        assert column is not None
        assert column.verdict == "ok", (name, column.reasons)
    assert report.verdict == "drift"
    assert report.badge == "drift"

    entries = history.for_task(metastore.masked_url, "drift", "sample")
    health = task_health(entries)
    assert health.row_counts == [5_000, DRIFT_SHIFT["rows"]]
    assert health.badge == "drift"


def test_overwritten_table_needs_recorded_history(drift_runs) -> None:
    (_, shifted_run), metastore, sources, settings, history = drift_runs
    with pytest.raises(BaselineUnavailableError, match="--record"):
        compare_task_runs(
            metastore,
            sources,
            settings,
            "drift",
            "publish",
            shifted_run.run_id,
            "previous",
            history,
        )


def _key(metastore, run_id: str, table: str):
    from ddtui.drift import HistoryKey

    return HistoryKey(metastore.masked_url, "drift", "sample", run_id, table)
