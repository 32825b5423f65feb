"""Real Airflow homes for the benchmark: `airflow db migrate`, and the template DAG's run.

Airflow runs only in subprocesses with a clean environment (the caller's `AIRFLOW_*`
settings could point at a production metastore), exactly as a user runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

TEMPLATE_DAG_FILE = Path(__file__).with_name("template_dag.py")
TEMPLATE_DAG_ID = "bench_template"
TEMPLATE_LOGICAL_DATE = "2024-01-01"
COMMAND_TIMEOUT_S = 1800


def airflow_executable() -> str:
    """The `airflow` of this Python environment (the nox venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "airflow"
    if beside.is_file():
        return str(beside)
    found = shutil.which("airflow")
    if not found:
        raise SystemExit("bench: apache-airflow is not installed (pip install -e '.[test]')")
    return found


def airflow_env(home: Path, metastore_url: str) -> dict[str, str]:
    """A clean environment pointing `airflow` at one home and one metastore."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metastore_url,
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        }
    )
    return env


def run_airflow(home: Path, metastore_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one `airflow` command; raise with its last output lines when it fails."""
    started = time.monotonic()
    result = subprocess.run(
        [airflow_executable(), *args],
        env=airflow_env(home, metastore_url),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
    )
    elapsed = time.monotonic() - started
    print(f"    airflow {' '.join(args)}: {elapsed:.1f} s", flush=True)
    if result.returncode != 0:
        tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-20:]
        raise RuntimeError(
            f"`airflow {' '.join(args)}` exited {result.returncode}:\n" + "\n".join(tail)
        )
    return result


def new_home(home: Path) -> Path:
    """An empty Airflow home with an empty dags folder."""
    if home.exists():
        shutil.rmtree(home)
    (home / "dags").mkdir(parents=True)
    return home


def migrate(home: Path, metastore_url: str) -> None:
    """Create Airflow's real schema with `airflow db migrate`."""
    run_airflow(home, metastore_url, "db", "migrate")


def build_template_home(home: Path) -> Path:
    """A small real home: the 20-task template DAG reserialized and run once.

    Returns the SQLite file whose rows the large metastores are copied from.
    """
    new_home(home)
    shutil.copy(TEMPLATE_DAG_FILE, home / "dags" / TEMPLATE_DAG_FILE.name)
    url = f"sqlite:///{home / 'airflow.db'}"
    migrate(home, url)
    run_airflow(home, url, "dags", "reserialize")
    run_airflow(home, url, "dags", "test", TEMPLATE_DAG_ID, TEMPLATE_LOGICAL_DATE)
    return home / "airflow.db"
