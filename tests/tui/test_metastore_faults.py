"""The header tells when a real PostgreSQL metastore stops answering, and recovers after.

A TCP proxy (tests/tcp_proxy.py) between the app and the test Airflow home's PostgreSQL
metastore freezes (a stalled network), drops its connections (a server restart) or
refuses new ones (a server down). Refresh ticks are driven by the test, the clock too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from tcp_proxy import TcpProxy, proxy_to

from ddtui.config.settings import DataSettings
from ddtui.demo.home import AirflowHome
from ddtui.metastore import Metastore, open_metastore
from ddtui.tui.header import InfoBar
from tui.conftest import FIXED_NOW
from tui.helpers import settle


class Clock:
    """A clock the test moves on."""

    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now

    def at(self, seconds: int) -> str:
        """Move to `seconds` after FIXED_NOW; the time as the header shows it."""
        self.now = FIXED_NOW + timedelta(seconds=seconds)
        return f"{self.now:%H:%M:%S}"


@pytest.fixture
def proxied(pg_airflow_home: AirflowHome) -> Iterator[tuple[TcpProxy, Metastore]]:
    with proxy_to(pg_airflow_home.metastore_url) as proxy:
        # 1 s statement timeout: the client gives up on a stalled read after 3 s.
        store = open_metastore(proxy.url_for(pg_airflow_home.metastore_url), statement_timeout_s=1)
        yield proxy, store
        store.close()


@pytest.fixture
def app(make_app, pg_airflow_home: AirflowHome, proxied):
    _, store = proxied
    data = DataSettings(pg_airflow_home.data_url, "--data-url")
    return make_app(metastore=store, data=data, dag_id="titanic", clock=Clock())


def header(app) -> str:
    return app.query_one(InfoBar).plain


@pytest.mark.expect_worker_error("did not answer within 3 s")
async def test_a_stalled_metastore_shows_since_when_then_recovers(app, proxied) -> None:
    proxy, _ = proxied
    clock: Clock = app.session.clock
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "refreshed 12:00:00" in header(app)
        proxy.freeze()
        stalled_at = clock.at(10)
        app.main.refresh_tick()  # its reads wait on the frozen network
        clock.at(20)
        app.main.refresh_tick()  # the next tick finds them still waiting
        assert f"metastore not answering since {stalled_at}" in header(app)
        assert "refreshed" not in header(app)
        await settle(pilot)  # the watchdog ends the stalled reads
        assert f"metastore not answering since {stalled_at}" in header(app)
        assert app.main.dag_pane.dags and app.main.task_pane.rows  # what was read stays on screen
        proxy.thaw()
        answered_at = clock.at(30)
        app.main.refresh_tick()
        await settle(pilot)
        assert f"refreshed {answered_at}" in header(app)
        assert "not answering" not in header(app)


@pytest.mark.expect_worker_error("metastore postgresql")  # while it is down
async def test_a_metastore_restart_recovers_on_the_next_refresh(app, proxied) -> None:
    proxy, _ = proxied
    clock: Clock = app.session.clock
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        proxy.drop()  # the server restarted: every pooled connection is dead
        restarted_at = clock.at(10)
        app.main.refresh_tick()
        await settle(pilot)
        assert f"refreshed {restarted_at}" in header(app)
        proxy.refuse()  # down for a while
        down_at = clock.at(20)
        app.main.refresh_tick()
        await settle(pilot)
        assert f"metastore not answering since {down_at}" in header(app)
        proxy.accept()  # back
        back_at = clock.at(30)
        app.main.refresh_tick()
        await settle(pilot)
        assert f"refreshed {back_at}" in header(app)
        assert app.main.task_pane.rows
