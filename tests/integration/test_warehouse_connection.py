"""A DAG whose operator writes through its `conn_id` Airflow connection, run by real Airflow:
ddtui finds the table through the task's `conn_id`, read as a login that may only read."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from connections_support import SECRET

from ddtui.config.connections import AirflowConnections
from ddtui.demo.home import AirflowHome
from tests.unit.config.test_connections import assert_equals_pandas, ddtui, profile

VIA = "Airflow connection `warehouse` (metastore)"


@pytest.mark.postgres
def test_describe_reads_the_tasks_table_through_its_read_only_connection(
    pg_warehouse_home: AirflowHome,
) -> None:
    home = pg_warehouse_home
    text = ddtui(home, "describe", "warehouse_outputs", "load_shipments")
    assert text.returncode == 0, text.stderr
    assert f"read through {VIA}" in text.stdout
    assert SECRET not in text.stdout + text.stderr
    found = profile(ddtui(home, "describe", "warehouse_outputs", "load_shipments", "-f", "json"))
    assert found["output"]["read_through"] == VIA
    assert found["output"]["table"] == "shipments"
    assert found["profile"]["row_count"] == 40
    assert_equals_pandas(found, home.data_url)


@pytest.mark.postgres
def test_the_connection_ddtui_reads_through_may_only_read(pg_warehouse_home: AirflowHome) -> None:
    metastore = sa.create_engine(pg_warehouse_home.metastore_url, poolclass=sa.NullPool)
    env = {"AIRFLOW_HOME": str(pg_warehouse_home.home)}
    conn = AirflowConnections(env, metastore).get("warehouse")
    metastore.dispose()
    assert conn.login is not None and conn.login.startswith("ddtui_wh_reader_")
    engine = sa.create_engine(conn.url(), poolclass=sa.NullPool)
    try:
        assert len(pd.read_sql_table("shipments", engine)) == 40
        denied = pytest.raises(sa.exc.ProgrammingError, match="permission denied")
        with denied, engine.begin() as db:
            db.execute(sa.text("DELETE FROM shipments"))
    finally:
        engine.dispose()
