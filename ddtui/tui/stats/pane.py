"""The stats pane: title line, progress, a message in place of the tabs, and the tabs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static, TabbedContent, TabPane

from ddtui.tui.format import data_text, format_count
from ddtui.tui.stats.describe import DescribeTable
from ddtui.tui.stats.drift import DriftView
from ddtui.tui.stats.head_tail import HeadTailTable
from ddtui.tui.stats.histograms import HistogramGrid

if TYPE_CHECKING:  # ddtui.profile loads numpy: only when a profile is computed
    from ddtui.outputs.resolve import OutputRef
    from ddtui.profile.models import TableProfile, TableSchema

# (tab id, title, key), each with its view below.
TABS = [
    ("describe", "Describe", "1"),
    ("histograms", "Histograms", "2"),
    ("head-tail", "Head / Tail", "3"),
    ("drift", "Drift", "4"),
]
# Each tab's view: a widget with `show_profile(profile)`, and its DOM id.
TabView = DescribeTable | HistogramGrid | HeadTailTable | DriftView
TAB_VIEWS: dict[str, tuple[type[TabView], str]] = {
    "describe": (DescribeTable, "describe-table"),
    "histograms": (HistogramGrid, "histograms-grid"),
    "head-tail": (HeadTailTable, "head-tail-table"),
    "drift": (DriftView, "drift-view"),
}


def profile_label(profile: TableProfile) -> Text:
    if profile.method:
        over_budget = profile.method_reason not in (None, "--approx")
        why = ", over the time budget" if over_budget else ""
        return Text(f"approximate profile ({profile.method}{why})", style="yellow")
    if profile.exact:
        return Text("exact profile", style="green")
    size = format_count(profile.sample_size) if profile.sample_size else "some"
    return Text(f"sample of {size} rows; exact profile computing", style="yellow")


def source_note(ref: OutputRef | None) -> Text:
    """`  read through Airflow connection `x` (metastore)` when a connection was used."""
    # Not at module level: output resolution loads with the first DAG, after the first frame.
    from ddtui.outputs.resolve import CONNECTION_PREFIX

    if ref is None or not ref.data_source.startswith(CONNECTION_PREFIX):
        return Text("")
    return Text.assemble("  ", data_text(f"read through {ref.data_source}", "dim"))


def _as_text(text: str | Text) -> Text:
    """A message as Text: a str may quote data, so it is never parsed as markup."""
    return data_text(text) if isinstance(text, str) else text


class PaneMessage(Static, can_focus=True):
    """A message in place of the tabs; focusable so `tab` still lands in this pane."""


class StatsPane(Vertical):
    """What the selected task's output table holds."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ref: OutputRef | None = None
        self.profile: TableProfile | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="stats-title")
        yield ProgressBar(total=None, show_eta=False, id="stats-progress")
        yield PaneMessage("Select a task to see its output table.", id="stats-message")
        with TabbedContent(id="stats-tabs"):
            for tab_id, title, key in TABS:
                view, view_id = TAB_VIEWS[tab_id]
                with TabPane(f"{key} {title}", id=tab_id):
                    yield view(id=view_id)

    def on_mount(self) -> None:
        self._show_tabs(False)
        self.query_one("#stats-progress").display = False

    # Attributes down -------------------------------------------------------------

    def show_message(self, text: str | Text, ref: OutputRef | None = None) -> None:
        """A message in place of the tabs: no output, an error, or what to select."""
        self.ref, self.profile = ref, None
        self._title(data_text(ref.label) if ref is not None and ref.found else Text(""))
        self.query_one("#stats-message", Static).update(_as_text(text))
        self._show_tabs(False)
        self._progress(None, visible=False)

    def show_loading(self, ref: OutputRef) -> None:
        self.ref, self.profile = ref, None
        self._title(Text.assemble(data_text(ref.label, "bold"), ("  reading the table…", "dim")))
        self.query_one("#stats-message", Static).update(data_text(ref.reason, "dim"))
        self._show_tabs(False)
        self._progress(None, visible=True)

    def show_schema(self, schema: TableSchema) -> None:
        rows, cols = format_count(schema.row_count), len(schema.columns)
        label = self.ref.label if self.ref else schema.table
        self._title(
            Text.assemble(
                data_text(label, "bold"),
                f"  {rows} rows, {cols} columns",
                ("  profiling…", "dim"),
                source_note(self.ref),
            )
        )
        self.query_one(DescribeTable).show_schema(schema)
        self._show_tabs(True)

    def show_profile(self, profile: TableProfile) -> None:
        self.profile = profile
        rows, cols = format_count(profile.row_count), profile.column_count
        label = self.ref.label if self.ref else profile.table
        self._title(
            Text.assemble(
                data_text(label, "bold"),
                f"  {rows} rows, {cols} columns  ",
                profile_label(profile),
                source_note(self.ref),
            )
        )
        for view, view_id in TAB_VIEWS.values():
            self.query_one(f"#{view_id}", view).show_profile(profile)
        self._show_tabs(True)
        if profile.exact or profile.method:  # the last stage: no sample to replace
            self._progress(None, visible=False)

    def show_progress(self, fraction: float | None) -> None:
        # Progress posted just before the exact profile may arrive after it: no bar then.
        if self.profile is not None and (self.profile.exact or self.profile.method):
            return
        self._progress(fraction, visible=True)

    def finish(self) -> None:
        self._progress(None, visible=False)

    @property
    def drift_view(self) -> DriftView:
        return self.query_one(DriftView)

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active

    def show_tab(self, tab_id: str) -> None:
        self.query_one(TabbedContent).active = tab_id

    def focus_content(self) -> None:
        """Focus the active tab's content (the pane's keyboard target)."""
        active = self.query_one(TabbedContent).active
        if self.query_one("#stats-tabs").display and active == "drift":
            self.drift_view.focus_target().focus()
        elif self.query_one("#stats-tabs").display and active in TAB_VIEWS:
            self.query_one(f"#{TAB_VIEWS[active][1]}").focus()
        else:
            self.query_one("#stats-message").focus()

    # Internals -------------------------------------------------------------------

    def _title(self, text: Text) -> None:
        self.query_one("#stats-title", Static).update(text)

    def _show_tabs(self, visible: bool) -> None:
        self.query_one("#stats-tabs").display = visible
        self.query_one("#stats-message").display = not visible

    def _progress(self, fraction: float | None, *, visible: bool) -> None:
        bar = self.query_one("#stats-progress", ProgressBar)
        bar.display = visible
        if fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=1.0, progress=fraction)
