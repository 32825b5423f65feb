"""What one benchmark process does: `python -m tests.bench.probe NAME JSON-ARGS`.

Each measurement runs in its own process so peak memory is its own and start-up costs are
counted where users pay them. The last stdout line is `BENCH-RESULT {json}`. Imports stay
inside the probes: the start-up probe must pay for ddtui's imports, not ours.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from typing import Any

from tests.bench.peers import PEER_PROBES

RESULT_PREFIX = "BENCH-RESULT "


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: Linux carries the parent's high
    water mark into a forked and exec'd child's, so a bench that had grown to 900 MB while
    building its fixtures saw every probe peak at 900 MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


# Profiles (data layer) ---------------------------------------------------------------


def pandas_profile(url: str, table: str, bins: int = 20) -> dict[str, Any]:
    """What the ddui plugin did: the whole table in pandas, then describe and friends."""
    import numpy as np
    import pandas as pd
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    rss_before = _rss_mb()
    started = time.perf_counter()
    if engine.dialect.name == "duckdb":
        # duckdb-engine's reflection (which read_sql_table needs) fails on SQLAlchemy 2.1:
        # a query reads the same frame (as tests/profile_checks.reference_frame does).
        name = engine.dialect.identifier_preparer.format_table(sa.table(table))
        frame = pd.read_sql_query(f"SELECT * FROM {name}", engine)
    else:
        frame = pd.read_sql_table(table, engine)
    frame.describe(include="all")
    frame.isna().sum()
    frame.nunique()
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            continue
        if pd.api.types.is_numeric_dtype(column):
            values = column.dropna().to_numpy(dtype=float)
        elif pd.api.types.is_datetime64_any_dtype(column):
            values = column.dropna().to_numpy().astype("int64").astype(float)
        else:
            continue
        np.histogram(values[np.isfinite(values)], bins=bins)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(frame), "rss_before_mb": rss_before}


def ddtui_profile(
    url: str, table: str, mode: str = "exact", preload_pandas: bool = True
) -> dict[str, Any]:
    """ddtui's profiler as the TUI calls it (read-only engine, as `DataSources` makes it).

    `preload_pandas`: import pandas before the clock starts, as for the baseline, where
    ddtui's profile uses it (streaming); a push-down profile of DuckDB does not load it,
    so its peak memory is measured without it (`pandas_loaded` in the result says so)."""
    if preload_pandas:
        import pandas  # noqa: F401

    from ddtui.backends.engines import create_readonly_engine
    from ddtui.profile import profile_table

    engine = create_readonly_engine(url, statement_timeout_s=3600)
    rss_before = _rss_mb()
    started = time.perf_counter()
    profile = profile_table(engine, table, mode=mode)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": profile.row_count,
        "exact": profile.exact,
        "strategy": profile.strategy,
        "rss_before_mb": rss_before,
        "pandas_loaded": "pandas" in sys.modules,
    }


def ddtui_stages(url: str, table: str) -> dict[str, Any]:
    """Times to the first stages of `profile_stages`: schema and row count, sample profile."""
    from ddtui.backends.engines import create_readonly_engine
    from ddtui.profile import TableProfile, profile_stages

    engine = create_readonly_engine(url, statement_timeout_s=3600)
    started = time.perf_counter()
    times: dict[str, float] = {}
    stages = profile_stages(engine, table)
    for stage in stages:
        now = time.perf_counter() - started
        if not isinstance(stage, TableProfile):
            times["schema"] = now
        elif not stage.exact:
            times["sample"] = now
            break  # the exact profile is measured on its own
        else:
            times["exact"] = now
    stages.close()  # type: ignore[attr-defined]
    return times


# The TUI, headless ---------------------------------------------------------------------


def _probe_app_class() -> Any:
    """DdtuiApp with marks taken after the screen refreshed (the main screen handles each
    message before it bubbles up to the app); the DAG tree's and the profiles' at the frame
    that draws them."""
    import asyncio
    from pathlib import Path

    from ddtui.tui import app as app_module
    from ddtui.tui.app import DdtuiApp

    class ProbeApp(DdtuiApp):
        # Textual resolves CSS_PATH beside the class's module: point it at the app's own.
        CSS_PATH = str(Path(app_module.__file__).with_name(str(DdtuiApp.CSS_PATH)))

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.marks: dict[str, list[tuple[float, Any]]] = {}
            self.waiters: dict[str, asyncio.Event] = {}
            self.profile_started: float | None = None
            self._at_next_frame: list[tuple[str, Any]] = []
            self.cursor_from: int | None = None  # a key press is moving the task list's cursor
            screen = self.main
            show_stats = screen.show_stats

            def timed_show_stats() -> None:
                before = screen.tables.shown
                show_stats()
                if screen.tables.shown is not None and screen.tables.shown != before:
                    self.profile_started = time.perf_counter()

            screen.show_stats = timed_show_stats  # type: ignore[method-assign]
            show_dags = screen.show_dags

            def marked_show_dags(message: Any) -> None:
                show_dags(message)
                self._at_next_frame.append(("dags", len(message.dags)))

            # The tree is filled here, from a DagsLoaded message or, when the DAG list was
            # read before the screen mounted, from its mount.
            screen.show_dags = marked_show_dags  # type: ignore[method-assign]
            tables = screen.tables
            profile_loaded = tables.loaded

            def marked_profile_loaded(message: Any) -> None:
                profile_loaded(message)
                if message.key == tables.shown:  # in the stats pane: drawn in the next frame
                    self._at_next_frame.append(("profile", message.profile.exact))

            tables.loaded = marked_profile_loaded  # type: ignore[method-assign]

        def _record(self, name: str, value: Any) -> None:
            self.marks.setdefault(name, []).append((time.perf_counter(), value))
            if name in self.waiters:
                self.waiters[name].set()

        def _mark(self, name: str, value: Any = None) -> None:
            # Messages sent now are handled before this callback runs after the next refresh.
            self.call_after_refresh(self._record, name, value)

        def _display(self, screen: Any, renderable: Any) -> None:
            # The frame itself (headless: not written out): what the user sees is drawn.
            super()._display(screen, renderable)
            if renderable is None or self._batch_count:
                return
            for name, value in self._at_next_frame:
                self._record(name, value)
            self._at_next_frame = []
            if self.cursor_from is not None:
                row = self.query_one("#task-table").cursor_row
                if row != self.cursor_from:  # the frame that shows the moved cursor
                    self.cursor_from = None
                    self._record("task", row)

        async def wait_mark(self, name: str, count: int, timeout: float = 600) -> tuple[float, Any]:
            deadline = time.perf_counter() + timeout
            while len(self.marks.get(name, [])) < count:
                event = self.waiters.setdefault(name, asyncio.Event())
                event.clear()
                if len(self.marks.get(name, [])) >= count:
                    break
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise TimeoutError(f"no {name} mark #{count} within {timeout} s")
                await asyncio.wait_for(event.wait(), remaining)
            return self.marks[name][count - 1]

        def on_dag_loaded(self, message: Any) -> None:
            # (an auto-refresh may replace the first load)
            if message.dag_id == self.main.selection.dag_id:
                self._mark("dag", message.dag_id)

        async def wait_dag(self, dag_id: str, after: int, timeout: float = 120) -> float:
            """When the task list of `dag_id` was on screen, its 20 tasks listed."""
            seen = after
            deadline = time.perf_counter() + timeout
            while True:
                left = deadline - time.perf_counter()
                try:
                    done, shown = await self.wait_mark("dag", seen + 1, max(left, 0.001))
                except TimeoutError:
                    rows = self.query_one("#task-table").row_count
                    raise TimeoutError(
                        f"waiting for {dag_id}: app at {self.main.selection.dag_id}, {rows} rows, "
                        f"focus {self.focused!r}, marks {self.marks.get('dag', [])[-3:]}"
                    ) from None
                seen += 1
                if shown == dag_id and self.query_one("#task-table").row_count == 20:
                    return done

    return ProbeApp


def _open_app(metastore_url: str, data_url: str | None, **kwargs: Any) -> Any:
    """Build the app the way `ddtui` does (settings, metastore, app)."""
    from ddtui.cli.options import open_configured_metastore
    from ddtui.config.settings import DataSettings
    from ddtui.tui.prefetch import read_dag_list

    store = open_configured_metastore(metastore_url)
    data = DataSettings(data_url, "--data-url" if data_url else "")
    # As `ddtui` does (cli/app.py, run_tui): the DAG list's read starts before the app's import.
    first_dags = read_dag_list(store)
    return _probe_app_class()(store, data, first_dags=first_dags, **kwargs)


def tui_startup(metastore_url: str, n_dags: int) -> dict[str, Any]:
    """Until the first frame with the DAG tree filled; the parent times from process spawn."""
    import asyncio

    async def main() -> dict[str, Any]:
        app = _open_app(metastore_url, None)
        async with app.run_test(size=(120, 40)) as pilot:
            drawn, shown = await app.wait_mark("dags", 1, timeout=300)
            # When the frame was drawn (this coroutine may resume later: the app starts up).
            ready_at = time.time() - (time.perf_counter() - drawn)
            leaves = app.query_one("#dag-tree").last_line + 1
            # Leave only after the first DAG (opened by itself) has loaded: quitting while
            # its worker reports back would measure ddtui's shutdown, not its start.
            await app.wait_mark("dag", 1, timeout=300)
            await _quiesce(app, pilot)
        if shown != n_dags:
            raise RuntimeError(f"the DAG tree shows {shown} DAGs, expected {n_dags}")
        return {"ready_at": ready_at, "dags": shown, "leaves": leaves}

    return asyncio.run(main())


def tui_browse(metastore_url: str, n_open: int) -> dict[str, Any]:
    """Select DAGs one after another with `down` in the tree; time each until its task list
    (states) is on screen. Then the process's memory after opening `n_open` DAGs."""
    import asyncio

    async def main() -> dict[str, Any]:
        app = _open_app(metastore_url, None)
        seconds: list[float] = []
        failures: list[str] = []
        async with app.run_test(size=(120, 40)) as pilot:
            await app.wait_mark("dags", 1, timeout=300)
            await app.wait_mark("dag", 1, timeout=300)  # the first DAG opens by itself
            await pilot.pause()
            driver = app._driver
            upcoming = None
            from textual import events

            tree = app.query_one("#dag-tree")
            for _ in range(2, n_open + 1):
                while True:  # step over a group's heading: it is not a DAG
                    upcoming = tree.get_node_at_line(tree.cursor_line + 1)
                    if upcoming is None or upcoming.data is not None:
                        break
                    tree.cursor_line += 1
                    await pilot.pause()
                if upcoming is None:
                    raise RuntimeError("ran out of DAGs in the tree")
                marks = len(app.marks.get("dag", []))
                started = time.perf_counter()
                key = events.Key("down", None)
                key.set_sender(app)
                driver.send_message(key)
                try:
                    done = await app.wait_dag(upcoming.data.dag_id, marks)
                except TimeoutError as exc:  # reported with the figures, not fatal
                    failures.append(str(exc))
                    continue
                seconds.append(done - started)
                await asyncio.sleep(0.05)  # a person does not press faster than this
            await pilot.pause()
            rss, peak = _rss_mb(), _peak_rss_mb()
            await _quiesce(app, pilot)
        return {
            "seconds": seconds,
            "rss_mb": rss,
            "peak_rss_mb": peak,
            "opened": n_open,
            "failures": failures,
        }

    return asyncio.run(main())


def tui_profile(
    metastore_url: str, data_url: str, dag_id: str, task_id: str, presses: int
) -> dict[str, Any]:
    """Open the TUI on a task whose output is a large table (deep link, as `--dag --task`).

    Times the sample profile and the exact one as shown, and, while the exact profile
    computes, the time from a key press (down/up in the task list) to the screen showing it.
    """
    import asyncio

    from textual import events

    async def main() -> dict[str, Any]:
        app = _open_app(metastore_url, data_url, dag_id=dag_id, task_id=task_id)
        latencies: list[float] = []
        restarts = 0
        async with app.run_test(size=(120, 40)) as pilot:
            _, first_exact = await app.wait_mark("profile", 1, timeout=600)
            sample_shown = app.marks["profile"][0][0] - app.profile_started
            # The same moment on the wall clock, for the time from the process's start.
            sample_shown_at = time.time() - (time.perf_counter() - app.marks["profile"][0][0])
            if first_exact:
                raise RuntimeError("the first profile shown was already the exact one")
            _, exact = await app.wait_mark("profile", 2, timeout=3600)
            exact_shown = app.marks["profile"][1][0] - app.profile_started
            # Responsiveness: while an exact profile computes (`r` restarts it when it
            # finished), move the task list's cursor and time until the screen shows it.
            table = app.query_one("#task-table")
            while len(latencies) < presses and restarts < 20:
                if not _profiling(app):
                    _press(app, events, "r")
                    restarts += 1
                    deadline = time.perf_counter() + 30
                    while not _profiling(app) and time.perf_counter() < deadline:
                        await asyncio.sleep(0.01)
                    await asyncio.sleep(0.2)
                    continue
                if not table.has_focus:
                    table.focus()
                    await asyncio.sleep(0.1)
                before = table.cursor_row
                count = len(app.marks.get("task", []))
                key = "down" if before == 0 else "up"
                app.cursor_from = before
                started = time.perf_counter()
                _press(app, events, key)
                done, _task = await app.wait_mark("task", count + 1, timeout=60)
                if table.cursor_row == before:
                    raise RuntimeError("the key press did not move the cursor")
                if _profiling(app):
                    latencies.append(done - started)
                await asyncio.sleep(0.1)  # about as fast as a person repeats a key
            await _quiesce(app, pilot)
        return {
            "sample_shown": sample_shown,
            "sample_shown_at": sample_shown_at,
            "exact_shown": exact_shown,
            "exact": exact,
            "latencies": latencies,
            "restarts": restarts,
            "peak_rss_mb": _peak_rss_mb(),
        }

    return asyncio.run(main())


async def _quiesce(app: Any, pilot: Any) -> None:
    """Stop the app's workers and drain their messages before the app shuts down.

    ddtui's handlers expect the screen to be there: a worker reporting back during
    shutdown raises NoMatches (reported to the TUI's authors), which is not what we measure.
    """
    import asyncio

    app.workers.cancel_all()
    for _ in range(3):
        await pilot.pause()
        await asyncio.sleep(0.05)


def _profiling(app: Any) -> bool:
    return any(w.group == "profile" and w.is_running for w in app.workers)


def _press(app: Any, events: Any, key: str) -> None:
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)


def tui_log_open(metastore_url: str, log_folder: str) -> dict[str, Any]:
    """`l` on the task with the big log, until the screen shows the log's end."""
    import asyncio

    os.environ["AIRFLOW__LOGGING__BASE_LOG_FOLDER"] = log_folder

    async def main() -> dict[str, Any]:
        from ddtui.tui.log_screen import LogScreen

        app = _open_app(metastore_url, None, dag_id="task_logs", task_id="chatty")
        async with app.run_test(size=(120, 40)) as pilot:
            await app.wait_mark("dag", 1, timeout=300)
            await _quiesce(app, pilot)
            before = _rss_mb()
            started = time.perf_counter()
            await pilot.press("l")
            screen = app.screen
            assert isinstance(screen, LogScreen)
            while not screen.view.rows:
                await screen.workers.wait_for_complete()
                await pilot.pause()
            seconds = time.perf_counter() - started
            after = _rss_mb()
            rows = len(screen.view.rows)
            await _quiesce(app, pilot)
        return {"seconds": seconds, "rss_added_mb": after - before, "rows": rows}

    return asyncio.run(main())


def tasklist_data_layer(metastore_url: str, dag_ids: list[str]) -> dict[str, Any]:
    """The data-layer part of opening a DAG: structure, runs, run detail, outputs."""
    from ddtui.config.settings import DataSettings
    from ddtui.metastore import open_metastore
    from ddtui.usecases.tasks import resolve_outputs

    store = open_metastore(metastore_url)
    data = DataSettings(None, "")
    seconds = []
    for dag_id in dag_ids:
        started = time.perf_counter()
        structure = store.dag_structure(dag_id)
        runs = store.runs(dag_id)
        detail = store.run_detail(dag_id, runs[0].run_id)
        resolve_outputs(structure, detail, data)
        seconds.append(time.perf_counter() - started)
    return {"seconds": seconds}


PROBES = {
    "pandas_profile": pandas_profile,
    "ddtui_profile": ddtui_profile,
    "ddtui_stages": ddtui_stages,
    "tui_startup": tui_startup,
    "tui_browse": tui_browse,
    "tui_profile": tui_profile,
    "tasklist_data_layer": tasklist_data_layer,
    "tui_log_open": tui_log_open,
    **PEER_PROBES,
}


def main() -> None:
    name, args = sys.argv[1], json.loads(sys.argv[2])
    if os.environ.get("DDTUI_BENCH_PYINSTRUMENT"):
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="disabled")
        profiler.start()
        result = PROBES[name](**args)
        profiler.stop()
        out = os.environ["DDTUI_BENCH_PYINSTRUMENT"]
        flat = profiler.output_text(unicode=True, flat=True).splitlines()
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(profiler.output_text(unicode=True, show_all=False))
            handle.write("\nTop functions by own time:\n" + "\n".join(flat[:60]) + "\n")
    else:
        result = PROBES[name](**args)
    result.setdefault("peak_rss_mb", _peak_rss_mb())
    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
