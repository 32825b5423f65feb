"""Generated benchmark fixtures, made once and cached by a version key.

- a template Airflow home (real `airflow db migrate`, `dags reserialize`, `dags test`);
- large metastores: `airflow db migrate` (real schema), then the template's rows copied to
  N DAGs x 100 runs x 20 tasks (1,000 DAGs = 2,000,000 task instances), on SQLite and on
  PostgreSQL when the server is reachable;
- output tables of ten mixed columns: SQLite 100,000 and 1,000,000 rows; PostgreSQL
  500,000 and 5,000,000 rows.

SQLite fixtures live under the cache directory (`DDTUI_BENCH_CACHE`, default
`~/.cache/ddtui-bench/<key>`), PostgreSQL ones in databases `ddtui_bench_*` whose comment
holds the key. Bump FIXTURE_VERSION when a generator changes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from tests.bench import airflow_homes, datagen
from tests.bench.metastore_fill import (
    PROFILED_TABLE,
    PostgresWriter,
    SqliteWriter,
    Template,
    fill_metastore,
)

FIXTURE_VERSION = "3"
RUNS_PER_DAG = 100
PG_SERVER_DEFAULT = "postgresql://postgres@127.0.0.1:5432"


def fixture_key() -> str:
    digest = hashlib.sha256()
    digest.update(FIXTURE_VERSION.encode())
    digest.update(metadata.version("apache-airflow").encode())
    digest.update(airflow_homes.TEMPLATE_DAG_FILE.read_bytes())
    return digest.hexdigest()[:12]


def default_cache_dir() -> Path:
    root = os.environ.get("DDTUI_BENCH_CACHE")
    base = Path(root) if root else Path.home() / ".cache" / "ddtui-bench"
    return base / fixture_key()


@dataclass(frozen=True)
class Metastore:
    """A large metastore: where it is, for Airflow (home + URL) and for ddtui (URL)."""

    backend: str
    n_dags: int
    runs_per_dag: int
    home: Path  # an Airflow home whose dags folder is empty (for the airflow CLI)
    url: str

    @property
    def task_instances(self) -> int:
        return self.n_dags * self.runs_per_dag * 20


@dataclass(frozen=True)
class DataTable:
    backend: str
    rows: int
    url: str
    table: str


class Fixtures:
    """Builds what a benchmark asks for on first use; reuses what the cache holds."""

    def __init__(self, cache: Path | None = None, pg_server: str | None = None) -> None:
        self.cache = cache or default_cache_dir()
        self.cache.mkdir(parents=True, exist_ok=True)
        self.pg_server = pg_server or os.environ.get("DDTUI_BENCH_PG", PG_SERVER_DEFAULT)
        self.key = self.cache.name
        self.build_seconds: dict[str, float] = {}
        self._pg_ok: bool | None = None
        self._template: Template | None = None

    # Bookkeeping -------------------------------------------------------------------

    @contextmanager
    def _lock(self, ready: bool = False) -> Iterator[None]:
        """Serialise builds between processes; no lock needed for what is already built."""
        if ready:
            yield
            return
        with (self.cache / ".lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _marker(self, name: str) -> Path:
        return self.cache / f"{name}.done.json"

    def _done(self, name: str, started: float, **info: object) -> None:
        seconds = round(time.monotonic() - started, 1)
        self.build_seconds[name] = seconds
        data = {"key": self.key, "seconds": seconds, **info}
        self._marker(name).write_text(json.dumps(data), encoding="utf-8")
        print(f"  built {name} in {seconds:.0f} s", flush=True)

    def _cached(self, name: str) -> bool:
        marker = self._marker(name)
        if not marker.is_file():
            return False
        data = json.loads(marker.read_text(encoding="utf-8"))
        return data.get("key") == self.key

    def recorded_build_seconds(self) -> dict[str, float]:
        """How long each cached fixture took to build (from its marker)."""
        out = {}
        for marker in sorted(self.cache.glob("*.done.json")):
            out[marker.name.removesuffix(".done.json")] = json.loads(marker.read_text())["seconds"]
        return out

    # PostgreSQL --------------------------------------------------------------------

    def pg_available(self) -> bool:
        if self._pg_ok is None:
            try:
                import psycopg

                with psycopg.connect(f"{self.pg_server}/postgres", connect_timeout=3):
                    self._pg_ok = True
            except Exception as exc:
                print(f"  PostgreSQL at {self.pg_server} not reachable: {exc}".splitlines()[0])
                self._pg_ok = False
        return self._pg_ok

    def _pg_admin(self):
        import psycopg

        return psycopg.connect(f"{self.pg_server}/postgres", autocommit=True)

    def _pg_db_key(self, dbname: str) -> str | None:
        with self._pg_admin() as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                (dbname,),
            ).fetchone()
        return row[0] if row else None

    def _pg_recreate(self, dbname: str, template: str | None = None) -> None:
        from psycopg import sql

        with self._pg_admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname))
            if template:
                create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            conn.execute(create)

    def _pg_mark(self, dbname: str) -> None:
        from psycopg import sql

        with self._pg_admin() as conn:
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(dbname), sql.Literal(f"ddtui-bench {self.key}")
                )
            )

    def _pg_cached(self, dbname: str) -> bool:
        return self._pg_db_key(dbname) == f"ddtui-bench {self.key}" and self._cached(dbname)

    def pg_url(self, dbname: str, driver: str = "psycopg2") -> str:
        return f"{self.pg_server.replace('postgresql://', f'postgresql+{driver}://')}/{dbname}"

    # Fixtures ----------------------------------------------------------------------

    def template(self) -> Template:
        if self._template is None:
            name = "template"
            home = self.cache / name
            with self._lock(self._cached(name)):
                if not self._cached(name):
                    print("  building the template Airflow home (real airflow)", flush=True)
                    started = time.monotonic()
                    airflow_homes.build_template_home(home)
                    self._done(name, started)
            self._template = Template.load(home / "airflow.db")
        return self._template

    def _empty_sqlite(self) -> Path:
        name = "empty-sqlite"
        home = self.cache / name
        if not self._cached(name):
            print("  migrating an empty SQLite metastore", flush=True)
            started = time.monotonic()
            airflow_homes.new_home(home)
            airflow_homes.migrate(home, f"sqlite:///{home / 'airflow.db'}")
            self._done(name, started)
        return home / "airflow.db"

    def _empty_pg(self) -> str:
        dbname = "ddtui_bench_empty"
        if not self._pg_cached(dbname):
            print("  migrating an empty PostgreSQL metastore", flush=True)
            started = time.monotonic()
            self._pg_recreate(dbname)
            home = airflow_homes.new_home(self.cache / dbname)
            airflow_homes.migrate(home, self.pg_url(dbname))
            self._pg_mark(dbname)
            self._done(dbname, started)
        return dbname

    def metastore(self, backend: str, n_dags: int) -> Metastore:
        template = self.template()
        if backend == "sqlite":
            return self._sqlite_metastore(template, n_dags)
        if backend == "postgresql":
            return self._pg_metastore(template, n_dags)
        raise ValueError(backend)

    def _sqlite_metastore(self, template: Template, n_dags: int) -> Metastore:
        name = f"meta-sqlite-{n_dags}"
        home = self.cache / name
        db = home / "airflow.db"
        with self._lock(self._cached(name)):
            if not self._cached(name):
                empty = self._empty_sqlite()
                print(f"  building {name}: {n_dags} DAGs x {RUNS_PER_DAG} runs", flush=True)
                started = time.monotonic()
                airflow_homes.new_home(home)
                shutil.copy(empty, db)
                writer = SqliteWriter(db)
                stats = fill_metastore(writer, template, n_dags, RUNS_PER_DAG)
                violations = writer.check()
                writer.close()
                if violations:
                    raise RuntimeError(f"{name}: foreign-key violations, e.g. {violations[:3]}")
                self._done(name, started, **stats.__dict__)
        return Metastore("sqlite", n_dags, RUNS_PER_DAG, home, f"sqlite:///{db}")

    def _pg_metastore(self, template: Template, n_dags: int) -> Metastore:
        dbname = f"ddtui_bench_meta_{n_dags}"
        home = self.cache / dbname
        ready = self._pg_cached(dbname)
        with self._lock(ready):
            if not ready and not self._pg_cached(dbname):
                empty = self._empty_pg()
                print(f"  building {dbname}: {n_dags} DAGs x {RUNS_PER_DAG} runs", flush=True)
                started = time.monotonic()
                self._pg_recreate(dbname, template=empty)
                airflow_homes.new_home(home)
                writer = PostgresWriter(f"{self.pg_server}/{dbname}")
                stats = fill_metastore(writer, template, n_dags, RUNS_PER_DAG)
                writer.close()
                import psycopg

                # What autovacuum does on a production server: fresh planner statistics.
                dsn = f"{self.pg_server}/{dbname}"
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute("VACUUM ANALYZE")
                self._pg_mark(dbname)
                self._done(dbname, started, **stats.__dict__)
        return Metastore("postgresql", n_dags, RUNS_PER_DAG, home, self.pg_url(dbname))

    def data_table(self, backend: str, rows: int) -> DataTable:
        """The mixed output table with `rows` rows, named PROFILED_TABLE in its database."""
        label = f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else f"{rows // 1000}k"
        if backend == "duckdb":
            name = f"data-duckdb-{label}"
            path = self.cache / f"{name}.duckdb"
            with self._lock(self._cached(name) and path.exists()):
                if not self._cached(name) or not path.exists():
                    print(f"  building {name}", flush=True)
                    started = time.monotonic()
                    path.unlink(missing_ok=True)
                    datagen.write_duckdb_table(path, PROFILED_TABLE, rows)
                    self._done(name, started, rows=rows)
            return DataTable("duckdb", rows, f"duckdb:///{path}", PROFILED_TABLE)
        if backend == "sqlite":
            name = f"data-sqlite-{label}"
            path = self.cache / f"{name}.sqlite"
            ready = self._cached(name) and path.exists()
            with self._lock(ready):
                if not self._cached(name) or not path.exists():
                    print(f"  building {name}", flush=True)
                    started = time.monotonic()
                    path.unlink(missing_ok=True)
                    datagen.write_sqlite_table(path, PROFILED_TABLE, rows)
                    self._done(name, started, rows=rows)
            return DataTable("sqlite", rows, f"sqlite:///{path}", PROFILED_TABLE)
        dbname = f"ddtui_bench_data_{label}"
        ready = self._pg_cached(dbname)
        with self._lock(ready):
            if not ready and not self._pg_cached(dbname):
                print(f"  building {dbname}", flush=True)
                started = time.monotonic()
                self._pg_recreate(dbname)
                datagen.write_postgres_table(f"{self.pg_server}/{dbname}", PROFILED_TABLE, rows)
                self._pg_mark(dbname)
                self._done(dbname, started, rows=rows)
        return DataTable("postgresql", rows, self.pg_url(dbname), PROFILED_TABLE)
