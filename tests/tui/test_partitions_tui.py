"""The app on `partitioned_events`: each run shows its own partition of the shared table, its
row count counts that slice, and the Drift tab compares with the previous run's partition."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from profile_checks import assert_matches_pandas

from ddtui.config.settings import DataSettings
from ddtui.demo.home import AirflowHome
from ddtui.metastore import Metastore, open_metastore
from tui.helpers import press, settle, static_text


@pytest.fixture
def store(partitions_home: AirflowHome):
    opened = open_metastore(partitions_home.metastore_url)
    yield opened
    opened.close()


def partition(home: AirflowHome, table: str, day: str) -> pd.DataFrame:
    engine = sa.create_engine(home.data_url, poolclass=sa.NullPool)
    try:
        frame = pd.read_sql_table(table, engine)
    finally:
        engine.dispose()
    return frame[frame["ds"] == pd.Timestamp(day)].reset_index(drop=True)


async def test_each_run_shows_its_partition(
    make_app, store: Metastore, partitions_home: AirflowHome
) -> None:
    data = DataSettings(partitions_home.data_url, "--data-url")
    app = make_app(metastore=store, data=data, dag_id="partitioned_events", task_id="load_events")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=5)
        assert "events [ds=2024-09-03] · xcom" in static_text(app, "#stats-title")
        table = app.main.task_pane.table
        assert "events [ds=2024-09-03]" in str(table.get_cell("load_events", "output"))
        # The slice's rows, not the 9,000 of the whole table.
        assert str(table.get_cell("load_events", "rows")).replace(" ", ",") == "3,000"
        assert "event_scores [ds=2024-09-03]" in str(table.get_cell("score_events", "output"))
        assert_matches_pandas(
            app.main.stats_pane.profile, partition(partitions_home, "events", "2024-09-03")
        )
        await press(pilot, "left_square_bracket")
        await settle(pilot, rounds=5)
        assert "events [ds=2024-09-02] · xcom" in static_text(app, "#stats-title")
        assert_matches_pandas(
            app.main.stats_pane.profile, partition(partitions_home, "events", "2024-09-02")
        )


async def test_drift_tab_compares_with_the_previous_partition(
    make_app, store: Metastore, partitions_home: AirflowHome
) -> None:
    data = DataSettings(partitions_home.data_url, "--data-url")
    app = make_app(metastore=store, data=data, dag_id="partitioned_events", task_id="load_events")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        await settle(pilot, rounds=8)
        report = app.main.stats_pane.drift_view.report
        assert report is not None
        assert report.baseline.table == "events [ds=2024-09-02]"
        assert report.current.table == "events [ds=2024-09-03]"
        verdicts = {c.name: c.verdict for c in report.columns}
        assert verdicts["amount"] == "drift" and verdicts["ds"] == "ok"
        assert report.verdict == "drift"
