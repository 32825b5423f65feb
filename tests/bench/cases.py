"""The benchmark's figures: ddtui and its baseline measured side by side, run after run.

Every figure alternates ddtui and baseline runs, so both see the same machine load; the
report gives medians with min and max, and ratios of medians.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from tests.bench import airflow_homes
from tests.bench.fixtures import DataTable, Fixtures, Metastore
from tests.bench.log_open import log_open
from tests.bench.measure import ProcessRun, Sample, run_probe, run_process
from tests.bench.metastore_fill import PROFILED_DAG_INDEX, dag_id_of, run_id_of
from tests.bench.peer_cases import PeerRuns, peer_figures

# The start-up floor: what ddtui's first frame cannot do without.
FLOOR_IMPORTS = "import textual.app, textual.widgets, sqlalchemy"
BROWSE_DAGS = 20  # "RSS after opening 20 DAGs"
PRESSES = 20  # key presses per responsiveness run


@dataclass
class Figure:
    """One line of the result table."""

    key: str
    what: str
    unit: str  # "s", "ms" or "MB"
    ddtui: Sample
    baseline: Sample | None = None
    max_ratio: float | None = None
    max_abs: float | None = None
    note: str = ""
    cpu: tuple[Sample, Sample] | None = None  # process CPU seconds: ddtui, baseline

    @property
    def ratio(self) -> float | None:
        if not self.baseline or not self.ddtui or self.baseline.median == 0:
            return None
        return self.ddtui.median / self.baseline.median

    @property
    def target(self) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"<= {self.max_ratio:g} x")
        if self.max_abs is not None:
            parts.append(f"<= {self.max_abs:g} {self.unit}")
        return " and ".join(parts) or "(info)"

    @property
    def met(self) -> bool | None:
        if self.max_ratio is None and self.max_abs is None:
            return None
        ok = True
        if self.max_ratio is not None:
            ok = ok and self.ratio is not None and self.ratio <= self.max_ratio
        if self.max_abs is not None:
            ok = ok and self.ddtui.median <= self.max_abs
        return ok


@dataclass
class Growth:
    """How a ddtui figure grows with the size of what it reads."""

    what: str
    unit: str
    small_label: str
    small: Sample
    large_label: str
    large: Sample
    size_ratio: float
    allowed: float  # the growth we accept: size_ratio (linear) or less (nearly flat)
    allowed_text: str

    @property
    def growth(self) -> float:
        return self.large.median / self.small.median

    @property
    def ok(self) -> bool:
        return self.growth <= self.allowed


@dataclass
class Bench:
    fixtures: Fixtures
    quick: bool = False
    pyinstrument_dir: Path | None = None
    figures: list[Figure] = field(default_factory=list)
    growth: list[Growth] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    # Sizes and repetitions -----------------------------------------------------------

    @property
    def n_dags(self) -> int:
        return 100 if self.quick else 1000

    @property
    def sqlite_rows(self) -> int:
        return 100_000 if self.quick else 1_000_000

    @property
    def pg_rows(self) -> int:
        return 500_000 if self.quick else 5_000_000

    @property
    def reps(self) -> int:
        return 2 if self.quick else 5

    @property
    def slow_reps(self) -> int:
        return 2 if self.quick else 3

    def say(self, text: str) -> None:
        print(text, flush=True)

    def profile_once(self, name: str, probe: str, **args: Any) -> None:
        """With --pyinstrument: one more (untimed) run of a ddtui probe under pyinstrument."""
        if self.pyinstrument_dir is None:
            return
        self.pyinstrument_dir.mkdir(parents=True, exist_ok=True)
        out = self.pyinstrument_dir / f"{name}.txt"
        try:
            run_probe(probe, pyinstrument_to=out, **args)
        except RuntimeError as exc:  # a profile is a diagnostic: report, do not stop the run
            self.notes.append(f"pyinstrument run of {name} failed: {str(exc).splitlines()[-1]}")
            return
        self.notes.append(f"pyinstrument profile of {name}: {out}")


# Baselines ---------------------------------------------------------------------------


def _json_payload(run: ProcessRun) -> Any:
    """Airflow prints warnings before its JSON: take the JSON line."""
    for line in run.stdout.splitlines():
        if line.startswith(("[", "{")):
            return json.loads(line)
    raise RuntimeError(run.failure("printed no JSON"))


def airflow_dags_list(meta: Metastore) -> ProcessRun:
    run = run_process(
        [airflow_homes.airflow_executable(), "dags", "list", "-o", "json"],
        env=airflow_homes.airflow_env(meta.home, meta.url),
    ).check()
    listed = len(_json_payload(run))
    if listed != meta.n_dags:
        raise RuntimeError(f"`airflow dags list` listed {listed} DAGs, expected {meta.n_dags}")
    return run


def airflow_states(meta: Metastore, dag_id: str, run_id: str) -> ProcessRun:
    argv = [airflow_homes.airflow_executable(), "tasks", "states-for-dag-run"]
    run = run_process(
        [*argv, dag_id, run_id, "-o", "json"],
        env=airflow_homes.airflow_env(meta.home, meta.url),
    ).check()
    states = _json_payload(run)
    if len(states) != 20 or not all(s.get("state") for s in states):
        raise RuntimeError(f"`airflow tasks states-for-dag-run` gave {len(states)} states")
    return run


# Cases -------------------------------------------------------------------------------


def startup(b: Bench) -> None:
    """Start to first frame with the DAG tree filled, against `airflow dags list`."""
    for backend in ("sqlite", "postgresql"):
        if backend == "postgresql" and not b.fixtures.pg_available():
            b.notes.append("PostgreSQL metastore start-up skipped: no server")
            continue
        meta = b.fixtures.metastore(backend, b.n_dags)
        ddtui, base, d_cpu, b_cpu = Sample(), Sample(), Sample(), Sample()
        floor = Sample()
        reps = b.reps if backend == "sqlite" else b.slow_reps
        for rep in range(reps):
            b.say(f"  startup {backend} {rep + 1}/{reps}")
            listed = airflow_dags_list(meta)
            base.add(listed.seconds)
            b_cpu.add(listed.cpu_seconds)
            run = run_probe("tui_startup", metastore_url=meta.url, n_dags=meta.n_dags)
            ddtui.add(run.result["ready_at"] - run.spawned_at)
            d_cpu.add(run.cpu_seconds)
            if backend == "sqlite":
                floor.add(run_process([sys.executable, "-c", FLOOR_IMPORTS]).check().seconds)
        label = "SQLite" if backend == "sqlite" else "PostgreSQL"
        b.figures.append(
            Figure(
                "startup",
                f"start to first frame, DAG tree filled ({meta.n_dags} DAGs, {label})",
                "s",
                ddtui,
                base,
                max_ratio=0.25,
                max_abs=1.0,
                note="baseline: airflow dags list -o json",
                cpu=(d_cpu, b_cpu),
            )
        )
        if backend == "sqlite":
            b.figures.append(
                Figure(
                    "startup",
                    "  floor: a process that only imports Textual and SQLAlchemy",
                    "s",
                    floor,
                    base,
                    note="what any Textual app on SQLAlchemy pays before its first frame",
                )
            )
            b.profile_once("startup", "tui_startup", metastore_url=meta.url, n_dags=meta.n_dags)
    if not b.quick:
        small_meta = b.fixtures.metastore("sqlite", 100)
        small = Sample([_startup_seconds(small_meta) for _ in range(b.reps)])
        large = next(f.ddtui for f in b.figures if f.key == "startup")
        b.growth.append(
            Growth(
                "start to first frame (SQLite)",
                "s",
                "100 DAGs",
                small,
                "1,000 DAGs",
                large,
                10,
                2.0,
                "nearly flat: <= 2 x",
            )
        )


def _startup_seconds(meta: Metastore) -> float:
    run = run_probe("tui_startup", metastore_url=meta.url, n_dags=meta.n_dags)
    return run.result["ready_at"] - run.spawned_at


def _browse(b: Bench, meta: Metastore) -> list[dict[str, Any]]:
    """Runs of the TUI opening DAGs one after another (shared by tasklist and memory)."""
    key = ("browse", meta.backend, meta.n_dags)
    if key not in b._cache:
        b._cache[key] = []
    return b._cache[key]


def _browse_run(meta: Metastore) -> dict[str, Any]:
    return run_probe("tui_browse", metastore_url=meta.url, n_open=BROWSE_DAGS).result


def tasklist(b: Bench) -> None:
    """Select a DAG -> its task list with states, against `airflow tasks states-for-dag-run`."""
    meta = b.fixtures.metastore("sqlite", b.n_dags)
    runs = _browse(b, meta)
    base = Sample()
    latest = run_id_of(meta.runs_per_dag - 1)
    for rep in range(b.reps):
        b.say(f"  tasklist {rep + 1}/{b.reps}")
        base.add(airflow_states(meta, dag_id_of(1 + 3 * rep), latest).seconds * 1000)
        if len(runs) < b.slow_reps:
            runs.append(_browse_run(meta))
    ddtui = Sample([s * 1000 for run in runs for s in run["seconds"]])
    failures = [f for run in runs for f in run.get("failures", [])]
    if failures:
        b.notes.append(f"{len(failures)} DAG selection(s) never showed: {failures[0]}")
    b.figures.append(
        Figure(
            "tasklist",
            "select a DAG -> task list with states (TUI, key to screen)",
            "ms",
            ddtui,
            base,
            max_ratio=0.1,
            max_abs=150,
            note=f"{len(ddtui.values)} DAG selections in {len(runs)} runs; "
            "baseline: airflow tasks states-for-dag-run -o json",
        )
    )
    dag_ids = [dag_id_of(i) for i in range(1, 3 * BROWSE_DAGS, 3)]
    layer = Sample()
    for _ in range(b.slow_reps):
        run = run_probe("tasklist_data_layer", metastore_url=meta.url, dag_ids=dag_ids)
        layer.extend([s * 1000 for s in run.result["seconds"]])
    b.figures.append(
        Figure(
            "tasklist",
            "  of which the data layer (structure, runs, run detail, outputs)",
            "ms",
            layer,
            base,
        )
    )
    b.profile_once("browse", "tui_browse", metastore_url=meta.url, n_open=BROWSE_DAGS)
    b.profile_once(
        "tasklist_data_layer", "tasklist_data_layer", metastore_url=meta.url, dag_ids=dag_ids
    )
    if not b.quick:
        small_meta = b.fixtures.metastore("sqlite", 100)
        small_runs = _browse(b, small_meta)
        while len(small_runs) < b.slow_reps:
            small_runs.append(_browse_run(small_meta))
        small = Sample([s * 1000 for run in small_runs for s in run["seconds"]])
        b.growth.append(
            Growth(
                "select a DAG -> task list",
                "ms",
                "100 DAGs",
                small,
                "1,000 DAGs",
                ddtui,
                10,
                2.0,
                "nearly flat: <= 2 x",
            )
        )


def memory(b: Bench) -> None:
    """RSS of the TUI after opening 20 DAGs of the large metastore."""
    meta = b.fixtures.metastore("sqlite", b.n_dags)
    runs = _browse(b, meta)
    while len(runs) < b.slow_reps:
        b.say(f"  memory {len(runs) + 1}/{b.slow_reps}")
        runs.append(_browse_run(meta))
    rss = Sample([run["rss_mb"] for run in runs])
    b.figures.append(
        Figure(
            "memory",
            f"RSS after opening {BROWSE_DAGS} DAGs ({meta.n_dags} DAGs, SQLite)",
            "MB",
            rss,
            max_abs=250,
            note=f"peak {max(r['peak_rss_mb'] for r in runs):.0f} MB",
        )
    )
    if not b.quick:
        small_meta = b.fixtures.metastore("sqlite", 100)
        small_runs = _browse(b, small_meta)
        while len(small_runs) < b.slow_reps:
            small_runs.append(_browse_run(small_meta))
        small = Sample([run["rss_mb"] for run in small_runs])
        b.growth.append(
            Growth(
                "RSS after opening 20 DAGs",
                "MB",
                "100 DAGs",
                small,
                "1,000 DAGs",
                rss,
                10,
                10,
                "<= linear",
            )
        )


def _profile_pair(
    b: Bench,
    url: str,
    table: str,
    reps: int,
    label: str,
    peers: PeerRuns | None = None,
    preload_pandas: bool = True,
) -> tuple[Sample, Sample, Sample, Sample]:
    """Alternating runs of the pandas baseline and ddtui's exact profile (and its peers)."""
    d_time, b_time, d_mem, b_mem = Sample(), Sample(), Sample(), Sample()
    d_cpu, b_cpu = Sample(), Sample()
    for rep in range(reps):
        b.say(f"  {label} {rep + 1}/{reps}")
        base = run_probe("pandas_profile", url=url, table=table)
        ours = run_probe(
            "ddtui_profile", url=url, table=table, mode="exact", preload_pandas=preload_pandas
        )
        result = ours.result
        if not result["exact"] or result["rows"] != base.result["rows"]:
            raise RuntimeError(f"ddtui profile not exact or wrong row count: {result}")
        b_time.add(base.result["seconds"])
        d_time.add(result["seconds"])
        b_mem.add(base.peak_rss_mb)
        d_mem.add(ours.peak_rss_mb)
        d_cpu.add(ours.cpu_seconds)
        b_cpu.add(base.cpu_seconds)
        strategy = result["strategy"]
        loaded = result.get("pandas_loaded")
        if peers is not None:
            peers.measure(url, table)
    b.notes.append(
        f"{label}: ddtui strategy {strategy!r}; process CPU time (with imports) "
        f"ddtui {d_cpu.median:.1f} s, baseline {b_cpu.median:.1f} s"
        + ("" if loaded or preload_pandas else "; ddtui's process never loaded pandas")
    )
    return d_time, b_time, d_mem, b_mem


def _peer_runs(b: Bench, backend: str, rows: int, only: tuple[str, ...] | None = None) -> PeerRuns:
    """polars and DuckDB, measured in the same repetitions (those installed)."""
    peers = PeerRuns(backend, rows, only)
    if peers.missing:
        b.notes.append(
            f"not measured on {backend}: {'; '.join(peers.missing)} (pip install -e .[bench])"
        )
    return peers


def _rows_label(rows: int) -> str:
    return f"{rows // 1_000_000}M" if rows % 1_000_000 == 0 else f"{rows // 1000}k"


def profile_sqlite(b: Bench) -> None:
    """Exact profile of the SQLite table against the pandas baseline (time and memory)."""
    data = b.fixtures.data_table("sqlite", b.sqlite_rows)
    rows = _rows_label(data.rows)
    peers = _peer_runs(b, "sqlite", data.rows)
    d_time, b_time, d_mem, b_mem = _profile_pair(
        b, data.url, data.table, b.reps, f"exact profile SQLite {rows}", peers
    )
    note = (
        "baseline: read_sql_table + describe + isna + nunique + np.histogram; both timed "
        "from a process with numpy, pandas and SQLAlchemy imported"
    )
    b.figures += [
        Figure(
            "profile-sqlite",
            f"exact profile, SQLite {rows} rows: time",
            "s",
            d_time,
            b_time,
            max_ratio=0.5,
            note=note,
        ),
        Figure(
            "profile-sqlite",
            f"exact profile, SQLite {rows} rows: peak RSS",
            "MB",
            d_mem,
            b_mem,
            max_ratio=0.25,
            note="whole process, interpreter and imports included",
        ),
        *peer_figures("profile-sqlite", f"SQLite {rows}", d_time, d_mem, peers),
    ]
    b.profile_once("profile_sqlite", "ddtui_profile", url=data.url, table=data.table)
    if not b.quick:
        small = b.fixtures.data_table("sqlite", 100_000)
        s_time, _, s_mem, _ = _profile_pair(b, small.url, small.table, b.reps, "SQLite 100k")
        b.growth += [
            Growth(
                "exact profile SQLite: time",
                "s",
                "100k rows",
                s_time,
                "1M rows",
                d_time,
                10,
                10,
                "<= linear",
            ),
            Growth(
                "exact profile SQLite: peak RSS",
                "MB",
                "100k rows",
                s_mem,
                "1M rows",
                d_mem,
                10,
                10,
                "<= linear",
            ),
        ]


def _ddtui_profiles(b: Bench, data: DataTable, reps: int, label: str) -> tuple[Sample, Sample]:
    """ddtui's exact profile alone (no baseline), `reps` runs: time and peak RSS."""
    seconds, peak, cpu = Sample(), Sample(), Sample()
    for rep in range(reps):
        b.say(f"  {label} {rep + 1}/{reps}")
        run = run_probe("ddtui_profile", url=data.url, table=data.table, mode="exact")
        if not run.result["exact"] or run.result["rows"] != data.rows:
            raise RuntimeError(f"ddtui profile not exact or wrong row count: {run.result}")
        seconds.add(run.result["seconds"])
        peak.add(run.peak_rss_mb)
        cpu.add(run.cpu_seconds)
    b.notes.append(f"{label}: process CPU time (with imports) ddtui {cpu.median:.1f} s")
    return seconds, peak


def profile_sqlite_large(b: Bench) -> None:
    """Exact profile of 1M, 5M and 10M SQLite rows: time, and peak RSS that stays flat.

    Beyond 16M kept values (stream.MEMORY_VALUES) the profile reads in passes; pandas is
    measured at 1M and 5M rows (at 10M it would need about 10 GB): 10M is against 1M.
    """
    reps = 1 if b.quick else b.slow_reps
    times: dict[int, Sample] = {}
    peaks: dict[int, Sample] = {}
    for millions in (1, 5, 10):
        data = b.fixtures.data_table("sqlite", millions * 1_000_000)
        label = f"exact profile SQLite {millions}M"
        if millions < 10:
            d_time, b_time, d_mem, b_mem = _profile_pair(b, data.url, data.table, reps, label)
        else:
            d_time, d_mem = _ddtui_profiles(b, data, reps, label)
            b_time = b_mem = None
        times[millions], peaks[millions] = d_time, d_mem
        b.figures += [
            Figure("profile-sqlite-large", f"exact profile, SQLite {millions}M rows: time",
                   "s", d_time, b_time),
            Figure("profile-sqlite-large", f"exact profile, SQLite {millions}M rows: peak RSS",
                   "MB", d_mem, b_mem, max_abs=300 if millions == 10 else None,
                   note="in passes, no column kept" if millions > 1 else "one pass"),
        ]  # fmt: skip
    b.growth += [
        Growth("exact profile SQLite: peak RSS", "MB", "1M rows", peaks[1], "10M rows",
               peaks[10], 10, 1.5, "flat (<= 1.5 x)"),
        Growth("exact profile SQLite: time", "s", "1M rows", times[1], "10M rows", times[10],
               10, 20, "<= 2 x linear (two passes)"),
    ]  # fmt: skip


def profile_pg(b: Bench) -> None:
    """Exact profile of the PostgreSQL table (push-down) against the pandas baseline."""
    if not b.fixtures.pg_available():
        b.notes.append("PostgreSQL profile skipped: no server")
        return
    data = b.fixtures.data_table("postgresql", b.pg_rows)
    rows = _rows_label(data.rows)
    peers = _peer_runs(b, "postgresql", data.rows)
    d_time, b_time, d_mem, b_mem = _profile_pair(
        b, data.url, data.table, b.slow_reps, f"exact profile PostgreSQL {rows}", peers
    )
    b.figures += [
        Figure(
            "profile-pg",
            f"exact profile, PostgreSQL {rows} rows: time",
            "s",
            d_time,
            b_time,
            max_ratio=0.3,
            note="ddtui pushes aggregates down as SQL",
        ),
        Figure(
            "profile-pg",
            f"exact profile, PostgreSQL {rows} rows: peak RSS",
            "MB",
            d_mem,
            b_mem,
            max_ratio=0.05,
        ),
        *peer_figures("profile-pg", f"PostgreSQL {rows}", d_time, d_mem, peers),
    ]
    b.profile_once("profile_pg", "ddtui_profile", url=data.url, table=data.table)
    if not b.quick:
        small = b.fixtures.data_table("postgresql", 500_000)
        s_time, _, s_mem, _ = _profile_pair(b, small.url, small.table, b.slow_reps, "PG 500k")
        b.growth += [
            Growth(
                "exact profile PostgreSQL: time",
                "s",
                "500k rows",
                s_time,
                "5M rows",
                d_time,
                10,
                10,
                "<= linear",
            ),
            Growth(
                "exact profile PostgreSQL: peak RSS",
                "MB",
                "500k rows",
                s_mem,
                "5M rows",
                d_mem,
                10,
                10,
                "<= linear",
            ),
        ]


def _tui_profile_runs(b: Bench) -> list[dict[str, Any]]:
    """TUI runs opened on a task whose output is the SQLite table (sample and responsive)."""
    key = ("tui_profile", b.n_dags, b.sqlite_rows)
    if key not in b._cache:
        meta = b.fixtures.metastore("sqlite", b.n_dags)
        data = b.fixtures.data_table("sqlite", b.sqlite_rows)
        args = {
            "metastore_url": meta.url,
            "data_url": data.url,
            "dag_id": dag_id_of(PROFILED_DAG_INDEX),
            "task_id": "extract_0",
            "presses": PRESSES,
        }
        runs = []
        for rep in range(b.slow_reps):
            b.say(f"  TUI on the {_rows_label(data.rows)}-row table {rep + 1}/{b.slow_reps}")
            run = run_probe("tui_profile", **args)
            from_start = run.result["sample_shown_at"] - run.spawned_at
            runs.append({**run.result, "from_start": from_start})
        b._cache[key] = runs
        b.profile_once("tui_profile", "tui_profile", **args)
    return b._cache[key]


def sample(b: Bench) -> None:
    """First (sample) profile shown in the TUI, and the data layer's stage times."""
    runs = _tui_profile_runs(b)
    rows = _rows_label(b.sqlite_rows)
    b.figures += [
        Figure(
            "sample",
            f"first (sample) profile shown, SQLite {rows} rows (TUI)",
            "s",
            Sample([r["sample_shown"] for r in runs]),
            max_abs=0.5,
            note="from the task's selection (a deep link, as the screen opens) to its sample "
            "profile on screen",
        ),
        Figure(
            "sample",
            "  the same, from the start of the process (deep link)",
            "s",
            Sample([r["from_start"] for r in runs]),
            note="`ddtui --dag D --task T` until its sample profile is on screen",
        ),
        Figure(
            "sample",
            f"  exact profile shown, SQLite {rows} rows (TUI)",
            "s",
            Sample([r["exact_shown"] for r in runs]),
        ),
    ]
    data = b.fixtures.data_table("sqlite", b.sqlite_rows)
    stages = [
        run_probe("ddtui_stages", url=data.url, table=data.table).result for _ in range(b.reps)
    ]
    sample_layer = Sample([s["sample"] for s in stages])
    b.figures.append(
        Figure(
            "sample",
            f"  sample profile ready, data layer, SQLite {rows} rows",
            "s",
            sample_layer,
            max_abs=0.5,
        )
    )
    if not b.quick:
        small = b.fixtures.data_table("sqlite", 100_000)
        small_stages = [
            run_probe("ddtui_stages", url=small.url, table=small.table).result
            for _ in range(b.reps)
        ]
        b.growth.append(
            Growth(
                "sample profile ready (data layer)",
                "s",
                "100k rows",
                Sample([s["sample"] for s in small_stages]),
                "1M rows",
                sample_layer,
                10,
                10,
                "<= linear",
            )
        )


def responsive(b: Bench) -> None:
    """Key press to screen update while the exact profile computes."""
    runs = _tui_profile_runs(b)
    latencies = Sample([s * 1000 for r in runs for s in r["latencies"]])
    if not latencies:
        b.notes.append("responsiveness: the profile finished before any key press")
        return
    rows = _rows_label(b.sqlite_rows)
    b.figures.append(
        Figure(
            "responsive",
            f"UI responsiveness while profiling SQLite {rows} (key to screen)",
            "ms",
            latencies,
            max_abs=50,
            note=f"{len(latencies.values)} presses while the exact profile ran",
        )
    )


def profile_duckdb(b: Bench) -> None:
    """Exact profile (push-down) of a DuckDB table against pandas and DuckDB's SUMMARIZE."""
    if find_spec("duckdb_engine") is None:
        b.notes.append("DuckDB profile skipped: ddtui[duckdb] not installed")
        return
    data = b.fixtures.data_table("duckdb", 500_000 if b.quick else 5_000_000)
    rows = _rows_label(data.rows)
    peers = _peer_runs(b, "duckdb", data.rows, only=("duckdb_summarize", "duckdb_exact"))
    d_time, b_time, d_mem, b_mem = _profile_pair(
        b,
        data.url,
        data.table,
        b.slow_reps,
        f"exact profile DuckDB {rows}",
        peers,
        preload_pandas=False,  # the push-down does not use it (checked: pandas_loaded)
    )
    b.figures += [
        Figure("profile-duckdb", f"exact profile, DuckDB {rows} rows: time", "s", d_time,
               b_time, max_ratio=0.2, note="ddtui pushes aggregates down as SQL"),
        Figure("profile-duckdb", f"exact profile, DuckDB {rows} rows: peak RSS", "MB", d_mem,
               b_mem, max_ratio=0.05),
        *peer_figures("profile-duckdb", f"DuckDB {rows}", d_time, d_mem, peers),
    ]  # fmt: skip
    b.profile_once("profile_duckdb", "ddtui_profile", url=data.url, table=data.table)


CASES: dict[str, Callable[[Bench], None]] = {
    "startup": startup,
    "tasklist": tasklist,
    "memory": memory,
    "profile-sqlite": profile_sqlite,
    "profile-sqlite-large": profile_sqlite_large,
    "sample": sample,
    "responsive": responsive,
    "profile-pg": profile_pg,
    "profile-duckdb": profile_duckdb,
    "log-open": log_open,
}
