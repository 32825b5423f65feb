"""Warehouses stop a statement past ddtui's budget themselves, where their driver takes a
session setting for it: the client giving up alone would leave the query running, billed."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from ddtui.backends.base import Budget
from ddtui.backends.registry import backend_for

BUDGET = Budget(statement_s=299.5, answer_s=301.5, connect_s=10)


def test_a_trino_session_runs_queries_within_the_budget_and_keeps_the_urls_properties() -> None:
    trino = pytest.importorskip("trino.dbapi", reason="trino is in ddtui[compat-dialects]")
    given = quote(json.dumps({"query_priority": "2"}))
    url = sa.make_url(f"trino://someone@localhost:1/memory/default?session_properties={given}")
    args = backend_for(url).connect_args(url, BUDGET)
    _, params = url.get_dialect()().create_connect_args(url)
    # trino's DB-API connection is made without a request: what the session will send.
    conn = trino.connect(**{**params, **args})
    assert conn._client_session.properties == {"query_priority": "2", "query_max_run_time": "300s"}


def test_a_snowflake_session_has_a_statement_timeout() -> None:
    url = sa.make_url("snowflake://someone:secret@account/db/schema")
    args = backend_for(url).connect_args(url, BUDGET)
    assert args == {"session_parameters": {"STATEMENT_TIMEOUT_IN_SECONDS": 300}}
    config = pytest.importorskip(
        "snowflake.connector._internal.connection_config_mixin",
        reason="snowflake-connector-python is in ddtui[compat-dialects]",
    )
    # The connector takes it as a keyword of connect() (a field of its configuration).
    assert "session_parameters" in config.ConnectionConfigMixin.__dataclass_fields__
