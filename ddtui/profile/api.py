"""profile_table and profile_stages: pick a strategy, run it, time it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa

from ddtui.backends import Backend, backend_for
from ddtui.errors import DataSourceError, QueryTimeoutError, TableChangedError
from ddtui.profile.control import CancelledCallback, Control, ProgressCallback
from ddtui.profile.ends import read_ends
from ddtui.profile.models import Strategy, TableProfile, TableSchema
from ddtui.profile.plan import Mode, Plan, ProfileStrategy, StrategyResult, plan_profile
from ddtui.profile.schema import (
    count_rows,
    display_name,
    reflect_table,
    translated_errors,
    type_name,
)
from ddtui.profile.spec import ColumnSpec, Settings, column_specs
from ddtui.profile.streaming.stream import stream_profile

if TYPE_CHECKING:
    from ddtui.outputs.table_slice import TableSlice


# In "auto" mode, tables up to this many rows are streamed exactly (about a second).
AUTO_EXACT_ROWS = 200_000
# Server tables with fewer rows are streamed: moving them costs less than the
# dozens of aggregate queries a push-down profile sends (one per column and pass).
PUSHDOWN_MIN_ROWS = 10_000
# Readings of a rollback-journal SQLite table that changed under them, before giving up.
CHANGED_TRIES = 3


@contextmanager
def read_only_connection(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a read-only transaction where the server supports one; rolled back."""
    with engine.connect() as conn:
        backend_for(conn).begin_read_only(conn)
        try:
            yield conn
        finally:
            conn.rollback()


class _ChangeWatch:
    """Whether another connection committed to the database since `start()`.

    The backend's `data_version` (SQLite's) changes on this connection exactly when
    another one commits, so an unchanged value means every read in between saw the same
    database.
    """

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._version: object = None

    def _read(self) -> object:
        return backend_for(self._conn).data_version(self._conn)

    def start(self) -> None:
        self._version = self._read()

    def unchanged(self) -> bool:
        return self._read() == self._version


def _selected(table: sa.Table, names: Sequence[str] | None) -> list[sa.Column[Any]]:
    """The requested columns in the order asked for (all of them by default)."""
    if names is None:
        return list(table.columns)
    missing = [n for n in names if n not in table.columns]
    if missing:
        raise DataSourceError(f"no column {missing[0]!r} in table {table.name!r}")
    return [table.columns[n] for n in names]


def plan_for(backend: Backend, mode: Mode, rows: int, sample_rows: int) -> Plan:
    """Which strategy a mode means for this database and table size, and why."""
    return plan_profile(
        backend, mode, rows, sample_rows,
        pushdown_min_rows=PUSHDOWN_MIN_ROWS, auto_exact_rows=AUTO_EXACT_ROWS,
    )  # fmt: skip


def _pushdown(
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
) -> StrategyResult:
    from ddtui.profile.pushdown import pushdown_profile  # numpy and the SQL builders: later

    return pushdown_profile(
        conn, table, columns, specs, settings=settings, control=control, rows=rows,
        head_rows=head_rows,
    )  # fmt: skip


def _run(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    *,
    rows: int,
    strategy: Strategy,
    sample_rows: int,
    head_rows: int,
    settings: Settings,
    control: Control,
    name: str,
) -> TableProfile:
    """One profile of an already reflected and counted table (`name`: as users see it)."""
    started = time.perf_counter()
    specs = column_specs(columns, conn.dialect)
    found = STRATEGIES[strategy](
        conn, table, columns, specs, settings=settings, control=control, rows=rows,
        limit=sample_rows if strategy == "sample" else None, head_rows=head_rows,
    )  # fmt: skip
    head, tail, sample_size = found.head, found.tail, None
    if strategy == "pushdown":
        rows = found.rows  # counted in the same snapshot as the aggregates
    if strategy == "sample":
        sample_size = found.rows
        # The table's ends, not the sample's: a server may start a scan mid-table.
        head, tail = read_ends(conn, table, columns, rows, head_rows)
    control.report(1.0, "done")
    return TableProfile(
        table=name,
        row_count=rows,
        columns=found.columns,
        exact=strategy != "sample" and found.method is None,
        sample_size=sample_size,
        strategy=strategy,
        elapsed_seconds=time.perf_counter() - started,
        head=head,
        tail=tail,
        method=found.method,
        method_reason="--approx" if found.method else None,
    )


def _engine_sample(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    specs: Sequence[ColumnSpec],
    *,
    rows: int,
    sample_rows: int,
    settings: Settings,
    control: Control,
) -> StrategyResult | None:
    """A profile of the engine's TABLESAMPLE of the table, or None where it has none, or
    when the blocks it drew held under half the rows wanted."""
    from ddtui.outputs.table_slice import base_table
    from ddtui.profile.engine_sampling import MAX_READ, engine_sampled

    backend = backend_for(conn)
    sampled = engine_sampled(backend, table, rows, sample_rows)
    base = base_table(table)
    if sampled is None or base is None or not backend.samples_blocks_of(conn, base):
        return None
    chosen = [cast("sa.Column[Any]", sampled.c[c.name]) for c in columns]
    found = stream_profile(
        conn, cast("sa.Table", sampled), chosen, specs, settings=settings, control=control,
        rows=sample_rows, limit=MAX_READ * sample_rows, head_rows=0,
    )  # fmt: skip
    return found if found.rows * 2 >= sample_rows else None


def _sample(
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
) -> StrategyResult:
    """The engine's own sample where it has one, else the first `limit` rows."""
    assert limit is not None
    found = _engine_sample(
        conn, table, columns, specs, rows=rows, sample_rows=limit, settings=settings,
        control=control,
    )  # fmt: skip
    if found is not None:
        return found
    return stream_profile(
        conn, table, columns, specs, settings=settings, control=control, rows=rows,
        limit=limit, head_rows=head_rows,
    )  # fmt: skip


STRATEGIES: dict[Strategy, ProfileStrategy] = {
    "pushdown": _pushdown,
    "stream": stream_profile,
    "sample": _sample,
}


def _stages(
    engine: sa.Engine,
    table: str,
    schema: str | None,
    *,
    columns: Sequence[str] | None,
    mode: Mode,
    sample_rows: int,
    head_rows: int,
    settings: Settings,
    control: Control,
    sample_first: bool,
    partition: TableSlice | None,
) -> Iterator[TableSchema | TableProfile]:
    """The schema, then the profiles of the plan (see profile_stages)."""
    name = display_name(table, schema)
    if partition is not None:
        name = f"{name} [{partition.label}]"
    with ExitStack() as held:
        # SQLite: one read transaction for the row count and every stage, so that the
        # statistics, head and tail all describe one snapshot even while a writer commits
        # (WAL mode). Servers: a short transaction per stage.
        backend = backend_for(engine)
        shared = None
        if backend.capabilities.one_connection:
            held.enter_context(translated_errors(engine, name))
            shared = held.enter_context(read_only_connection(engine))
        # Rollback-journal SQLite has no snapshot ddtui may hold (it would lock the writer
        # out): a stage that saw another connection commit is read again instead.
        watch = None
        if shared is not None and not backend.reads_snapshot(shared):
            watch = _ChangeWatch(shared)

        def connection() -> AbstractContextManager[sa.Connection]:
            return nullcontext(shared) if shared is not None else read_only_connection(engine)

        with translated_errors(engine, name), connection() as conn:
            reflected = reflect_table(conn, table, schema)
            if partition is not None:
                # The slice's rows under the table's name and columns: every query a strategy
                # builds reads FROM it, and the server pushes the filter into its scan.
                reflected = cast("sa.Table", partition.rows_of(reflected))
            selected = _selected(reflected, columns)
            if watch:
                watch.start()
            rows = count_rows(conn, reflected)  # the only count: every stage uses it
        yield TableSchema(
            table=name,
            columns=[(c.name, type_name(c, engine.dialect)) for c in selected],
            row_count=rows,
        )
        final = plan_for(backend, mode, rows, sample_rows).strategy
        # A sample first unless the table is so small that the sample would be all of it.
        plan: list[Strategy] = [final]
        if sample_first and final != "sample" and rows > sample_rows:
            plan = ["sample", final]

        def profiled(strategy: Strategy, settings: Settings, control: Control) -> TableProfile:
            nonlocal rows
            for attempt in range(CHANGED_TRIES):
                with translated_errors(engine, name), connection() as conn:
                    if attempt:  # the table changed under the last reading: count again
                        assert watch is not None
                        watch.start()
                        rows = count_rows(conn, reflected)
                    try:
                        profile = _run(
                            conn, reflected, selected, rows=rows, strategy=strategy,
                            sample_rows=sample_rows, head_rows=head_rows, settings=settings,
                            control=control, name=name,
                        )  # fmt: skip
                    except TableChangedError:
                        if watch is None:
                            raise
                        continue  # the bounded passes saw the change themselves
                if watch is None or watch.unchanged():
                    return profile
            raise TableChangedError(
                f"{name} changed while it was profiled, {CHANGED_TRIES} times "
                "in a row: profile it again once the writer is done"
            )

        for i, strategy in enumerate(plan):
            # A sample is quick: give it a tenth of the bar when an exact profile follows.
            start, end = (0.0, 0.1) if len(plan) == 2 and i == 0 else (0.1 if i else 0.0, 1.0)
            yield _within_budget(profiled, backend, strategy, settings, control.slice(start, end))


OVER_BUDGET = "the exact profile ran past the data time budget"


def _within_budget(
    profiled: Callable[[Strategy, Settings, Control], TableProfile],
    backend: Backend,
    strategy: Strategy,
    settings: Settings,
    control: Control,
) -> TableProfile:
    """The profile; where an exact push-down ran past the time budget and the database has
    approximate aggregates, the profile with them instead (labelled, and saying why)."""
    try:
        return profiled(strategy, settings, control)
    except QueryTimeoutError:
        if strategy != "pushdown" or settings.approx or not backend.capabilities.approx_percentiles:
            raise
    control.report(0.0, "over the time budget: estimating quartiles instead")
    profile = profiled(strategy, replace(settings, approx=True), control)
    profile.method_reason = OVER_BUDGET
    return profile


def profile_table(
    engine: sa.Engine,
    table: str,
    schema: str | None = None,
    *,
    columns: Sequence[str] | None = None,
    mode: Mode = "exact",
    sample_rows: int = 10_000,
    head_rows: int = 5,
    bins: int = 20,
    top_k: int = 20,
    progress: ProgressCallback | None = None,
    cancelled: CancelledCallback | None = None,
    partition: TableSlice | None = None,
) -> TableProfile:
    """Profile a table (or the slice `partition` names): describe-equal metrics per column,
    histograms, head and tail."""
    *_, profile = _stages(
        engine, table, schema, columns=columns, mode=mode, sample_rows=sample_rows,
        head_rows=head_rows, settings=Settings(bins=bins, top_k=top_k, approx=mode == "approx"),
        control=Control(progress, cancelled), sample_first=False, partition=partition,
    )  # fmt: skip
    assert isinstance(profile, TableProfile)  # the schema comes first, a profile last
    return profile


def profile_stages(
    engine: sa.Engine,
    table: str,
    schema: str | None = None,
    *,
    columns: Sequence[str] | None = None,
    mode: Mode = "exact",
    sample_rows: int = 10_000,
    head_rows: int = 5,
    bins: int = 20,
    top_k: int = 20,
    progress: ProgressCallback | None = None,
    cancelled: CancelledCallback | None = None,
    partition: TableSlice | None = None,
) -> Iterator[TableSchema | TableProfile]:
    """The schema, then a sample profile (unless the table is that small), then the exact one.

    With mode="sample" it stops after the sample; with mode="auto" it stops there too when
    an exact profile would need streaming a large table (see AUTO_EXACT_ROWS).
    """
    return _stages(
        engine, table, schema, columns=columns, mode=mode, sample_rows=sample_rows,
        head_rows=head_rows, settings=Settings(bins=bins, top_k=top_k, approx=mode == "approx"),
        control=Control(progress, cancelled), sample_first=True, partition=partition,
    )  # fmt: skip
