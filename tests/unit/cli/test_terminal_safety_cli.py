"""Hostile names and values through every CLI output: nothing reaches the terminal as a control
sequence; ddtui's own colours are the only escapes (issue 11)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_support import (
    CATEGORY_COLUMN,
    DAG_ID,
    MARKUP,
    NUMBER_COLUMN,
    RUN_ID,
    TABLE,
    TAG,
    TASK_ID,
    TEXT_COLUMN,
    HostileHome,
    terminal_problems,
)

from ddtui.terminal_text import safe_text
from tests.paths import REPO

DDTUI = str(Path(sys.executable).with_name("ddtui"))


@pytest.fixture
def hostile(hostile_home: HostileHome) -> HostileHome:
    return hostile_home


def command_env(hostile: HostileHome, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "DDTUI", "NO_COLOR", "COLUMNS", "FORCE_COLOR"))
    }
    env.update(hostile.env(), DDTUI_HISTORY=str(hostile.home.home / "history.sqlite"), **extra)
    env["PYTHONPATH"] = str(REPO)  # this checkout's ddtui, wherever the command was installed from
    return env


def piped(hostile: HostileHome, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DDTUI, *args], capture_output=True, text=True, env=command_env(hostile, **env), check=False
    )


def in_terminal(hostile: HostileHome, *args: str, **env: str) -> tuple[int, str]:
    """Run ddtui on a pseudo-terminal (so it colours its output) and read every byte."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [DDTUI, *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=command_env(hostile, COLUMNS="100", LINES="40", **env),
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    code = process.wait()
    # The terminal turns each newline into CR LF: that CR is the terminal's, not ddtui's.
    return code, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


SHOWN_DAG = safe_text(DAG_ID)
SHOWN_TASK = safe_text(TASK_ID)


def assert_safe(output: str, *, color: bool = False) -> None:
    assert terminal_problems(output, color=color) == []
    assert "\x1b]" not in output and "\x07" not in output


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["dags"], [SHOWN_DAG, safe_text(TAG)]),
        (["tasks", DAG_ID], [SHOWN_TASK, safe_text(TABLE)]),
        (["tasks", DAG_ID, "--run", RUN_ID], [safe_text(RUN_ID), SHOWN_TASK]),
        (["describe", DAG_ID, TASK_ID], [safe_text(TEXT_COLUMN), safe_text(TABLE)]),
        (["describe", DAG_ID, TASK_ID, "-f", "markdown"], [f"### {safe_text(TEXT_COLUMN)}"]),
        (["describe", DAG_ID, TASK_ID, "--compare", "previous"], ["drift: ", SHOWN_TASK]),
        (["describe", DAG_ID, TASK_ID, "--compare", "previous", "-f", "markdown"], ["## drift"]),
    ],
)
def test_piped_output_shows_controls_as_glyphs(
    hostile: HostileHome, args: list[str], shown: list[str]
) -> None:
    done = piped(hostile, *args)
    assert done.returncode == 0, done.stderr
    assert_safe(done.stdout + done.stderr)
    for text in shown:
        assert text in done.stdout
    assert MARKUP in done.stdout  # markup in data is printed as written


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_colour_output_in_a_terminal_has_only_ddtuis_own_colours(
    hostile: HostileHome, fmt: str
) -> None:
    code, output = in_terminal(
        hostile, "describe", DAG_ID, TASK_ID, "--compare", "previous", "-f", fmt
    )
    assert code == 0, output
    assert_safe(output, color=True)
    if fmt == "text":
        assert "\x1b[" in output  # the charts are coloured: the rule did not just strip them
    assert safe_text(NUMBER_COLUMN) in output


def test_no_color_in_a_terminal_has_no_escape_at_all(hostile: HostileHome) -> None:
    code, output = in_terminal(hostile, "describe", DAG_ID, TASK_ID, NO_COLOR="1")
    assert code == 0, output
    assert_safe(output, color=False)
    assert safe_text(CATEGORY_COLUMN) in output


def test_a_megabyte_cell_is_cut_in_text_and_markdown(hostile: HostileHome) -> None:
    for fmt in ("text", "markdown"):
        done = piped(hostile, "describe", DAG_ID, TASK_ID, "-f", fmt)
        assert done.returncode == 0, done.stderr
        assert "y" * 200 not in done.stdout  # the 1 MB cell shows as its first characters…
        assert "yyyy…" in done.stdout
        assert len(done.stdout) < 100_000


def test_json_keeps_names_exact_and_escaped_by_the_encoder(hostile: HostileHome) -> None:
    done = piped(hostile, "describe", DAG_ID, TASK_ID, "-f", "json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.isascii() and "\x1b" not in done.stdout  # \u001b, not ESC
    data = json.loads(done.stdout)
    assert (data["dag_id"], data["task_id"], data["output"]["table"]) == (DAG_ID, TASK_ID, TABLE)
    names = [col["name"] for col in data["profile"]["columns"]]
    assert TEXT_COLUMN in names and CATEGORY_COLUMN in names
    assert any(len(str(row[TEXT_COLUMN])) == 1_000_016 for row in data["profile"]["head"])


@pytest.mark.parametrize(
    ("args", "suggested"),
    [
        (["tasks", "evil"], SHOWN_DAG),
        (["describe", DAG_ID, "clean"], SHOWN_TASK),
        (["describe", "evil", "clean"], SHOWN_DAG),
        (["tasks", DAG_ID, "--run", "manual"], None),
    ],
)
def test_unknown_ids_suggest_hostile_ones_safely(
    hostile: HostileHome, args: list[str], suggested: str | None
) -> None:
    done = piped(hostile, *args)
    assert done.returncode == 2
    assert_safe(done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1
    if suggested is not None:
        assert f"Did you mean: {suggested}" in done.stderr


def test_other_errors_quoting_hostile_ids_are_one_safe_line(hostile: HostileHome) -> None:
    # `score` has no output in the failed run: the error names the DAG as the metastore has it.
    done = piped(hostile, "describe", DAG_ID, "score")
    assert done.returncode == 5
    assert_safe(done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1
    assert f"{SHOWN_DAG}.score" in done.stderr
