"""Help (`?`): every key binding, pane by pane."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("tab / shift+tab", "next / previous pane (DAG tree, task list, stats)"),
            ("↑ ↓  j k", "move the cursor"),
            ("enter", "choose: DAG → its tasks, task → its stats, column → column view"),
            ("r", "refresh now (states, runs, row counts and the open profile)"),
            ("[  ]", "older / newer run of the selected DAG"),
            ("p", "pick a run from the list"),
            ("g", "DAG graph; enter on a node selects that task"),
            ("/", "filter DAGs (fuzzy); esc clears"),
            ("o", "group DAGs by tag or by folder"),
            ("1 2 3 4", "stats tabs: Describe, Histograms, Head / Tail, Drift"),
            ("b", "Drift: pick the baseline run (the shown run: back to the previous one)"),
            ("z", "zoom the focused pane; z again restores"),
            ("ctrl+p", "command palette: go to DAG, go to task, switch run, refresh"),
            ("?", "this help"),
            ("q  ctrl+c", "quit"),
        ],
    ),
    (
        "DAG tree",
        [
            ("enter / click", "show the DAG's tasks and focus them"),
            ("←  →", "collapse / expand a group"),
            ("/  esc", "filter, clear the filter"),
        ],
    ),
    (
        "Task list",
        [
            ("↑ ↓", "the stats pane follows the cursor"),
            ("enter / click", "focus the task's stats"),
            ("l", "the task's log (latest try; the first failed map index of a mapped task)"),
        ],
    ),
    (
        "Task log",
        [
            ("[  ]", "older / newer try"),
            ("e", "jump to the first error or traceback"),
            ("/  n  N", "search; next / previous match"),
            ("f", "follow a running try's log live; f again stops"),
            ("g  G", "start / end of the log"),
            ("esc  q", "back to the panes"),
        ],
    ),
    (
        "Describe, Histograms",
        [
            ("arrows  h j k l", "move between columns / charts"),
            ("enter", "the column view: statistics, large chart, top values, history"),
        ],
    ),
    (
        "Column view",
        [
            ("y", "copy the command that reopens this task (ddtui --dag D --task T --run R)"),
            ("Y", "copy Python that loads the table in pandas (password from the environment)"),
            ("", "copied through the terminal (OSC 52; tmux: set -g set-clipboard on), and shown"),
            ("esc", "back, the cursor where it was"),
        ],
    ),
    (
        "Reports and scripts",
        [
            ("markdown", "ddtui describe DAG TASK --format markdown: the profile as a report"),
            ("json", "ddtui describe DAG TASK --format json: the profile for scripts"),
        ],
    ),
    (
        "Stats: Drift",
        [
            ("↑ ↓", "columns, most drifted first; the chart below follows"),
            ("enter", "both runs' histograms overlaid, large; esc closes"),
            ("Data column", "task list badge: drift watch null const rows- (last run)"),
        ],
    ),
    (
        "DAG graph",
        [
            ("arrows  h j k l", "move between tasks (along layers and edges)"),
            ("enter", "select the task and go back"),
            ("esc  g  q", "back without changing the task"),
        ],
    ),
    (
        "States",
        [
            ("✓ ok", "success"),
            ("✗ failed  ! upstream", "failed, upstream failed"),
            ("▶ running  … queued", "running; queued / scheduled / deferred"),
            ("↻ retry  - skipped", "up for retry; skipped / removed"),
            ("· none", "no state yet"),
        ],
    ),
]


def help_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for title, rows in SECTIONS:
        table.add_row(Text(title, style="bold underline"), "")
        for keys, what in rows:
            table.add_row(keys, what)
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog") as dialog:
            dialog.border_title = "ddtui keys"
            yield Static(help_table())
        yield Footer()
