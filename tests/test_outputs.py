"""Output-table resolution order and URI mapping, on plain task/run data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ddtui.metastore import Outlet, RunDetail, RunSummary, TaskNode, XComValue
from ddtui.outputs import resolve_output
from ddtui.settings import DataSettings

DATA = DataSettings("sqlite:////data/out.db", "--data-url")
NO_DATA = DataSettings(None, "")


def task(output_table: str | None = None, outlets: tuple[Outlet, ...] = ()) -> TaskNode:
    fields = {"output_table": output_table} if output_table is not None else {}
    return TaskNode("t", "Op", None, (), (), fields, outlets, is_mapped=False)


def run(return_value: object = None, rendered: dict | None = None) -> RunDetail:
    summary = RunSummary(
        "d", "r1", "success", "manual", datetime(2024, 1, 1, tzinfo=UTC), None, None, None
    )
    values = (XComValue("t", -1, return_value),) if return_value is not None else ()
    return RunDetail(summary, (), values, {"t": rendered} if rendered else {})


def test_xcom_return_value_comes_first() -> None:
    ref = resolve_output(task("attr_table"), run("xcom_table"), DATA)
    assert (ref.table, ref.source, ref.data_url) == ("xcom_table", "xcom", DATA.url)
    assert "--data-url" in ref.reason


def test_schema_qualified_name_is_split() -> None:
    ref = resolve_output(task(), run("analytics.scores"), DATA)
    assert (ref.schema, ref.table, ref.qualified_name) == (
        "analytics",
        "scores",
        "analytics.scores",
    )


def test_non_table_xcom_falls_back_to_the_attribute() -> None:
    ref = resolve_output(task("attr_table"), run({"rows": 3}), DATA)
    assert (ref.table, ref.source) == ("attr_table", "output_table")


def test_templated_attribute_uses_the_rendered_value_of_the_run() -> None:
    ref = resolve_output(
        task("scores_{{ ds_nodash }}"), run(rendered={"output_table": "scores_20240101"}), DATA
    )
    assert (ref.table, ref.source) == ("scores_20240101", "output_table")


def test_templated_attribute_without_a_run_is_not_guessed() -> None:
    ref = resolve_output(task("scores_{{ ds_nodash }}"), None, DATA)
    assert not ref.found
    assert "template" in ref.reason


def test_postgres_outlet_maps_to_schema_and_table() -> None:
    outlet = Outlet("postgres://pg.internal:5432/warehouse/public/features", "features")
    ref = resolve_output(task(outlets=(outlet,)), None, DATA)
    assert (ref.schema, ref.table, ref.source) == ("public", "features", "outlet")
    assert ref.data_url == "postgresql://pg.internal:5432/warehouse"


def test_mysql_outlet_maps_to_database_table() -> None:
    outlet = Outlet("mysql://db:3306/shop/orders", "orders")
    ref = resolve_output(task(outlets=(outlet,)), None, DATA)
    assert (ref.table, ref.data_url) == ("orders", "mysql://db:3306/shop")


def test_sqlite_outlet_finds_the_database_file(tmp_path: Path) -> None:
    db = tmp_path / "data.db"
    db.write_bytes(b"")
    # Airflow normalises sqlite:///abs to sqlite:/abs in `uri`; `name` keeps what was written.
    outlet = Outlet(f"sqlite:{db}/features", f"sqlite:///{db}/features")
    ref = resolve_output(task(outlets=(outlet,)), None, NO_DATA)
    assert (ref.table, ref.data_url) == ("features", f"sqlite:///{db}")


def test_non_sql_outlet_is_no_output_with_reasons() -> None:
    ref = resolve_output(task(outlets=(Outlet("s3://bucket/key", "s3://bucket/key"),)), run(), DATA)
    assert not ref.found
    assert "s3://bucket/key" in ref.reason
    assert "no output_table attribute" in ref.reason


def test_bare_name_without_data_source_says_how_to_configure_one() -> None:
    ref = resolve_output(task("clean"), None, NO_DATA)
    assert ref.found and not ref.readable
    assert "--data-url" in ref.reason


def test_strange_names_are_not_taken_for_tables() -> None:
    ref = resolve_output(task("drop table x; --"), run("select * from y"), DATA)
    assert not ref.found


def test_sqlite_outlet_in_airflows_normalised_form(tmp_path: Path) -> None:
    db = tmp_path / "data.db"
    db.write_bytes(b"")
    normalised = f"sqlite:/{db}/daily_revenue".replace("sqlite:/", "sqlite://", 1)
    ref = resolve_output(task(outlets=(Outlet(normalised, "daily_revenue"),)), None, NO_DATA)
    assert (ref.table, ref.data_url) == ("daily_revenue", f"sqlite:///{db}")
