"""`ddtui describe --compare/--record/--fail-on` as installed, on the real `drift` DAG's runs.

The numbers themselves are checked at the data layer (test_drift_airflow.py); here: what the
command prints, its exit codes, and a history that outlives the process that wrote it.
`sample` writes one table per run; `publish` overwrites `drift_latest` each run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from ddtui.demo.home import AirflowHome
from ddtui.drift import HistoryKey, ProfileHistory, record_profile
from ddtui.render.plot import strip_ansi

DDTUI = str(Path(sys.executable).with_name("ddtui"))
ANSI = re.compile(r"\x1b\[")


def ddtui(home: AirflowHome, history: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI", "NO_COLOR"))
    }
    env.update(home.env())
    env["DDTUI_HISTORY"] = str(history)
    env["COLUMNS"] = "100"
    return subprocess.run(
        [DDTUI, "describe", "drift", *args], capture_output=True, text=True, env=env, check=False
    )


@pytest.fixture
def history(tmp_path: Path) -> Path:
    return tmp_path / "h.sqlite"


@pytest.fixture
def runs(airflow_home: AirflowHome) -> tuple[str, str]:
    baseline, shifted = airflow_home.runs_of("drift")
    return baseline.run_id, shifted.run_id


def read_table(home: AirflowHome, table: str) -> pd.DataFrame:
    engine = sa.create_engine(home.data_url)
    try:
        with engine.connect() as conn:
            return pd.read_sql_table(table, conn)
    finally:
        engine.dispose()


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("ddtui: ")
    assert "Traceback" not in done.stderr
    return lines[0]


def test_compare_previous_as_json_and_fail_on(
    airflow_home: AirflowHome, history: Path, runs: tuple[str, str]
) -> None:
    done = ddtui(airflow_home, history, "sample", "--compare", "previous", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    drift = doc["drift"]
    assert drift["kind"] == "ddtui.drift_report"
    assert (drift["baseline"]["run_id"], drift["current"]["run_id"]) == runs
    assert doc["run_id"] == runs[1]
    assert drift["verdict"] == "drift"
    assert {"column": "channel", "change": "dropped"}.items() <= drift["schema_changes"][0].items()
    base = read_table(airflow_home, drift["baseline"]["table"])
    cur = read_table(airflow_home, drift["current"]["table"])
    amount = next(c for c in drift["columns"] if c["name"] == "amount")
    mean = amount["deltas"]["mean"]
    assert mean["change"] == pytest.approx(cur["amount"].mean() - base["amount"].mean(), rel=1e-9)
    assert mean["baseline"] == pytest.approx(base["amount"].mean(), rel=1e-12)
    assert amount["verdict"] == "drift"
    assert doc["profile"]["row_count"] == drift["rows"]["current"] == len(cur)
    assert not history.exists()  # nothing is recorded without --record

    # Any run can be the baseline; the report is printed before the exit code says drift.
    failing = ddtui(airflow_home, history, "sample", "--compare", runs[0], "--fail-on", "drift")
    assert failing.returncode == 8, failing.stderr
    assert "drift: DRIFT" in failing.stdout
    assert f"run {runs[0]}" in failing.stdout


def test_text_report_has_the_column_table_and_an_overlaid_chart(
    airflow_home: AirflowHome, history: Path, runs: tuple[str, str]
) -> None:
    done = ddtui(airflow_home, history, "sample", "--compare", "previous")
    assert done.returncode == 0, done.stderr
    assert not ANSI.search(done.stdout)  # piped: no colour
    profile, _, report = done.stdout.partition("\ndrift: ")
    assert "drift_20240402: 4,000 rows" in profile
    assert report.startswith("DRIFT · badge drift · rows 5,000 → 4,000 (-1,000, -20.0%)")
    assert f"run {runs[0]}" in report
    assert "channel: dropped (was TEXT)" in report
    lines = report.splitlines()
    header = next(line for line in lines if line.startswith("column "))
    for label in ("verdict", "PSI", "KS", "Δmissing %", "Δdistinct", "Δmean"):
        assert label in header
    row = next(line for line in lines if line.startswith("amount "))
    assert row.split()[1] == "drift"
    assert "Δq75" in report  # the wrapped second block
    assert max(len(line) for line in lines) <= 100
    assert "score (drift): missing +19.4 points" in report
    chart = report[report.index("amount: % of values, baseline vs current") :]
    assert "░░ baseline" in chart
    assert "██ current" in chart
    assert "score: % of values" in report  # drifted numbers are charted, quiet ones not
    assert "quantity: % of values" not in report


def test_markdown_report_fences_its_charts(airflow_home: AirflowHome, history: Path) -> None:
    done = ddtui(airflow_home, history, "sample", "--compare", "previous", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    report = done.stdout[done.stdout.index("## drift: DRIFT") :]
    assert "| column | verdict | PSI | KS | Δmissing % |" in report
    assert "### amount\n\n```\n" in report
    assert report.count("```") % 2 == 0
    assert not ANSI.search(report)


def test_record_and_compare_from_the_history_across_processes(
    airflow_home: AirflowHome, history: Path, runs: tuple[str, str]
) -> None:
    baseline_run, latest_run = runs
    url = airflow_home.metastore_url
    # drift_latest now holds the latest run's data: recording it as the baseline run would lie.
    stale = ddtui(airflow_home, history, "publish", "--run", baseline_run, "--record")
    assert stale.returncode == 0, stale.stderr
    assert "not recorded: drift_latest now holds the output of the newer run" in stale.stderr
    assert not ProfileHistory(history).for_task(url, "drift", "publish")

    # The first cron run of a task: no baseline in the history yet. A one-line exit 5, and the
    # current run is still recorded so that the next run has something to compare with.
    first = ddtui(airflow_home, history, "publish", "--record", "--compare", "previous")
    assert first.returncode == 5
    assert "cannot be profiled any more" in one_line_error(first)
    assert "--record" in first.stderr
    entries = ProfileHistory(history).for_task(url, "drift", "publish")
    assert [(e.key.run_id, e.profile.row_count) for e in entries] == [(latest_run, 4_000)]
    assert entries[0].samples is not None

    # A per-run table is the run's own: recorded for an older run too, even with no baseline.
    oldest = ddtui(airflow_home, history, "sample", "--run", baseline_run, "--record",
                   "--compare", "previous")  # fmt: skip
    assert oldest.returncode == 5
    assert "no successful run of drift before" in one_line_error(oldest)
    assert oldest.stdout == ""
    sampled = ProfileHistory(history).for_task(url, "drift", "sample")
    assert [e.key.run_id for e in sampled] == [baseline_run]

    # What `--record` from cron stored right after the baseline run, when drift_latest held
    # a copy of drift_20240401 (publish copies sample's table).
    engine = sa.create_engine(airflow_home.data_url)
    try:
        from ddtui.profile import profile_table

        profile = replace(profile_table(engine, "drift_20240401"), table="drift_latest")
        key = HistoryKey(url, "drift", "publish", baseline_run, "drift_latest")
        record_profile(ProfileHistory(history), key, profile, engine=engine, table="drift_20240401")
    finally:
        engine.dispose()

    done = ddtui(airflow_home, history, "publish", "--compare", "previous", "--format", "json")
    assert done.returncode == 0, done.stderr
    drift = json.loads(done.stdout)["drift"]
    assert (drift["baseline"]["run_id"], drift["current"]["run_id"]) == runs
    assert (drift["baseline"]["source"], drift["current"]["source"]) == ("history", "live")
    assert drift["verdict"] == "drift"
    amount = next(c for c in drift["columns"] if c["name"] == "amount")
    assert amount["ks"] is not None  # both runs' samples were at hand
    assert amount["psi"]["source"] == "samples"
    assert amount["deltas"]["mean"]["change"] == pytest.approx(25.0, abs=2.0)


# The renderer in-process, on profiles pandas computed (milliseconds, no Airflow) ------------


def shifted_report(width_days: int = 4 * 365):
    import numpy as np

    from ddtui.drift import compare_profiles
    from tests.drift_support import profile_frame

    rng = np.random.default_rng(7)

    def frame(shift: float, days: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "amount": rng.normal(100 + shift, 15, 2_000),
                "signup": pd.Timestamp("2020-01-01")
                + pd.to_timedelta(rng.integers(0, days, 2_000), unit="D"),
                "segment": rng.choice(["a", "b"], 2_000),
            }
        )

    before, after = frame(0, width_days), frame(30, 30)

    def samples(frame: pd.DataFrame) -> dict[str, list[float]]:
        return {"amount": list(frame["amount"]), "signup": [t.timestamp() for t in frame["signup"]]}

    return compare_profiles(
        profile_frame(before, "before"),
        profile_frame(after, "after"),
        samples(before),
        samples(after),
    )


@pytest.mark.parametrize("width", [40, 80, 132])
def test_render_drift_fits_the_width_and_colours_only_on_request(width: int) -> None:
    from ddtui.render.drift import render_drift

    report = shifted_report()
    plain = render_drift(report, width=width, color=False, fmt="text")
    assert not ANSI.search(plain)
    assert max(len(line) for line in plain.splitlines()) <= max(width, 80)  # plotext's minimum
    table = plain[plain.index("columns:") :]
    assert max(len(line) for line in table.split("\n\n")[0].splitlines()) <= width
    titles = [line.strip() for line in plain.splitlines() if ": % of values" in line]
    assert [t.split(":")[0] for t in titles] == ["amount", "signup"]  # datetimes are charted too
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", plain)  # datetime bins labelled as dates
    coloured = render_drift(report, width=width, color=True, fmt="text")
    assert ANSI.search(coloured)
    assert strip_ansi(coloured).splitlines()[0] == plain.splitlines()[0]


def test_render_drift_chart_for_the_tui() -> None:
    from ddtui.render.drift import render_drift_chart

    report = shifted_report()
    amount, segment = report.column("amount"), report.column("segment")
    assert amount is not None and segment is not None
    chart = render_drift_chart(amount, 60, 12, False)
    assert len(chart.splitlines()) == 12
    assert "░░ baseline" in chart and "██ current" in chart
    assert not ANSI.search(chart)
    assert ANSI.search(render_drift_chart(amount, 60, 12, True))
    note = render_drift_chart(segment, 60, 12, False)
    assert note.startswith("segment: text column, no histogram, PSI ")
