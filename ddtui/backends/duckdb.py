"""DuckDB files (duckdb-engine): opened read-only; push-down with its own aggregates."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import URL

from ddtui.backends.base import Backend, Budget, Capabilities


class DuckDBBackend(Backend):
    name = "duckdb"
    capabilities = Capabilities(
        exact_percentiles="quantile_cont",
        approx_percentiles="approx_quantile",
        approx_distinct="approx_count_distinct",
        tablesample=True,
    )
    extra = "duckdb"

    def file_url(self, path: str) -> str | None:
        return f"duckdb:///{path}"

    def connect_args(self, url: URL, budget: Budget) -> dict[str, Any]:
        return {"read_only": True}

    def interrupt(self, dbapi_connection: Any, *, server_silent: bool = False) -> None:
        dbapi_connection.interrupt()  # duckdb: stops the running query from another thread
