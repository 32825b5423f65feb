"""The installed `ddtui` in a real terminal (tmux) on a metastore and a table full of escape
sequences: every byte it writes is read back, and none comes from data (issue 11)."""

from __future__ import annotations

import re
import shlex
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import test_tmux_e2e
from hostile_support import (
    C1_CSI,
    DAG_ID,
    ESC_CLEAR,
    MARKUP,
    TASK_ID,
    TEXT_COLUMN,
    HostileHome,
)
from test_tmux_e2e import DDTUI, Terminal, ssh_like_env

from ddtui.terminal_text import safe_text
from tests.paths import REPO

pytestmark = pytest.mark.tmux
terminal = test_tmux_e2e.terminal  # the fixture that starts and ends tmux sessions
# What Textual writes besides text: CSI sequences (SGR, cursor moves, modes, queries), OSC 22
# (the mouse pointer's shape) and CR LF between lines.
TEXTUALS_OWN = re.compile(r"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\]22;[a-z-]+\x07|\r\n")


def wait_for_file(path: Path, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_hostile_names_reach_the_terminal_only_as_glyphs(
    hostile_home: HostileHome, terminal: Callable[..., Terminal], tmp_path: Path
) -> None:
    written, go = tmp_path / "written.bin", tmp_path / "go"
    # ddtui starts once tmux copies everything the pane gets into `written`.
    waiting = f'while [ ! -e {shlex.quote(str(go))} ]; do sleep 0.1; done; exec "$0" "$@"'
    env = ssh_like_env(hostile_home.home, "xterm-256color", tmp_path / "history.sqlite")
    env["PYTHONPATH"] = str(REPO)  # this checkout's ddtui, wherever the command was installed
    args = [DDTUI, "--dag", DAG_ID, "--task", TASK_ID, "--refresh", "0"]
    tty = terminal(["sh", "-c", waiting, *args], env, (140, 44))
    title_before = tty.tmux("display-message", "-p", "-t", tty.name, "#{pane_title}")
    tty.tmux("pipe-pane", "-o", "-t", tty.name, f"cat >> {shlex.quote(str(written))}")
    wait_for_file(written, "tmux to start copying the pane")
    go.touch()
    screen = tty.wait_for(lambda s: safe_text(TEXT_COLUMN) in s, "the hostile table's describe")
    for tab in ("2", "3", "4"):  # histograms, head/tail, drift: each draws other data
        tty.keys(tab)
        tty.wait_for(lambda s, tab=tab: f"{tab} " in s, f"tab {tab}")
    tty.keys("g")
    tty.wait_for(lambda s: "DAG graph" in s, "the graph")
    tty.keys("Escape")
    tty.wait_for(lambda s: "DAG graph" not in s, "the graph to close")
    tty.keys("q")
    assert tty.wait_for_exit() == "0"
    output = written.read_bytes().decode("utf-8")
    assert safe_text(TASK_ID) in screen and MARKUP in screen
    rest = TEXTUALS_OWN.sub("", output)
    assert "\x1b" not in rest  # no OSC (title, clipboard, links), no other escape
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]", rest)  # no BEL, no C1
    # A CSI from data (the screen clear in a column name) would come with its neighbours.
    assert not any(raw in output for raw in (TEXT_COLUMN, f"name{ESC_CLEAR[:2]}", C1_CSI))
    title_after = tty.tmux("display-message", "-p", "-t", tty.name, "#{pane_title}")
    assert title_after == title_before and "PWNED" not in title_after
