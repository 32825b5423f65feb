"""The installed `ddtui` command in a real terminal (tmux), as a user over SSH would run it."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from ddtui.demo.home import AirflowHome
from tests.airflow_home_support import REQUIRE_SERVICES_ENV

DDTUI = str(Path(sys.executable).with_name("ddtui"))
pytestmark = pytest.mark.tmux


class Terminal:
    """One tmux session running one command; the screen is read with capture-pane."""

    def __init__(self, name: str, socket: str | None = None) -> None:
        self.name = name
        self.server = ["-L", socket] if socket else []  # a tmux server of its own

    def tmux(self, *args: str) -> str:
        command = ["tmux", *self.server, *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"tmux {args[0]} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def wait_for(self, ready: Callable[[str], bool], what: str, timeout: float = 90) -> str:
        """Poll the screen until `ready` (a real terminal has no event to wait on)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if ready(screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; the screen was:\n{screen}")
            time.sleep(0.25)

    def wait_for_exit(self) -> str:
        """Wait until ddtui has quit and the shell printed its exit status."""
        screen = self.wait_for(lambda s: "ddtui exited with" in s, "ddtui to quit")
        return screen.split("ddtui exited with", 1)[1].split()[0]


@pytest.fixture
def terminal(request: pytest.FixtureRequest) -> Iterator[Callable[..., Terminal]]:
    if shutil.which("tmux") is None:
        message = "tmux is not installed (nox -s tests installs it on Debian as root)"
        if os.environ.get(REQUIRE_SERVICES_ENV) == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    started: list[Terminal] = []

    def start(
        command: list[str], env: dict[str, str], size: tuple[int, int], socket: str | None = None
    ) -> Terminal:
        # Unique per test and run: a recycled pid must not meet an old session's name.
        term = Terminal(f"ddtui-e2e-{uuid.uuid4().hex[:12]}", socket)
        env_args = [f"{k}={v}" for k, v in env.items()]
        # A shell stays after ddtui quits and prints how it ended, so the test can read it.
        script = shlex.join(command) + '; echo "ddtui exited with $?"; sleep 600'
        argv = [
            "tmux", *term.server, "new-session", "-d", "-s", term.name,
            "-x", str(size[0]), "-y", str(size[1]),
            "env", "-i", *env_args, "sh", "-c", script,
        ]  # fmt: skip
        # The previous test's kill-session may be shutting the tmux server down right now;
        # a new-session in that moment fails once, so try again before failing.
        for attempt in range(3):
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
            if done.returncode == 0:
                break
            if attempt == 2:
                pytest.fail(f"tmux new-session failed: {done.stderr.strip()}")
            time.sleep(0.5)
        started.append(term)
        return term

    yield start
    for term in started:
        subprocess.run(
            ["tmux", *term.server, "kill-session", "-t", term.name],
            capture_output=True,
            check=False,
        )


def ssh_like_env(home: AirflowHome, term: str, history: Path) -> dict[str, str]:
    """What a login shell over SSH has: PATH, HOME, TERM, LANG, and the Airflow home."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "TERM": term,
        "LANG": "C.UTF-8",
        "DDTUI_HISTORY": str(history),  # not the user's own profile history
        **home.env(),
    }


@pytest.mark.parametrize("term", ["xterm-256color", "xterm"])
def test_deep_link_shows_dag_tasks_states_and_describe_numbers(
    airflow_home: AirflowHome, terminal: Callable[..., Terminal], term: str, tmp_path: Path
) -> None:
    run_id = next(
        r.run_id for r in airflow_home.runs if r.dag_id == "titanic" and r.state == "success"
    )
    frame = pd.read_sql_table("titanic_clean", sa.create_engine(airflow_home.data_url))
    mean_age = f"{frame['age'].mean():.6g}"
    std_fare = f"{frame['fare'].std():.6g}"

    tty = terminal(
        [DDTUI, "--dag", "titanic", "--task", "clean", "--run", run_id, "--refresh", "0"],
        ssh_like_env(airflow_home, term, tmp_path / "history.sqlite"),
        (120, 40),
    )
    screen = tty.wait_for(lambda s: mean_age in s and std_fare in s, "the describe numbers")
    assert "Tasks of titanic" in screen
    rows = screen.splitlines()
    for task_id in ("load", "clean", "features", "train", "score"):
        # Each task's row says its state in a word after the glyph, not only in colour.
        row = next((r for r in rows if re.search(rf"\b{task_id}\b", r)), "")
        assert re.search(rf"\b{task_id}\s+\S ok\b", row), (task_id, row)
    assert f"{len(frame)} rows" in screen
    assert "Traceback" not in screen

    tty.keys("q")
    assert tty.wait_for_exit() == "0"


def test_keyboard_only_browse_filter_and_quit_at_80x24(
    airflow_home: AirflowHome, terminal: Callable[..., Terminal], tmp_path: Path
) -> None:
    tty = terminal(
        [DDTUI, "--refresh", "0"],
        ssh_like_env(airflow_home, "xterm-256color", tmp_path / "history.sqlite"),
        (80, 24),
    )
    tty.wait_for(lambda s: "drift" in s and "Miss %" in s, "the DAG tree and a profile")
    tty.keys("/")
    tty.wait_for(lambda s: "filter (fuzzy)" in s, "the filter box")
    tty.keys("-l", "groups_mapped")
    # The whole filter text is in the box and the tree shows only the match: enter opens it.
    tty.wait_for(
        lambda s: "\ngroups_mapped " in s and "asset_outputs" not in s, "the filtered tree"
    )
    tty.keys("Enter")
    # At 80 columns the tree folds away once the task list has the focus.
    screen = tty.wait_for(
        lambda s: "\n─Tasks of groups_mapped" in s and "aggregate_shard" in s,
        "the groups_mapped task list, focused",
    )
    assert all(len(line) <= 80 for line in screen.splitlines())
    tty.keys("q")
    assert tty.wait_for_exit() == "0"


def test_y_in_the_column_view_copies_the_deep_link_into_tmux(
    airflow_home: AirflowHome, terminal: Callable[..., Terminal], tmp_path: Path
) -> None:
    run_id = next(
        r.run_id for r in airflow_home.runs if r.dag_id == "titanic" and r.state == "success"
    )
    link = f"ddtui --dag titanic --task clean --run {shlex.quote(run_id)}"
    tty = terminal(
        [DDTUI, "--dag", "titanic", "--task", "clean", "--run", run_id, "--refresh", "0"],
        ssh_like_env(airflow_home, "xterm-256color", tmp_path / "history.sqlite"),
        (120, 40),
        socket=f"ddtui-clip-{uuid.uuid4().hex[:8]}",  # its clipboard setting stays its own
    )
    # tmux takes an application's OSC 52 into its paste buffer with set-clipboard on.
    tty.tmux("set-option", "-s", "set-clipboard", "on")
    tty.wait_for(lambda s: "Miss %" in s and "exact profile" in s, "the describe table")
    tty.keys("Tab")  # from the task list to the describe table
    tty.keys("Enter")
    tty.wait_for(lambda s: "Copy link" in s and "database type" in s, "the column view")
    tty.keys("y")
    screen = tty.wait_for(lambda s: "copied to the clipboard" in s, "the link shown")
    assert link in screen
    assert tty.tmux("show-buffer") == link
    tty.keys("Escape")
    tty.wait_for(lambda s: "Miss %" in s and "Copy link" not in s, "the panes again")
    tty.keys("q")
    assert tty.wait_for_exit() == "0"
