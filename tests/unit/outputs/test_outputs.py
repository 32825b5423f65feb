"""Output-table resolution order and URI mapping, on plain task/run data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ddtui.config.settings import DataSettings
from ddtui.config.sources import ConfiguredSource
from ddtui.metastore import Outlet, RunDetail, RunSummary, TaskNode, XComValue
from ddtui.outputs.resolve import resolve_output

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


WAREHOUSE = ConfiguredSource(
    "postgresql+psycopg://reader:s3cret@pg.internal/warehouse?sslmode=require",
    "AIRFLOW_CONN_WAREHOUSE",
)


def test_postgres_outlet_is_read_with_the_configured_sources_url() -> None:
    outlet = Outlet("postgres://pg.internal:5432/warehouse/public/features", "features")
    data = DataSettings(DATA.url, DATA.source, (WAREHOUSE,))
    ref = resolve_output(task(outlets=(outlet,)), None, data)
    assert (ref.schema, ref.table, ref.source) == ("public", "features", "outlet")
    assert (ref.data_url, ref.data_source) == (WAREHOUSE.url, "AIRFLOW_CONN_WAREHOUSE")
    assert "s3cret" not in ref.reason


def test_postgres_outlet_of_no_configured_source_is_shown_not_read() -> None:
    outlet = Outlet("postgres://pg.internal:5432/warehouse/public/features", "features")
    ref = resolve_output(task(outlets=(outlet,)), None, DATA)
    assert ref.found and not ref.readable and ref.data_url is None
    assert ref.reason.endswith(
        "postgres://pg.internal:5432/warehouse is not a configured data source: "
        "allow it with --allow-source URL or DDTUI_ALLOW_SOURCES"
    )


@pytest.mark.parametrize(
    ("uri", "readable"),
    [
        ("postgresql://PG.Internal/warehouse/public/t", True),  # default port, host case
        ("postgres://pg.internal:5433/warehouse/public/t", False),  # another port
        ("postgres://pg.internal:5432/other/public/t", False),  # another database
        ("postgres://10.0.0.9:5432/warehouse/public/t", False),  # another host
        ("mysql://pg.internal:5432/warehouse/t", False),  # another kind of server
    ],
)
def test_a_reference_matches_by_kind_host_port_and_database(uri: str, readable: bool) -> None:
    data = DataSettings(None, "", (WAREHOUSE,))
    assert resolve_output(task(), run(uri), data).readable is readable


def test_localhost_does_not_stand_for_127_0_0_1() -> None:
    data = DataSettings("postgresql://u@127.0.0.1:5432/db", "--data-url")
    assert resolve_output(task(), run("postgres://127.0.0.1/db/public/t"), data).readable
    assert not resolve_output(task(), run("postgres://localhost/db/public/t"), data).readable


def test_mysql_outlet_maps_to_the_configured_database() -> None:
    outlet = Outlet("mysql://db:3306/shop/orders", "orders")
    data = DataSettings("mysql+pymysql://u@db/shop", "--data-url")
    ref = resolve_output(task(outlets=(outlet,)), None, data)
    assert (ref.table, ref.schema, ref.data_url) == ("orders", None, "mysql+pymysql://u@db/shop")


def test_mariadb_scheme_is_mysql() -> None:
    data = DataSettings("mysql+pymysql://u@db/shop", "--data-url")
    assert resolve_output(task(), run("mariadb://db/shop/orders"), data).readable


def test_passwords_in_metastore_uris_are_masked_in_reasons() -> None:
    for value in (
        "postgres://bob:hunter2@h:1/db/public/t",
        "postgres://bob:p@hunter2@h:1/db/public/t",  # a raw "@" in the password
        "sqlite://u:hunter2@x/y",
    ):
        ref = resolve_output(task(), run(value), DATA)
        assert "hunter2" not in ref.reason
        assert ":***@" in ref.reason
    for value in ({"url": "mysql://a:hunter2@h/db"}, "mysql://a:hunter2hunter2hunter2hunter2@h/"):
        assert "hunter2" not in resolve_output(task("x y"), run(value), NO_DATA).reason


def test_unresolved_reason_lists_every_attempt() -> None:
    outlets = (Outlet("s3://bucket/key", "s3://bucket/key"),)
    ref = resolve_output(task("drop table x; --", outlets), run("select * from y"), NO_DATA)
    assert not ref.found
    assert "XCom return value 'select * from y' names no table" in ref.reason
    assert "output_table 'drop table x; --' names no table" in ref.reason
    assert "outlet 's3://bucket/key' is not an SQL table URI" in ref.reason


def sqlite_data(directory: Path) -> DataSettings:
    directory.mkdir(exist_ok=True)
    return DataSettings(f"sqlite:///{directory / 'data.db'}", "--data-url")


def test_sqlite_outlet_finds_the_database_file(tmp_path: Path) -> None:
    db = tmp_path / "data.db"
    db.write_bytes(b"")
    # Airflow normalises sqlite:///abs to sqlite:/abs in `uri`; `name` keeps what was written.
    outlet = Outlet(f"sqlite:{db}/features", f"sqlite:///{db}/features")
    ref = resolve_output(task(outlets=(outlet,)), None, sqlite_data(tmp_path))
    assert (ref.table, ref.data_url, ref.data_source) == (
        "features",
        f"sqlite:///{db}",
        "--data-url",
    )


def test_sqlite_file_outside_the_data_directories_is_not_opened(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.db").write_bytes(b"")
    data = sqlite_data(tmp_path / "data")
    for uri in (
        "sqlite:////etc/passwd/x",
        f"sqlite:///{elsewhere}/secret.db/t",
        f"sqlite:///{tmp_path}/data/../elsewhere/secret.db/t",
    ):
        ref = resolve_output(task(), run(uri), data)
        assert ref.found and not ref.readable, uri
        assert "is not a configured data source" in ref.reason, uri
    allowed = DataSettings(
        data.url, data.source, (ConfiguredSource(str(elsewhere), "--allow-source"),)
    )
    ref = resolve_output(task(), run(f"sqlite:///{elsewhere}/secret.db/t"), allowed)
    assert ref.data_url == f"sqlite:///{elsewhere / 'secret.db'}"


def test_a_symlink_in_the_data_directory_cannot_point_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside.db"
    outside.write_bytes(b"")
    data = sqlite_data(tmp_path / "data")
    (tmp_path / "data" / "link.db").symlink_to(outside)
    ref = resolve_output(task(), run(f"sqlite:///{tmp_path}/data/link.db/t"), data)
    assert not ref.readable and "is not a configured data source" in ref.reason


def test_the_metastore_allows_its_own_file_only(tmp_path: Path) -> None:
    (tmp_path / "airflow.db").write_bytes(b"")
    (tmp_path / "other.db").write_bytes(b"")
    meta = ConfiguredSource(f"sqlite:///{tmp_path / 'airflow.db'}", "the metastore")
    data = DataSettings(None, "", (meta,))
    assert resolve_output(task(), run(f"sqlite:///{tmp_path}/airflow.db/dag"), data).readable
    assert not resolve_output(task(), run(f"sqlite:///{tmp_path}/other.db/t"), data).readable


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
    ref = resolve_output(
        task(outlets=(Outlet(normalised, "daily_revenue"),)), None, sqlite_data(tmp_path)
    )
    assert (ref.table, ref.data_url) == ("daily_revenue", f"sqlite:///{db}")
