"""The app finds outputs that real `airflow dags test` runs wrote, whichever way they are
declared: a templated `output_table` (no XCom) and outlet assets on a PostgreSQL database."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from airflow_home_support import data_url_option
from profile_checks import assert_matches_pandas

from ddtui.config.settings import DataSettings
from ddtui.metastore import open_metastore
from tui.helpers import press, settle, static_text, task_ids


def read(url: str, table: str, schema: str | None = None) -> pd.DataFrame:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        return pd.read_sql_table(table, engine, schema=schema)
    finally:
        engine.dispose()


async def test_templated_output_table_follows_the_run(make_app, airflow_home) -> None:
    older, newer = airflow_home.runs_of("templated_output")
    app = make_app(dag_id="templated_output", task_id="readings")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.dag.detail.run.run_id == newer.run_id
        assert "readings_20240702 · output_table" in static_text(app, "#stats-title")
        assert "readings_20240702" in str(app.main.task_pane.table.get_cell("readings", "output"))
        assert_matches_pandas(
            app.main.stats_pane.profile, read(airflow_home.data_url, "readings_20240702")
        )
        await press(pilot, "left_square_bracket")
        assert app.main.dag.detail.run.run_id == older.run_id
        assert "readings_20240701 · output_table" in static_text(app, "#stats-title")
        assert_matches_pandas(
            app.main.stats_pane.profile, read(airflow_home.data_url, "readings_20240701")
        )


@pytest.mark.postgres
async def test_outlet_on_postgres_is_profiled(make_app, pg_asset_home) -> None:
    configured = data_url_option(pg_asset_home)
    # The asset URI carries no user: it is read as the configured source it names.
    store = open_metastore(pg_asset_home.metastore_url)
    app = make_app(
        metastore=store,
        data=DataSettings(configured, "--data-url"),
        dag_id="asset_outputs",
        task_id="daily_revenue",
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert "daily_revenue · outlet" in static_text(app, "#stats-title")
            frame = read(pg_asset_home.data_url, "daily_revenue", "public")
            assert_matches_pandas(app.main.stats_pane.profile, frame)
            order = task_ids(app)
            steps = order.index("daily_revenue") - order.index("extract_orders")
            await press(pilot, *["up"] * steps)  # the cursor picks another task
            assert app.main.task_pane.selected_task_id == "extract_orders"
            assert "orders · outlet" in static_text(app, "#stats-title")
            assert_matches_pandas(
                app.main.stats_pane.profile, read(pg_asset_home.data_url, "orders", "public")
            )
    finally:
        store.close()
