"""Random table names, column names and cells (control characters included) through the
profiler on a real SQLite table and through every renderer: no exception, and nothing that
would act on a terminal but ddtui's own colours (issue 11)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from hostile_support import terminal_problems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddtui.drift.compare import compare_profiles
from ddtui.errors import DataSourceError, NotFoundError, one_line
from ddtui.profile import profile_table
from ddtui.render.drift import render_drift
from ddtui.render.profile import render_profile
from ddtui.terminal_text import is_terminal_safe
from ddtui.tui.dag_tree import fuzzy_match
from ddtui.tui.errors import error_message
from ddtui.tui.stats.charts import chart_text
from ddtui.tui.stats.describe import describe_cells
from ddtui.tui.stats.drift import drift_cells, summary
from ddtui.tui.stats.head_tail import cell

# Any character SQLite can hold in a name (not NUL, not a lone surrogate), controls favoured.
CONTROLS = "\x1b\x07\x9b\x85\x7f\n\r\t\x00\u202e"
name_chars = st.one_of(
    st.sampled_from("\x1b\x07\x9b\x85\x7f\n\r\t\u202e[]/"),
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
)
names = st.text(name_chars, min_size=1, max_size=12).filter(
    lambda name: not name.lower().startswith("sqlite_")
)
cells = st.one_of(
    st.none(),
    st.text(st.one_of(st.sampled_from(CONTROLS), st.characters(exclude_categories=("Cs",)))),
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, pd.DataFrame]:
    rows = draw(st.integers(0, 8))
    columns = draw(st.lists(names, min_size=1, max_size=3, unique_by=str.lower))
    data: dict[str, list[object]] = {}
    for index, column in enumerate(columns):
        if index == 1:  # one column of numbers, so charts and quartiles are drawn too
            values = st.one_of(st.none(), st.floats(allow_nan=False, width=32))
            data[column] = draw(st.lists(values, min_size=rows, max_size=rows))
        else:
            data[column] = draw(st.lists(cells, min_size=rows, max_size=rows))
    return draw(names), pd.DataFrame(data)


def assert_safe(text: str, *, color: bool = False) -> None:
    assert terminal_problems(text, color=color) == []


def assert_safe_lines(text: str) -> None:
    """A pane's Text: ddtui's own newlines between lines, nothing else from data."""
    assert all(is_terminal_safe(line) for line in text.split("\n"))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_random_names_and_cells_render_terminal_safe(table: tuple[str, pd.DataFrame]) -> None:
    name, frame = table
    with tempfile.TemporaryDirectory() as folder:
        engine = sa.create_engine(f"sqlite:///{Path(folder) / 'data.db'}")
        try:
            frame.to_sql(name, engine, index=False)
            frame.head(len(frame) // 2).to_sql(name + "_base", engine, index=False)
            profile = profile_table(engine, name)
            baseline = profile_table(engine, name + "_base")
        finally:
            engine.dispose()
    assert [c.name for c in profile.columns] == list(frame.columns)
    for fmt in ("text", "markdown"):
        assert_safe(render_profile(profile, width=80, color=False, fmt=fmt))  # type: ignore[arg-type]
        assert_safe(render_profile(profile, width=80, color=True, fmt=fmt), color=True)  # type: ignore[arg-type]
    report = compare_profiles(baseline, profile)
    assert_safe(render_drift(report, width=80, color=True, fmt="text"), color=True)
    assert_safe(render_drift(report, width=80, color=False, fmt="markdown"))
    assert_safe_lines(summary(report, "previous").plain)
    for column_drift in report.columns:
        assert all(is_terminal_safe(c.plain) for c in drift_cells(column_drift))
    for col in profile.columns:
        assert all(is_terminal_safe(c.plain) for c in describe_cells(col))
        assert_safe_lines(chart_text(col, 40, 12).plain)
        assert is_terminal_safe(fuzzy_match("a", col.name)[1].plain)
    for row in (*profile.head, *profile.tail):
        assert all(is_terminal_safe(cell(value).plain) for value in row.values())
    assert is_terminal_safe(one_line(DataSourceError(f"no such table: {name}")))
    assert_safe_lines(error_message("profile", name, name).plain)
    assert_safe(str(NotFoundError("column", name[:3], [name, *frame.columns], where=name)))
