"""`ddtui --approx`: the profiles the TUI computes are estimated where the database has
approximate aggregates (DuckDB), labelled so, and stay exact (labelled exact) elsewhere."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from ddtui.config.settings import DataSettings
from ddtui.demo.home import AirflowHome
from tui.helpers import settle, static_text


async def _shown_profile(app):  # type: ignore[no-untyped-def]
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(40):
            await settle(pilot)
            profile = app.main.stats_pane.profile
            if profile is not None and (profile.exact or profile.method):
                return profile, static_text(app, "#stats-title")
        raise AssertionError("no final profile on screen")


async def test_approx_on_duckdb_shows_an_approximate_profile(
    make_app, airflow_home: AirflowHome, tmp_path: Path
) -> None:
    pytest.importorskip("duckdb_engine", reason="DuckDB needs ddtui[duckdb]")
    sqlite = sa.create_engine(airflow_home.data_url)
    copy = sa.create_engine(f"duckdb:///{tmp_path / 'copy.duckdb'}", poolclass=sa.NullPool)
    for table in sa.inspect(sqlite).get_table_names():
        pd.read_sql_table(table, sqlite).to_sql(table, copy, index=False)
    copy.dispose()
    data = DataSettings(f"duckdb:///{tmp_path / 'copy.duckdb'}", "--data-url")
    app = make_app(dag_id="titanic", task_id="clean", data=data, approx=True)
    profile, title = await _shown_profile(app)
    assert (profile.exact, profile.method) == (False, "approx_quantile")
    assert "approximate profile (approx_quantile)" in title


async def test_approx_on_sqlite_stays_exact(make_app) -> None:
    app = make_app(dag_id="titanic", task_id="clean", approx=True)
    profile, title = await _shown_profile(app)
    assert (profile.exact, profile.method) == (True, None)
    assert "exact profile" in title
