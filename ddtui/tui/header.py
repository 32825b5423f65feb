"""The header line: which metastore, which Airflow, when the data was last read."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ddtui.metastore import MetastoreInfo
from ddtui.terminal_text import safe_text
from ddtui.tui.format import data_text


class InfoBar(Widget):
    """`ddtui  sqlite:////…/airflow.db  Airflow 3.1+  refreshed 15:31:02` on one line."""

    refreshed_at: reactive[datetime | None] = reactive(None)
    problem: reactive[str] = reactive("")
    # When the metastore stopped answering (a read failed or outlived a refresh interval).
    silent_since: reactive[datetime | None] = reactive(None)

    def metastore_silent(self, since: datetime) -> None:
        """Say the metastore is not answering, since the first read that went unanswered."""
        if self.silent_since is None:
            self.silent_since = since

    def metastore_answered(self, at: datetime) -> None:
        self.refreshed_at, self.silent_since, self.problem = at, None, ""

    def __init__(self, info: MetastoreInfo, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.info = info

    @property
    def plain(self) -> str:
        left, right = self._parts()
        return f"{left.plain} {right.plain}"

    def render(self) -> Table:
        grid = Table.grid(expand=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(*self._parts())
        return grid

    def _parts(self) -> tuple[Text, Text]:
        left = Text.assemble(("ddtui ", "bold"), data_text(self.info.url))
        right = Text(safe_text(f" Airflow {self.info.airflow_version}  "))
        if self.info.note:
            right.append(safe_text(f"{self.info.note}  "), style="bold yellow")
        if self.silent_since is not None:
            since = f"{self.silent_since:%H:%M:%S}"
            right.append(f"metastore not answering since {since} ", style="bold red")
        elif self.problem:
            right.append(safe_text(f"{self.problem} "), style="bold red")
        elif self.refreshed_at is not None:
            right.append(f"refreshed {self.refreshed_at:%H:%M:%S}", style="dim")
        else:
            right.append("loading…", style="dim")
        return left, right
