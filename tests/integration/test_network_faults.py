"""A data source whose network stalls mid-profile: the profile ends with exit 7, not never.

Between ddtui and the real PostgreSQL/MariaDB server sits a TCP proxy (tests/tcp_proxy.py)
that the test freezes: sockets stay open and the proxy's kernel keeps acknowledging, so
only ddtui's own watchdog can notice. Timeouts are 1 s (+2 s grace) to keep tests short.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from airflow_home_support import MYSQL_URL, POSTGRES_URL, require_service
from datagen import make_mixed_frame
from tcp_proxy import TcpProxy, proxy_to

from ddtui.backends.engines import create_readonly_engine
from ddtui.errors import QueryTimeoutError
from ddtui.profile import ProfileCancelled, profile_table
from ddtui.profile import api as profile_api

SERVERS = {"postgresql": ("PostgreSQL", POSTGRES_URL), "mysql": ("MariaDB/MySQL", MYSQL_URL)}
TIMEOUT_S = 1.0  # the statement timeout; the client waits 2 s more for the server's reply


@pytest.fixture(params=sorted(SERVERS), ids=sorted(SERVERS))
def server_url(request: pytest.FixtureRequest) -> str:
    name, url = SERVERS[request.param]
    require_service(name, url)
    return url


@pytest.fixture
def table(server_url: str) -> Iterator[str]:
    """A 2,000-row mixed table on the server, dropped afterwards."""
    name = f"ddtui_network_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url, poolclass=sa.NullPool)
    make_mixed_frame(2000, seed=5).to_sql(name, admin, index=False)
    yield name
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))  # our own safe name
    admin.dispose()


@pytest.fixture
def proxy(server_url: str) -> Iterator[TcpProxy]:
    with proxy_to(server_url) as made:
        yield made


@pytest.fixture
def engine(proxy: TcpProxy, server_url: str) -> Iterator[sa.Engine]:
    made = create_readonly_engine(
        proxy.url_for(server_url), statement_timeout_s=TIMEOUT_S, role="data source"
    )
    yield made
    made.dispose()


def no_worker_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("ddtui-")]


def freeze_on_first_report(proxy: TcpProxy):
    def progress(_fraction: float, _message: str) -> None:
        proxy.freeze()

    return progress


@pytest.mark.parametrize("strategy", ["stream", "pushdown"])
def test_a_stalled_profile_ends_with_a_timeout_and_the_next_one_works(
    proxy: TcpProxy,
    engine: sa.Engine,
    table: str,
    strategy: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if strategy == "pushdown":
        monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 0)
    # The schema and row count are read; the network stalls as the profile's queries start.
    with pytest.raises(QueryTimeoutError) as raised:
        profile_table(engine, table, progress=freeze_on_first_report(proxy))
    message = str(raised.value)
    assert message.startswith(f"data source {engine.url.get_backend_name()}")
    assert f"127.0.0.1:{proxy.port}" in message
    assert message.endswith("did not answer within 3 s")
    assert "\n" not in message
    proxy.thaw()
    profile = profile_table(engine, table)
    assert profile.row_count == 2000
    assert profile.strategy == strategy
    assert not [n for n in no_worker_threads() if n != "ddtui-watchdog"]


def test_a_frozen_server_is_not_waited_for_at_connect(
    proxy: TcpProxy, engine: sa.Engine, table: str
) -> None:
    proxy.freeze()  # from the start: the TCP connection opens, the server never greets
    with pytest.raises(QueryTimeoutError, match=r"did not answer within 3 s$"):
        profile_table(engine, table)


def test_pushdown_on_two_connections_is_cut_when_the_server_stalls(
    server_url: str, proxy: TcpProxy, engine: sa.Engine, table: str, monkeypatch
) -> None:
    """Both of PostgreSQL's snapshot-sharing connections stop; no thread stays behind."""
    if engine.dialect.name != "postgresql":
        pytest.skip("two connections on one snapshot are PostgreSQL's")
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 0)
    labels: list[str] = []

    def progress(_fraction: float, message: str) -> None:
        labels.append(message)
        if ", " in message:  # two tasks running at once, one on each connection
            proxy.freeze()

    with pytest.raises(QueryTimeoutError):
        profile_table(engine, table, progress=progress)
    assert any(", " in label for label in labels), labels
    assert not [n for n in no_worker_threads() if n.startswith("ddtui-pushdown")]
    proxy.thaw()
    assert profile_table(engine, table).row_count == 2000


def test_cancelling_while_the_server_stalls_ends_the_profile(
    proxy: TcpProxy, engine: sa.Engine, table: str, monkeypatch
) -> None:
    """A cancel request would go unanswered too: the connections are cut instead."""
    monkeypatch.setattr(profile_api, "PUSHDOWN_MIN_ROWS", 0)
    stalled = threading.Event()

    def progress(_fraction: float, _message: str) -> None:
        if not stalled.is_set():
            proxy.freeze()
            stalled.set()

    with pytest.raises((ProfileCancelled, QueryTimeoutError)):
        profile_table(engine, table, progress=progress, cancelled=stalled.is_set)
    assert not [n for n in no_worker_threads() if n.startswith("ddtui-pushdown")]
    proxy.thaw()
    assert profile_table(engine, table).row_count == 2000
