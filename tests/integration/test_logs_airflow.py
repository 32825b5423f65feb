"""Task logs that a real Airflow scheduler wrote: found, parsed, printed by `ddtui logs`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fault_support import assert_one_line_error, run_ddtui_unprivileged, shared_tmp_dir
from task_logs_support import TaskLogsHome

from ddtui.logs.config import resolve_log_settings
from ddtui.logs.parse import display_lines, parse_line
from ddtui.logs.reader import read_last
from ddtui.logs.task_log import find_task_log
from ddtui.metastore import open_metastore
from tests.paths import REPO

DDTUI = str(Path(sys.executable).with_name("ddtui"))
# The ddtui of this checkout, whichever one the environment has installed.
CHECKOUT = str(REPO)


def ddtui(home: TaskLogsHome, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI", "NO_COLOR"))
    }
    base.update(home.env(), PYTHONPATH=CHECKOUT, **env)
    return subprocess.run([DDTUI, *args], capture_output=True, text=True, env=base, check=False)


def written_logs(home: TaskLogsHome) -> set[Path]:
    return set((home.log_folder / "dag_id=task_logs").rglob("*.log"))


def test_every_try_renders_to_the_file_airflow_wrote(task_logs_home: TaskLogsHome) -> None:
    store = open_metastore(task_logs_home.metastore_url)
    settings = resolve_log_settings(task_logs_home.env())
    found = set()
    for task_id, map_index in [("explode", None), ("chatty", None), ("flaky", None)] + [
        ("square", index) for index in (0, 1, 2)
    ]:
        log = find_task_log(store, "task_logs", task_id, map_index=map_index, settings=settings)
        for number in [t.try_number for t in log.tries.tries]:
            tried = find_task_log(
                store,
                "task_logs",
                task_id,
                map_index=map_index,
                try_number=number,
                settings=settings,
            )
            found.add(tried.path)
    # Exactly the files Airflow wrote: flaky's two tries, each map index, the rest.
    assert found == written_logs(task_logs_home)
    assert len(found) == 7


def test_failed_task_shows_its_traceback_together(task_logs_home: TaskLogsHome) -> None:
    done = ddtui(task_logs_home, "logs", "task_logs", "explode")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    failed = next(i for i, line in enumerate(lines) if "Task failed with exception" in line)
    assert " ERROR " in lines[failed]
    assert lines[failed + 1] == "Traceback (most recent call last):"
    tail = lines[failed + 1 :]
    end = tail.index("ValueError: scores file '/data/scores.csv' has no header row")
    frames = tail[1:end]
    assert all(frame.startswith('  File "') for frame in frames)
    assert frames[-2].endswith(", in explode") and frames[-1].endswith(", in _load_scores")
    assert any("WARNING  the scores file looks empty" in line for line in lines[:failed])


def test_retried_task_shows_the_latest_try_and_the_first_on_demand(
    task_logs_home: TaskLogsHome,
) -> None:
    latest = ddtui(task_logs_home, "logs", "task_logs", "flaky")
    first = ddtui(task_logs_home, "logs", "task_logs", "flaky", "--try", "1")
    assert "try 2/2 (success)" in latest.stderr and "flaky try 2" in latest.stdout
    assert "the warehouse did not answer" not in latest.stdout
    assert "try 1/2 (failed)" in first.stderr
    assert "RuntimeError: the warehouse did not answer; retrying" in first.stdout


def test_mapped_task_picks_a_map_index(task_logs_home: TaskLogsHome) -> None:
    done = ddtui(task_logs_home, "logs", "task_logs", "square", "--map-index", "2")
    assert done.returncode == 0, done.stderr
    assert "squaring 3" in done.stdout and "squaring 1" not in done.stdout
    default = ddtui(task_logs_home, "logs", "task_logs", "square")
    assert "map index 0 of 3" in default.stderr and "squaring 1" in default.stdout


def test_json_lines_grep_and_long_log(task_logs_home: TaskLogsHome) -> None:
    done = ddtui(
        task_logs_home, "logs", "task_logs", "chatty", "--format", "json", "--grep", "LINE 2999"
    )
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["message"] for r in records] == ["progress line 2999: processed 50983 rows"]
    assert records[0]["try"] == 1 and records[0]["level"] == "info"
    assert records[0]["time"].startswith("20")
    everything = ddtui(task_logs_home, "logs", "task_logs", "chatty")
    assert everything.stdout.count("progress line") == 3000


def test_control_characters_from_task_output_never_reach_the_terminal(
    task_logs_home: TaskLogsHome,
) -> None:
    done = ddtui(task_logs_home, "logs", "task_logs", "chatty", "--grep", "title escape")
    assert "␛]0;pwned␇ a title escape" in done.stdout
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nope", "explode"], "unknown DAG 'nope'"),
        (["task_logs", "explod"], "Did you mean: explode?"),
        (["task_logs", "flaky", "--try", "3"], "unknown try '3' in task 'flaky'. Known: 1, 2."),
        (["task_logs", "square", "--map-index", "7"], "unknown map index '7'"),
        (["task_logs", "flaky", "--run", "manual_x"], "unknown run 'manual_x'"),
    ],
)
def test_unknown_ids_exit_2_with_close_matches(
    task_logs_home: TaskLogsHome, args: list[str], expected: str
) -> None:
    done = ddtui(task_logs_home, "logs", *args)
    assert done.returncode == 2
    assert expected in done.stderr and "Traceback" not in done.stderr


def test_missing_log_file_exits_6_with_one_line(
    task_logs_home: TaskLogsHome, tmp_path: Path
) -> None:
    done = ddtui(
        task_logs_home,
        "logs",
        "task_logs",
        "explode",
        AIRFLOW__LOGGING__BASE_LOG_FOLDER=str(tmp_path),
    )
    assert done.returncode == 6
    assert done.stderr.startswith("ddtui: cannot read ") and "no such file" in done.stderr
    assert str(tmp_path) in done.stderr and len(done.stderr.splitlines()) == 1


def test_an_unreadable_log_file_exits_6_saying_permission_denied(
    task_logs_home: TaskLogsHome,
) -> None:
    # A copy `nobody` may reach, whose one log file only its owner may read: as on a host
    # where the logs belong to the Airflow user.
    copy = shared_tmp_dir() / "home"
    shutil.copytree(task_logs_home.home, copy)
    for path in [copy, *copy.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    locked = next(copy.rglob("task_id=explode/attempt=1.log"))
    locked.chmod(0o600)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI"))}
    # airflow.cfg names the original log folder: point at the copy's.
    base.update(
        AIRFLOW_HOME=str(copy),
        AIRFLOW__LOGGING__BASE_LOG_FOLDER=str(copy / "logs"),
        PYTHONPATH=CHECKOUT,
    )
    try:
        done = run_ddtui_unprivileged("logs", "task_logs", "explode", env=base)
        line = assert_one_line_error(done, 6, "cannot read", "permission denied")
        assert str(locked) in line
    finally:
        shutil.rmtree(copy.parent)


def test_remote_logging_says_where_logs_live(task_logs_home: TaskLogsHome, tmp_path: Path) -> None:
    remote = {
        "AIRFLOW__LOGGING__REMOTE_LOGGING": "True",
        "AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER": "s3://ml-logs/airflow",
    }
    absent = ddtui(
        task_logs_home,
        "logs",
        "task_logs",
        "explode",
        AIRFLOW__LOGGING__BASE_LOG_FOLDER=str(tmp_path),
        **remote,
    )
    assert absent.returncode == 6
    assert "remote logging is on" in absent.stderr and "S3 at s3://ml-logs/airflow" in absent.stderr
    assert "ddtui reads only local files" in absent.stderr
    local_copy = ddtui(task_logs_home, "logs", "task_logs", "explode", **remote)
    assert local_copy.returncode == 0
    assert "reads only the local copy" in local_copy.stderr
    assert "ValueError: scores file" in local_copy.stdout


def test_json_records_render_as_time_level_message(task_logs_home: TaskLogsHome) -> None:
    store = open_metastore(task_logs_home.metastore_url)
    log = find_task_log(
        store, "task_logs", "explode", settings=resolve_log_settings(task_logs_home.env())
    )
    raw = read_last(log.path).lines
    records = [json.loads(line) for line in raw]
    shown = [display_lines(parse_line(line)) for line in raw]
    for record, lines in zip(records, shown, strict=True):
        text, level = lines[0]
        assert level == record["level"]
        assert text.endswith(record["event"]) and record["level"].upper() in text
        assert text.startswith(record["timestamp"][:10] + " " + record["timestamp"][11:23])


def test_runs_keep_the_template_they_were_logged_with(task_logs_home: TaskLogsHome) -> None:
    # Changing log_filename_template later must not lose older runs' logs: Airflow keeps
    # each run's template in the metastore (log_template), and so does ddtui.
    done = ddtui(
        task_logs_home,
        "logs",
        "task_logs",
        "explode",
        AIRFLOW__LOGGING__LOG_FILENAME_TEMPLATE="{{ ti.dag_id }}/{{ try_number }}.log",
    )
    assert done.returncode == 0, done.stderr
    assert "ValueError: scores file" in done.stdout


def test_log_deep_link_is_checked_before_the_screen_opens(task_logs_home: TaskLogsHome) -> None:
    no_task = ddtui(task_logs_home, "--dag", "task_logs", "--log")
    assert no_task.returncode == 2 and "--log needs --dag and --task" in no_task.stderr
    unknown = ddtui(task_logs_home, "--dag", "task_logs", "--task", "explod", "--log")
    assert unknown.returncode == 2 and "Did you mean: explode?" in unknown.stderr
    with_command = ddtui(task_logs_home, "--log", "dags")
    assert with_command.returncode == 2 and "--log opens the terminal UI" in with_command.stderr


def test_follow_prints_what_a_running_try_appends_until_it_ends(
    task_logs_home: TaskLogsHome, tmp_path: Path
) -> None:
    import shutil
    import sqlite3

    database = tmp_path / "airflow.db"  # a copy where chatty still runs
    shutil.copy(task_logs_home.home / "airflow.db", database)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE task_instance SET state = 'running' WHERE task_id = 'chatty'")
    folder = tmp_path / "logs"
    shutil.copytree(task_logs_home.log_folder, folder)
    path = next(folder.rglob("task_id=chatty/attempt=1.log"))
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DDTUI", "NO_COLOR"))
    }
    env.update(
        task_logs_home.env(),
        PYTHONPATH=CHECKOUT,
        AIRFLOW__LOGGING__BASE_LOG_FOLDER=str(folder),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{database}",
    )
    args = [DDTUI, "logs", "task_logs", "chatty", "--follow"]
    existing = len(path.read_text(encoding="utf-8").splitlines())
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env) as follower:
        assert follower.stdout is not None
        for _ in range(existing):  # the log as it is (one record per line, no tracebacks)
            follower.stdout.readline()
        record = {"timestamp": "2026-12-04T14:00:00Z", "level": "info", "event": "batch 1 done"}
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        assert follower.stdout.readline() == "2026-12-04 14:00:00 INFO     batch 1 done\n"
        with sqlite3.connect(database) as connection:  # the try ends: following stops
            connection.execute("UPDATE task_instance SET state = 'success'")
        assert follower.wait(timeout=60) == 0
