"""A real Airflow metastore with one DAG's serialized form damaged: one line, exit 4, the rest
still browsable, through the CLI and the terminal UI."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest
from fault_support import assert_one_line_error, copy_metastore, ddtui_env, run_ddtui

from ddtui.config.settings import DataSettings
from ddtui.demo.home import AirflowHome
from ddtui.errors import MetastoreError
from ddtui.metastore import open_metastore

BAD_DAG = "titanic"

# (name, SQL assignments for the bad DAG's serialized_dag rows, their parameters)
CORRUPTIONS = {
    "truncated JSON": ("data = substr(data, 1, 200)", ()),
    "garbage data_compressed": ("data = NULL, data_compressed = ?", (b"\x00not zlib\xff",)),
    "compressed non-JSON": ("data = NULL, data_compressed = ?", (zlib.compress(b"{nope"),)),
    "undecodable bytes": ("data = ?", (b"\x80\x04\x95pickle",)),
    "wrong JSON shape": ("data = '[1, 2, 3]'", ()),
    "tasks not a list": ("data = json_set(data, '$.dag.tasks', 'abc')", ()),
    "task without task_id": ("data = json_remove(data, '$.dag.tasks[0].__var.task_id')", ()),
    "task_id a number": ("data = json_set(data, '$.dag.tasks[0].__var.task_id', 7)", ()),
    "downstream ids not a list": (
        "data = json_set(data, '$.dag.tasks[0].__var.downstream_task_ids', 5)",
        (),
    ),
    "task group children wrong": ("data = json_set(data, '$.dag.task_group.children', 3)", ()),
    "all NULL": ("data = NULL, data_compressed = NULL", ()),
}


def corrupt(db: Path, name: str) -> None:
    assignments, params = CORRUPTIONS[name]
    with sqlite3.connect(db) as conn:
        changed = conn.execute(
            f"UPDATE serialized_dag SET {assignments} WHERE dag_id = ?",
            (*params, BAD_DAG),
        ).rowcount
    conn.close()
    assert changed >= 1


@pytest.fixture(scope="module", params=sorted(CORRUPTIONS))
def damaged(
    request: pytest.FixtureRequest,
    airflow_home: AirflowHome,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[str, str]:
    """(corruption, metastore URL) of a copy of the real metastore with `titanic` damaged."""
    db = copy_metastore(airflow_home, tmp_path_factory.mktemp("damaged") / "airflow.db")
    corrupt(db, request.param)
    return request.param, f"sqlite:///{db}"


def test_reader_raises_one_metastore_error_naming_the_dag(damaged: tuple[str, str]) -> None:
    _, url = damaged
    store = open_metastore(url)
    with pytest.raises(MetastoreError) as info:
        store.dag_structure(BAD_DAG)
    assert info.value.exit_code == 4
    assert f"DAG {BAD_DAG!r}" in str(info.value)
    assert "\n" not in str(info.value)
    assert [t.task_id for t in store.dag_structure("drift").tasks]  # the others still read
    assert BAD_DAG in [d.dag_id for d in store.list_dags()]


@pytest.mark.parametrize("command", [["tasks", BAD_DAG], ["describe", BAD_DAG, "clean"]])
def test_cli_says_one_line_and_exits_4(
    damaged: tuple[str, str], airflow_home: AirflowHome, command: list[str]
) -> None:
    _, url = damaged
    done = run_ddtui(*command, "--metastore", url, env=ddtui_env(airflow_home))
    line = assert_one_line_error(done, 4, f"DAG {BAD_DAG!r}", "serialized form")
    assert line.startswith("ddtui: ")


def test_dag_list_still_shows_the_damaged_dag(
    damaged: tuple[str, str], airflow_home: AirflowHome
) -> None:
    _, url = damaged
    done = run_ddtui("dags", "--metastore", url, env=ddtui_env(airflow_home))
    assert done.returncode == 0, done.stderr
    assert any(line.startswith(f"{BAD_DAG} ") for line in done.stdout.splitlines())


def test_the_rest_of_the_metastore_is_still_browsable(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    db = copy_metastore(airflow_home, tmp_path / "airflow.db")
    corrupt(db, "truncated JSON")
    env = ddtui_env(airflow_home)
    url = f"sqlite:///{db}"
    listed = run_ddtui("dags", "--metastore", url, env=env)
    assert listed.returncode == 0, listed.stderr
    assert BAD_DAG in listed.stdout and "drift" in listed.stdout
    tasks = run_ddtui("tasks", "drift", "--metastore", url, env=env)
    assert tasks.returncode == 0, tasks.stderr
    assert "sample" in tasks.stdout


def test_damaged_xcom_value_names_no_table_and_fails_nothing(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    db = copy_metastore(airflow_home, tmp_path / "airflow.db")
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE xcom SET value = ? WHERE dag_id = 'titanic' AND task_id = 'clean'",
            ('"titanic_cle',),
        )
    conn.close()
    done = run_ddtui(
        "tasks", "titanic", "--metastore", f"sqlite:///{db}", env=ddtui_env(airflow_home)
    )
    assert done.returncode == 0, done.stderr
    clean = next(line for line in done.stdout.splitlines() if line.startswith("clean "))
    assert "titanic_clean" in clean  # found through its output_table attribute instead


@pytest.mark.expect_worker_error("its serialized form in the metastore is unreadable")
async def test_tui_shows_the_error_in_the_task_pane_and_other_dags_work(
    damaged: tuple[str, str], airflow_home: AirflowHome
) -> None:
    from tui.conftest import fixed_clock
    from tui.helpers import press, settle, static_text, task_ids

    from ddtui.tui.app import DdtuiApp

    corruption, url = damaged
    store = open_metastore(url)
    data = DataSettings(airflow_home.data_url, "--data-url")
    app = DdtuiApp(store, data, refresh_seconds=0, clock=fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(12):  # down the DAG tree until the damaged DAG is selected
            if app.main.selection.dag_id == BAD_DAG:
                break
            await press(pilot, "j")
        assert app.main.selection.dag_id == BAD_DAG
        message = static_text(app, "#task-message")
        reason = message.splitlines()[1]  # under the title "Could not read DAG titanic."
        assert f"DAG {BAD_DAG!r}" in reason and "serialized form" in reason
        if corruption == "garbage data_compressed":
            assert "data_compressed is not zlib data" in reason
        assert "when it next parses the DAG file" in message  # not "is the metastore reachable"
        assert "Traceback" not in app.export_screenshot()
        for _ in range(12):  # back up the tree to another DAG: it works as before
            await press(pilot, "k")
            if app.main.selection.dag_id != BAD_DAG:
                break
        assert app.main.selection.dag_id != BAD_DAG
        assert task_ids(app)
        assert not app.query_one("#task-message").display
    store.close()


def test_values_of_the_wrong_type_read_as_unknown_not_a_traceback(
    airflow_home: AirflowHome, tmp_path: Path
) -> None:
    """SQLite keeps whatever is written into a column: text in timestamps and counts,
    numbers as tags."""
    db = copy_metastore(airflow_home, tmp_path / "airflow.db")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE dag_run SET start_date = 'garbage', logical_date = 'x' || id")
        conn.execute("UPDATE task_instance SET try_number = 'x', duration = 'abc', end_date = 7")
        conn.execute("UPDATE dag_tag SET name = 42 WHERE dag_id = 'titanic' AND name = 'ml'")
        conn.execute("UPDATE dag SET owners = 5, dag_display_name = 3.5")
    conn.close()
    env = ddtui_env(airflow_home)
    url = f"sqlite:///{db}"
    listed = run_ddtui("dags", "--metastore", url, env=env)
    assert listed.returncode == 0, listed.stderr
    titanic = next(line for line in listed.stdout.splitlines() if line.startswith("titanic "))
    assert "42" in titanic and "failed" in titanic  # the tag, and the state still shown
    tasks = run_ddtui("tasks", "drift", "--metastore", url, env=env)
    assert tasks.returncode == 0, tasks.stderr
    assert "sample" in tasks.stdout and "drift_20240402" in tasks.stdout
    store = open_metastore(url)
    run = store.runs("titanic")[0]
    assert run.start_date is None and run.logical_date is None
    detail = store.run_detail("titanic", run.run_id)
    assert {ti.try_number for ti in detail.task_instances} == {0}
    assert {ti.duration for ti in detail.task_instances} == {None}
    store.close()
