"""Every command against a frozen metastore or data source ends with exit 7 and one line.

The servers are real (the test Airflow home's metastore on PostgreSQL; output tables on
PostgreSQL and MariaDB); a TCP proxy between them and ddtui freezes (tests/tcp_proxy.py).
`--timeout 1` (or DDTUI_TIMEOUT=1): the client gives up 2 s after the statement timeout.
A hang fails the test through subprocess's own timeout.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa
from airflow_home_support import MYSQL_URL, POSTGRES_URL, fresh_postgres_database, require_service
from tcp_proxy import TcpProxy, proxy_to

from ddtui.demo.home import AirflowHome
from tests.unit.cli.test_describe_cli import DDTUI, successful_run

# Far above what a command needs with --timeout 1; reached only if ddtui hangs.
HANG_S = 60
TABLE = "titanic_raw"  # the output table of titanic.load


def ddtui(home: AirflowHome, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI"))}
    base.update(home.env(), **env)
    return subprocess.run(
        [DDTUI, *args], capture_output=True, text=True, env=base, check=False, timeout=HANG_S
    )


def assert_timed_out(done: subprocess.CompletedProcess[str], role: str, proxy: TcpProxy) -> None:
    assert done.returncode == 7, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"ddtui: {role} ")
    assert f"@127.0.0.1:{proxy.port}/" in lines[0]
    assert lines[0].endswith("did not answer within 3 s")


@pytest.fixture
def metastore_proxy(pg_airflow_home: AirflowHome) -> Iterator[tuple[AirflowHome, TcpProxy]]:
    with proxy_to(pg_airflow_home.metastore_url) as proxy:
        yield pg_airflow_home, proxy


@pytest.mark.parametrize(
    "command",
    [["dags"], ["tasks", "titanic"], ["describe", "titanic", "load"]],
    ids=["dags", "tasks", "describe"],
)
def test_a_frozen_metastore_ends_each_command_with_exit_7(
    metastore_proxy: tuple[AirflowHome, TcpProxy], command: list[str]
) -> None:
    home, proxy = metastore_proxy
    url = proxy.url_for(home.metastore_url)
    healthy = ddtui(home, *command, "--metastore", url)
    assert healthy.returncode == 0, healthy.stderr  # the proxy itself works
    proxy.freeze()
    done = ddtui(home, *command, "--metastore", url, "--timeout", "1")
    assert_timed_out(done, "metastore", proxy)


@pytest.mark.parametrize("where", ["environment", "before the command"])
def test_the_timeout_from_the_environment_or_before_the_command(
    metastore_proxy: tuple[AirflowHome, TcpProxy], where: str
) -> None:
    home, proxy = metastore_proxy
    proxy.freeze()
    url = proxy.url_for(home.metastore_url)
    if where == "environment":
        done = ddtui(home, "dags", "--metastore", url, DDTUI_TIMEOUT="1")
    else:
        done = ddtui(home, "--timeout", "1", "dags", "--metastore", url)
    assert_timed_out(done, "metastore", proxy)


@pytest.fixture(params=["postgresql", "mysql"])
def data_server(request: pytest.FixtureRequest, airflow_home: AirflowHome) -> Iterator[str]:
    """A database on a real server holding a copy of titanic_raw; its URL."""
    raw = pd.read_sql_table(TABLE, sa.create_engine(airflow_home.data_url))
    if request.param == "postgresql":
        require_service("PostgreSQL", POSTGRES_URL)
        with fresh_postgres_database(POSTGRES_URL, "ddtui_network_data") as url:
            raw.to_sql(TABLE, sa.create_engine(url, poolclass=sa.NullPool), index=False)
            yield url
        return
    require_service("MariaDB", MYSQL_URL)
    name = f"ddtui_network_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(MYSQL_URL, poolclass=sa.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))  # our own safe name
    try:
        url = sa.make_url(MYSQL_URL).set(database=name).render_as_string(hide_password=False)
        raw.to_sql(TABLE, sa.create_engine(url, poolclass=sa.NullPool), index=False)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def test_a_frozen_data_source_ends_describe_with_exit_7(
    airflow_home: AirflowHome, data_server: str
) -> None:
    run_id = successful_run(airflow_home, "titanic")
    with proxy_to(data_server) as proxy:
        args = ["describe", "titanic", "load", "--run", run_id]
        args += ["--data-url", proxy.url_for(data_server), "--timeout", "1"]
        healthy = ddtui(airflow_home, *args)
        assert healthy.returncode == 0, healthy.stderr
        assert "891" in healthy.stdout  # the Titanic's passengers, read through the proxy
        proxy.freeze()
        assert_timed_out(ddtui(airflow_home, *args), "data source", proxy)
