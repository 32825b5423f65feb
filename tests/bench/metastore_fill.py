"""Fill a freshly migrated Airflow metastore to production scale by copying template rows.

The template rows come from a real `airflow dags test` run of `template_dag.py`; each
table's rows are copied with new ids (DAGs, versions, runs, task instances), so every NOT
NULL and foreign-key constraint of Airflow's schema holds. Rows are written with the
driver's bulk path (SQLite `executemany`, PostgreSQL `COPY`), never through Airflow's ORM.

Rows are kept in SQLite's stored form (text timestamps in UTC, JSON as text, 0/1 booleans);
PostgreSQL's COPY parses the same text into its own types (the session runs in UTC).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.airflow_homes import TEMPLATE_DAG_ID

RUN_START = datetime(2025, 1, 1)
RENDERED_FIELDS_KEPT = 30  # Airflow's default max_num_rendered_ti_fields_per_task
TEAMS = 20
KINDS = ("daily", "ml", "reporting")
FLUSH_ROWS = 100_000
# In the latest run of the first DAG every task returns the benchmark's data table, so the
# TUI can be opened on a task whose output is a large table, and moving the cursor between
# its tasks keeps that table's profile running.
PROFILED_DAG_INDEX = 0
PROFILED_TABLE = "mixed"

Row = dict[str, Any]


def dag_id_of(index: int) -> str:
    return f"dag_{index:04d}"


def run_id_of(run_index: int) -> str:
    logical = RUN_START + timedelta(days=run_index)
    return f"scheduled__{logical.isoformat()}+00:00"


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(" ", "microseconds")


class _Ids:
    """UUIDv7-shaped ids (as Airflow makes them), increasing so primary keys append."""

    def __init__(self, millis: int) -> None:
        self.prefix = f"{millis:012x}7000"
        self.seq = 1 << 63  # the RFC 9562 variant bits

    def next(self) -> str:
        self.seq += 1
        return f"{self.prefix}{self.seq:016x}"


def _fraction(*keys: int) -> float:
    """A deterministic pseudo-random number in [0, 1) from integer keys (no RNG state)."""
    value = 0x9E3779B97F4A7C15
    for key in keys:
        value = ((value ^ key) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        value ^= value >> 31
    return (value & 0xFFFFFF) / float(1 << 24)


@dataclass
class Template:
    """The rows of one real DAG run, read from the template home's SQLite metastore."""

    columns: dict[str, list[str]]
    rows: dict[str, list[Row]]
    tasks: list[Row] = field(default_factory=list)  # task instances in execution order

    @classmethod
    def load(cls, path: Path) -> Template:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        tables = (
            "dag",
            "dag_tag",
            "dag_version",
            "dag_code",
            "serialized_dag",
            "dag_run",
            "task_instance",
            "xcom",
            "rendered_task_instance_fields",
            "dag_bundle",
            "log_template",
        )
        columns: dict[str, list[str]] = {}
        rows: dict[str, list[Row]] = {}
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns[table] = [d[0] for d in cursor.description]
            rows[table] = [dict(r) for r in cursor.fetchall()]
        conn.close()
        tasks = sorted(rows["task_instance"], key=lambda r: r["start_date"] or "")
        if len(rows["dag"]) != 1 or len(tasks) != 20:
            raise RuntimeError(f"template metastore {path} is not one 20-task DAG run")
        return cls(columns, rows, tasks)

    def one(self, table: str) -> Row:
        return self.rows[table][0]


class Writer:
    """Bulk insert of rows given as dicts, in the column order of the template."""

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def missing_keys(self, table: str, key: str) -> set[Any]:
        raise NotImplementedError


class SqliteWriter(Writer):
    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path)
        # Bulk load: no journal, no fsync (a crash leaves no marker, so the build reruns).
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-512000")

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)

    def existing(self, table: str, key: str) -> set[Any]:
        return {r[0] for r in self.conn.execute(f'SELECT "{key}" FROM "{table}"')}

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        """Drop the tables' secondary indexes; return their DDL to recreate them after."""
        marks = ", ".join("?" for _ in tables)
        found = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})",
            list(tables),
        ).fetchall()
        for name, _sql in found:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [ddl for _name, ddl in found]

    def create_indexes(self, ddl: Sequence[str]) -> None:
        for statement in ddl:
            self.conn.execute(statement)

    def commit(self) -> None:
        self.conn.commit()

    def check(self) -> list[tuple[Any, ...]]:
        """Foreign-key violations (SQLite does not enforce them during the load)."""
        return self.conn.execute("PRAGMA foreign_key_check").fetchall()

    def close(self) -> None:
        self.conn.close()


class PostgresWriter(Writer):
    def __init__(self, dsn: str) -> None:
        import psycopg

        self.conn = psycopg.connect(dsn)
        self.conn.execute("SET TIME ZONE 'UTC'")

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def existing(self, table: str, key: str) -> set[Any]:
        return {r[0] for r in self.conn.execute(f'SELECT "{key}" FROM "{table}"')}

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        """Drop the tables' indexes that back no constraint; return their DDL."""
        found = self.conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = 'public' AND i.tablename = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (list(tables),),
        ).fetchall()
        for name, _ddl in found:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [ddl for _name, ddl in found]

    def create_indexes(self, ddl: Sequence[str]) -> None:
        for statement in ddl:
            self.conn.execute(statement)

    def commit(self) -> None:
        self.conn.commit()

    def check(self) -> list[tuple[Any, ...]]:
        return []  # PostgreSQL checked every foreign key during COPY

    def close(self) -> None:
        self.conn.close()


@dataclass
class FillStats:
    dags: int = 0
    runs: int = 0
    task_instances: int = 0
    xcoms: int = 0
    rendered: int = 0


def fill_metastore(
    writer: SqliteWriter | PostgresWriter,
    template: Template,
    n_dags: int,
    runs_per_dag: int,
    say: Callable[[str], None] = print,
) -> FillStats:
    """Copy the template DAG to `n_dags` DAGs with `runs_per_dag` runs each."""
    t = template
    stats = FillStats()
    ids = _Ids(int(datetime(2025, 1, 1).timestamp() * 1000))
    cols = t.columns

    # Rows Airflow creates outside the DAG run: the dag bundle and log templates.
    for table, key in (("dag_bundle", "name"), ("log_template", "id")):
        have = writer.existing(table, key)
        missing = [r for r in t.rows[table] if r[key] not in have]
        writer.write(table, cols[table], ([r[c] for c in cols[table]] for r in missing))

    versions: list[str] = []
    per_table: dict[str, list[list[Any]]] = {
        name: [] for name in ("dag", "dag_tag", "dag_version", "dag_code", "serialized_dag")
    }
    tpl_dag, tpl_code, tpl_ser = t.one("dag"), t.one("dag_code"), t.one("serialized_dag")
    tpl_fileloc, tpl_rel = tpl_dag["fileloc"], tpl_dag["relative_fileloc"]
    for i in range(n_dags):
        dag_id = dag_id_of(i)
        team = f"team_{i % TEAMS:02d}"
        rel = f"{team}/{dag_id}.py"
        fileloc = f"/opt/airflow/dags/{rel}"
        version_id = ids.next()
        versions.append(version_id)
        parsed = _ts(RUN_START + timedelta(days=runs_per_dag, minutes=i % 60))
        next_run = _ts(RUN_START + timedelta(days=runs_per_dag))
        dag = {
            **tpl_dag,
            "dag_id": dag_id,
            "fileloc": fileloc,
            "relative_fileloc": rel,
            "is_paused": int(i % 7 == 3),
            "owners": f"{team},data-science",
            "last_parsed_time": parsed,
            "next_dagrun": next_run,
            "next_dagrun_data_interval_start": next_run,
            "next_dagrun_data_interval_end": next_run,
            "next_dagrun_create_after": next_run,
        }
        per_table["dag"].append([dag[c] for c in cols["dag"]])
        for tag in (team, KINDS[i % len(KINDS)]):
            per_table["dag_tag"].append(
                [{"name": tag, "dag_id": dag_id}[c] for c in cols["dag_tag"]]
            )
        version = {
            **t.one("dag_version"),
            "id": version_id,
            "dag_id": dag_id,
            "created_at": parsed,
            "last_updated": parsed,
        }
        per_table["dag_version"].append([version[c] for c in cols["dag_version"]])
        code = {
            **tpl_code,
            "id": ids.next(),
            "dag_id": dag_id,
            "fileloc": fileloc,
            "dag_version_id": version_id,
            "source_code": tpl_code["source_code"].replace(TEMPLATE_DAG_ID, dag_id),
            "created_at": parsed,
            "last_updated": parsed,
        }
        per_table["dag_code"].append([code[c] for c in cols["dag_code"]])
        data = (
            tpl_ser["data"]
            .replace(f'"{TEMPLATE_DAG_ID}"', json.dumps(dag_id))
            .replace(json.dumps(tpl_fileloc), json.dumps(fileloc))
            .replace(json.dumps(tpl_rel), json.dumps(rel))
        )
        serialized = {
            **tpl_ser,
            "id": ids.next(),
            "dag_id": dag_id,
            "data": data,
            "dag_hash": hashlib.md5(data.encode(), usedforsecurity=False).hexdigest(),
            "dag_version_id": version_id,
            "created_at": parsed,
            "last_updated": parsed,
        }
        per_table["serialized_dag"].append([serialized[c] for c in cols["serialized_dag"]])
    for table, rows in per_table.items():
        writer.write(table, cols[table], rows)
    writer.commit()
    stats.dags = n_dags
    say(f"    {n_dags} DAGs with tags, versions, code and serialized DAGs")

    buffers: dict[str, list[list[Any]]] = {
        name: [] for name in ("dag_run", "task_instance", "xcom", "rendered_task_instance_fields")
    }

    def flush() -> None:
        for table, rows in buffers.items():  # parents before children: FK order
            writer.write(table, cols[table], rows)
            rows.clear()

    # Bulk load, then index: the indexes Airflow's migrations made are recreated unchanged.
    index_ddl = writer.drop_indexes(list(buffers))
    runs = _RunRows(t, runs_per_dag)
    ti_pos = {c: n for n, c in enumerate(cols["task_instance"])}
    x_pos = {c: n for n, c in enumerate(cols["xcom"])}
    rf_pos = {c: n for n, c in enumerate(cols["rendered_task_instance_fields"])}
    run_pk = 0
    for i in range(n_dags):
        dag_id = dag_id_of(i)
        version_id = versions[i]
        for r in range(runs_per_dag):
            run_pk += 1
            if r == runs_per_dag - 1 and i % 10 == 5:
                state = "running"
            elif _fraction(i, r, 1) < 0.04:
                state = "failed"
            else:
                state = "success"
            plan = runs.get(i, r, state)
            run_row = list(plan.run)
            run_row[runs.run_pos["id"]] = run_pk
            run_row[runs.run_pos["dag_id"]] = dag_id
            run_row[runs.run_pos["created_dag_version_id"]] = version_id
            buffers["dag_run"].append(run_row)
            for k, base in enumerate(plan.task_instances):
                row = list(base)
                row[ti_pos["id"]] = ids.next()
                row[ti_pos["dag_id"]] = dag_id
                row[ti_pos["dag_version_id"]] = version_id
                if row[ti_pos["hostname"]]:
                    row[ti_pos["hostname"]] = f"worker-{(i + k) % 8}"
                    row[ti_pos["pid"]] = 10_000 + (run_pk * 7 + k) % 50_000
                buffers["task_instance"].append(row)
            for base in plan.xcoms:
                row = list(base)
                row[x_pos["dag_run_id"]] = run_pk
                row[x_pos["dag_id"]] = dag_id
                if i == PROFILED_DAG_INDEX and plan.latest:
                    row[x_pos["value"]] = json.dumps(PROFILED_TABLE)
                buffers["xcom"].append(row)
            for base in plan.rendered:
                row = list(base)
                row[rf_pos["dag_id"]] = dag_id
                if i == PROFILED_DAG_INDEX and plan.latest:
                    row[rf_pos["rendered_fields"]] = json.dumps({"output_table": PROFILED_TABLE})
                buffers["rendered_task_instance_fields"].append(row)
            stats.runs += 1
            stats.task_instances += len(plan.task_instances)
            stats.xcoms += len(plan.xcoms)
            stats.rendered += len(plan.rendered)
            if len(buffers["task_instance"]) >= FLUSH_ROWS:
                flush()
        if (i + 1) % max(n_dags // 10, 1) == 0:
            say(f"    {i + 1}/{n_dags} DAGs: {stats.task_instances:,} task instances")
    flush()
    say(f"    recreating {len(index_ddl)} indexes")
    writer.create_indexes(index_ddl)
    writer.commit()
    return stats


@dataclass
class _RunPlan:
    """One run's rows with the DAG-specific values (ids, dag_id, version) still to fill in."""

    latest: bool
    run: list[Any]
    task_instances: list[list[Any]]
    xcoms: list[list[Any]]
    rendered: list[list[Any]]


class _RunRows:
    """Rows of run `r` in one of a few timing variants; successful runs are made once each."""

    VARIANTS = 7

    def __init__(self, template: Template, runs_per_dag: int) -> None:
        self.t = template
        self.runs_per_dag = runs_per_dag
        self.run_pos = {c: n for n, c in enumerate(template.columns["dag_run"])}
        self._cache: dict[tuple[int, int], _RunPlan] = {}

    def get(self, dag_index: int, r: int, state: str) -> _RunPlan:
        if state != "success":
            return self._make(dag_index, r, state)
        key = (dag_index % self.VARIANTS, r)
        if key not in self._cache:
            self._cache[key] = self._make(key[0], r, state)
        return self._cache[key]

    def _make(self, v: int, r: int, run_state: str) -> _RunPlan:
        t, cols, tasks = self.t, self.t.columns, self.t.tasks
        n_tasks = len(tasks)
        latest = r == self.runs_per_dag - 1
        logical = RUN_START + timedelta(days=r)
        run_id = run_id_of(r)
        ds_nodash = logical.strftime("%Y%m%d")
        fail_at = int(_fraction(v, r, 2) * n_tasks) if run_state == "failed" else n_tasks
        running_at = n_tasks // 2 if run_state == "running" else n_tasks
        queued = logical + timedelta(seconds=1 + 30 * _fraction(v, r, 3))
        start = queued + timedelta(seconds=2)
        clock = start
        keep_rendered = r >= self.runs_per_dag - RENDERED_FIELDS_KEPT
        tis, xcoms, rendered = [], [], []
        for k, tpl_ti in enumerate(tasks):
            task_id = tpl_ti["task_id"]
            ti = dict(tpl_ti, run_id=run_id)
            ran = k < min(fail_at, running_at) or k in (fail_at, running_at)
            if ran:
                duration = 5 + 295 * _fraction(v, r, k, 4)
                ti_start = clock + timedelta(seconds=1)
                finished = k < min(fail_at, running_at) or k == fail_at
                ti_end = ti_start + timedelta(seconds=duration) if finished else None
                if k < min(fail_at, running_at):
                    state = "success"
                else:
                    state = "failed" if k == fail_at else "running"
                ti.update(
                    state=state,
                    start_date=_ts(ti_start),
                    end_date=_ts(ti_end),
                    duration=round(duration, 6) if finished else None,
                    scheduled_dttm=_ts(clock),
                    queued_dttm=_ts(clock + timedelta(milliseconds=400)),
                    last_heartbeat_at=_ts(ti_start + timedelta(seconds=min(duration, 5))),
                    updated_at=_ts(ti_end or ti_start),
                    hostname="worker",
                )
                clock = ti_end or ti_start
            else:
                ti.update(
                    state="upstream_failed" if run_state == "failed" else None,
                    start_date=None,
                    end_date=None,
                    duration=None,
                    scheduled_dttm=None,
                    queued_dttm=None,
                    last_heartbeat_at=None,
                    hostname="",
                    pid=None,
                    try_number=0 if run_state == "running" else tpl_ti["try_number"],
                    updated_at=_ts(clock),
                )
            tis.append([ti[c] for c in cols["task_instance"]])
            if ti["state"] == "success":
                table = f"{task_id}_{ds_nodash}"
                xcom = {
                    "dag_run_id": 0,
                    "task_id": task_id,
                    "map_index": -1,
                    "key": "return_value",
                    "dag_result": 0,
                    "dag_id": "",
                    "run_id": run_id,
                    "value": json.dumps(table),
                    "timestamp": ti["end_date"],
                }
                xcoms.append([xcom[c] for c in cols["xcom"]])
                if keep_rendered:
                    fields = {
                        "dag_id": "",
                        "task_id": task_id,
                        "run_id": run_id,
                        "map_index": -1,
                        "k8s_pod_yaml": "null",
                        "rendered_fields": json.dumps({"output_table": table}),
                    }
                    rendered.append([fields[c] for c in cols["rendered_task_instance_fields"]])
        end = clock + timedelta(seconds=1) if run_state != "running" else None
        run = {
            **t.one("dag_run"),
            "run_id": run_id,
            "run_type": "scheduled",
            "triggered_by": "TIMETABLE",
            "triggering_user_name": None,
            "state": run_state,
            "logical_date": _ts(logical),
            "data_interval_start": _ts(logical),
            "data_interval_end": _ts(logical),
            "run_after": _ts(logical),
            "queued_at": _ts(queued),
            "start_date": _ts(start),
            "end_date": _ts(end),
            "last_scheduling_decision": _ts(clock),
            "created_at": _ts(logical),
            "updated_at": _ts(clock),
        }
        return _RunPlan(latest, [run[c] for c in cols["dag_run"]], tis, xcoms, rendered)
