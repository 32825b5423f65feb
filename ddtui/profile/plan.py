"""Which strategy profiles a table, why, and what it will run; what every strategy returns.

Strategies (`pushdown/` on the database, `stream.py` and its SQLite helpers on the
client) share one signature, `ProfileStrategy`, and return a `StrategyResult`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import sqlalchemy as sa

from ddtui.backends import Backend
from ddtui.profile.control import Control
from ddtui.profile.models import ColumnProfile, Strategy
from ddtui.profile.spec import ColumnSpec, Settings

Mode = Literal["auto", "sample", "exact", "approx"]


@dataclass(frozen=True)
class StrategyResult:
    """What a strategy found."""

    columns: list[ColumnProfile]
    head: list[dict[str, Any]]
    tail: list[dict[str, Any]]
    # Push-down: the rows of its own snapshot; streaming: the rows it read.
    rows: int
    # The approximate aggregate used, if any (see TableProfile.method).
    method: str | None = None


class ProfileStrategy(Protocol):
    """Profile `columns` of `table` (`rows` counted before, `limit`: read no more rows)."""

    def __call__(
        self,
        conn: sa.Connection,
        table: sa.Table,
        columns: Sequence[sa.Column[Any]],
        specs: Sequence[ColumnSpec],
        *,
        settings: Settings,
        control: Control,
        rows: int,
        limit: int | None,
        head_rows: int,
    ) -> StrategyResult: ...


@dataclass(frozen=True)
class Plan:
    """A strategy, the reason it was chosen, and what it will run."""

    strategy: Strategy
    reason: str
    runs: str

    def __str__(self) -> str:
        return f"{self.strategy}: {self.reason}; {self.runs}"


def plan_profile(
    backend: Backend,
    mode: Mode,
    rows: int,
    sample_rows: int,
    *,
    pushdown_min_rows: int,
    auto_exact_rows: int,
) -> Plan:
    """The plan for a table of `rows` rows on this database in this mode."""
    streamed = "one pass over the rows, streamed in bounded chunks"
    if mode == "sample":
        if rows <= sample_rows:
            return Plan(
                "stream", f"the table has no more rows than the sample ({rows:,})", streamed
            )
        from ddtui.profile.engine_sampling import engine_samples

        runs = (
            f"one pass over the engine's TABLESAMPLE, about {sample_rows:,} rows from all over "
            "the table (the first rows if it draws under half as many)"
            if engine_samples(backend, rows, sample_rows)
            else f"one pass over the first {sample_rows:,} rows"
        )
        return Plan("sample", f"a sample of {sample_rows:,} rows was asked for", runs)
    approx = backend.capabilities.approx_percentiles if mode == "approx" else None
    if approx and backend.capabilities.pushes_down:
        return Plan("pushdown", f"--approx: {backend.dialect} estimates quantiles ({approx})",
                    "aggregate queries on the database; the rows never leave it")  # fmt: skip
    if backend.capabilities.pushes_down and rows >= pushdown_min_rows:
        where = (
            "two connections reading one snapshot"
            if backend.capabilities.shares_snapshot
            else "one connection"
        )
        return Plan("pushdown",
                    f"{backend.dialect} computes the aggregates and the table has {rows:,} rows",
                    f"aggregate queries on {where}; the rows never leave the database")  # fmt: skip
    if mode == "auto" and rows > auto_exact_rows:
        return Plan("sample",
                    f"{backend.dialect} has no push-down and {rows:,} rows take long to stream",
                    "one pass over the first rows")  # fmt: skip
    if backend.capabilities.pushes_down:
        reason = f"{rows:,} rows cost less to move than the aggregate queries"
    else:
        reason = f"{backend.dialect} has no push-down"
    return Plan("stream", reason, streamed)
