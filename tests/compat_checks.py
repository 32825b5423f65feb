"""What a user runs on a metastore, checked on one built by a given Airflow release.

The same checks run on the newest Airflow 2 in `nox -s tests` and on every cell of the
compatibility matrix in `nox -s compat`: `ddtui dags`, `ddtui tasks`, `ddtui describe`
(text, JSON, `--compare previous`, `--record`) as subprocesses, the TUI opened on a deep
link, and the profile against pandas on the same table.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from ddtui.demo.home import AirflowHome

DDTUI = str(Path(sys.executable).with_name("ddtui"))


@dataclass
class CellResult:
    """The exit status of each command run on one metastore, and what went wrong."""

    exits: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def check(self, condition: bool, what: str) -> None:
        if not condition:
            self.failures.append(what)

    @property
    def works(self) -> bool:
        return not self.failures and all(code == 0 for code in self.exits.values())


def run_ddtui(
    home: AirflowHome, *args: str, metastore_url: str | None = None, history: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`ddtui ARGS` with the environment pointing at `home` only."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI", "NO_COLOR"))
    }
    env.update(home.env())
    if metastore_url:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = metastore_url
    if history:
        env["DDTUI_HISTORY"] = str(history)
    return subprocess.run([DDTUI, *args], capture_output=True, text=True, env=env, check=False)


def release_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def check_commands(
    home: AirflowHome, history: Path, metastore_url: str | None = None
) -> CellResult:
    """Run the commands of the matrix on `home`; every problem is recorded, none raised."""
    result = CellResult()

    def ddtui(name: str, *args: str) -> subprocess.CompletedProcess[str]:
        done = run_ddtui(home, *args, metastore_url=metastore_url, history=history)
        result.exits[name] = done.returncode
        result.check(done.returncode == 0, f"{name}: exit {done.returncode}: {done.stderr[-300:]}")
        return done

    dags = ddtui("dags", "dags")
    header = dags.stdout.splitlines()[0] if dags.stdout else ""
    result.check(release_minor(home.airflow_version) in header, f"dags header names no {header!r}")
    for dag_id in home.dag_ids:
        result.check(dag_id in dags.stdout, f"dags: {dag_id} missing")

    titanic = ddtui("tasks", "tasks", "titanic")
    for task_id, table in (("load", "titanic_raw"), ("clean", "titanic_clean")):
        line = next((x for x in titanic.stdout.splitlines() if x.startswith(task_id)), "")
        result.check(f"{table} · xcom" in line, f"tasks titanic: {task_id} {line!r}")
    templated = ddtui("tasks templated", "tasks", "templated_output")
    result.check(
        "readings_20240702 · output_table" in templated.stdout,
        f"tasks templated_output: {templated.stdout[-300:]!r}",
    )
    assets = ddtui("tasks assets", "tasks", "asset_outputs")
    result.check("orders · outlet" in assets.stdout, f"tasks asset_outputs: {assets.stdout!r}")
    groups = ddtui("tasks groups", "tasks", "groups_mapped")
    result.check(
        "prepare.validate.check_rows" in groups.stdout and "x3" in groups.stdout,
        f"tasks groups_mapped: {groups.stdout!r}",
    )

    described = ddtui("describe json", "describe", "titanic", "clean", "-f", "json")
    if described.returncode == 0:
        _check_profile_against_pandas(result, home, json.loads(described.stdout))
    text = ddtui("describe", "describe", "asset_outputs", "daily_revenue")
    result.check("outlet" in text.stdout, f"describe asset_outputs: {text.stdout[:300]!r}")
    compare = ddtui(
        "describe --compare",
        *("describe", "templated_output", "readings", "--compare", "previous", "-f", "json"),
    )
    if compare.returncode == 0:
        drift = json.loads(compare.stdout).get("drift") or {}
        baseline = (drift.get("baseline") or {}).get("run_id")
        first = home.runs_of("templated_output")[0].run_id
        result.check(baseline == first, f"--compare previous: baseline {baseline!r}")
    ddtui(
        "describe --compare text",
        "describe",
        "templated_output",
        "readings",
        "--compare",
        "previous",
    )
    ddtui("describe --record", "describe", "titanic", "clean", "--record")
    result.check(history.exists(), "--record stored nothing")
    return result


def _check_profile_against_pandas(result: CellResult, home: AirflowHome, doc: dict) -> None:
    table = doc["output"]["table"]
    engine = sa.create_engine(home.data_url, poolclass=sa.NullPool)
    try:
        frame = pd.read_sql_table(table, engine)
    finally:
        engine.dispose()
    profile = doc["profile"]
    result.check(profile["row_count"] == len(frame), f"{table}: row count")
    for column in profile["columns"]:
        series = frame[column["name"]]
        where = f"{table}.{column['name']}"
        result.check(column["count"] == int(series.count()), f"{where}: count")
        result.check(column["missing"] == int(series.isna().sum()), f"{where}: missing")
        result.check(column["distinct"] == int(series.nunique()), f"{where}: distinct")
        if column["kind"] == "number" and column.get("mean") is not None:
            expected = float(series.astype(float).mean())
            close = math.isclose(column["mean"], expected, rel_tol=1e-9)
            result.check(close, f"{where}: mean {column['mean']} != {expected}")


async def check_deep_link(make_app: Callable[..., object], result: CellResult) -> None:
    """The TUI opened on `--dag titanic --task clean` shows that task's table profiled."""
    from tui.helpers import settle, static_text

    app = make_app(dag_id="titanic", task_id="clean")
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        profile = app.main.stats_pane.profile  # type: ignore[attr-defined]
        result.check(profile is not None, "TUI deep link: no profile")
        title = static_text(app, "#stats-title")  # type: ignore[arg-type]
        result.check("titanic_clean" in title, f"TUI deep link: title {title!r}")
    result.exits["TUI deep link"] = 0 if not any("TUI" in f for f in result.failures) else 1
