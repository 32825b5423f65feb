"""Charts that fit each column, checked against pandas on the same data.

The columns are real (tests/chart_columns.py writes them to SQLite and profiles them);
the rules are the ones a reader of the chart relies on: one bar per value for few values,
round and distinct tick labels, evenly spaced count ticks, no bin hidden by rounding.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from chart_columns import CHART_KINDS, chart_frame, chart_profile
from datagen import write_sqlite
from hypothesis import given, settings
from hypothesis import strategies as st

from ddtui.profile.models import TableProfile
from ddtui.render.chart_choice import Bins, ValueBars, choose_chart
from ddtui.render.chart_text import distinct_labels, histogram_lines, middle_ellipsis
from ddtui.render.profile import chart_lines, render_column_chart, render_profile
from ddtui.render.ticks import count_ticks, date_ticks, number_ticks
from tests.paths import REPO

WIDTHS = [80, 120]
ROOT = REPO  # this checkout's ddtui, for the subprocess


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> TableProfile:
    return chart_profile(tmp_path_factory.mktemp("charts"))


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return chart_frame()


def chart(profile: TableProfile, name: str, width: int) -> list[str]:
    col = profile.column(name)
    assert col is not None
    return render_column_chart(col, width, chart_lines(col, 12), color=False).splitlines()


def bar_rows(lines: list[str]) -> dict[str, int]:
    """`label │bars count pct%` lines as {label: count}."""
    rows = {}
    for line in lines[1:]:
        label, _, rest = line.partition(" │")
        rows[label.strip()] = int(rest.split()[-2].replace(",", ""))
    return rows


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["year", "pclass"])
def test_few_valued_integers_get_one_bar_per_value(
    profile: TableProfile, frame: pd.DataFrame, name: str, width: int
) -> None:
    lines = chart(profile, name, width)
    expected = frame[name].value_counts().sort_index()
    assert lines[0] == f"{name} (number, one bar per value)"
    assert bar_rows(lines) == {str(v): int(n) for v, n in expected.items()}
    assert list(bar_rows(lines)) == [str(v) for v in sorted(expected.index)]  # natural order
    assert all(len(line) <= width for line in lines)


def test_value_counts_equal_pandas(profile: TableProfile, frame: pd.DataFrame) -> None:
    for name in ("year", "pclass"):
        col = profile.column(name)
        assert col is not None
        assert col.value_counts == list(frame[name].value_counts().sort_index().items())
    age = profile.column("age")
    assert age is not None and age.value_counts == []  # hundreds of values: a histogram


@pytest.mark.parametrize("width", WIDTHS)
def test_booleans_are_two_bars(profile: TableProfile, frame: pd.DataFrame, width: int) -> None:
    lines = chart(profile, "survived", width)
    counts = frame["survived"].value_counts()
    assert bar_rows(lines) == {"False": int(counts[False]), "True": int(counts[True])}


@pytest.mark.parametrize("width", WIDTHS)
def test_long_labels_stay_distinct_and_other_counts_the_rest(
    profile: TableProfile, frame: pd.DataFrame, width: int
) -> None:
    lines = chart(profile, "name", width)
    rows = bar_rows(lines)
    labels = [label for label in rows if not label.startswith("other (")]
    assert len(set(labels)) == len(labels) == 10
    top = frame["name"].value_counts()
    assert [rows[label] for label in labels] == [int(n) for n in top.iloc[:10]]  # by frequency
    assert rows[f"other ({top.size - 10} values)"] == int(top.iloc[10:].sum())
    # Cut in the middle: the surname at the start and the number at the end both show.
    assert all("…" in label and label.startswith("Passenger ") for label in labels)


def axis_labels(lines: list[str]) -> list[str]:
    return lines[-1].split()


def axis_columns(lines: list[str]) -> list[int]:
    return [m.start() for m in re.finditer("┬", lines[-2])]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["age", "fare"])
def test_continuous_ticks_are_round_even_and_distinct(
    profile: TableProfile, name: str, width: int
) -> None:
    lines = chart(profile, name, width)
    assert re.fullmatch(rf"{name} \(number, \d+ bins\)", lines[0])
    labels = axis_labels(lines)
    values = [float(label) for label in labels]
    assert len(labels) >= 4 and len(set(labels)) == len(labels)
    steps = {round(b - a, 9) for a, b in itertools.pairwise(values)}
    assert len(steps) == 1 and re.fullmatch(r"[125]0*", f"{steps.pop():g}")
    spacing = [b - a for a, b in zip(axis_columns(lines), axis_columns(lines)[1:], strict=False)]
    assert max(spacing) - min(spacing) <= 1  # evenly spaced, to the nearest column


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("name", "pattern"),
    [("scanned_at", r"09:\d\d"), ("booked_on", r"0[1-3]-\d\d"), ("born", r"(19|20)\d\d")],
)
def test_datetimes_get_calendar_ticks(
    profile: TableProfile, name: str, pattern: str, width: int
) -> None:
    lines = chart(profile, name, width)
    labels = axis_labels(lines)
    assert len(labels) >= 3 and len(set(labels)) == len(labels)
    assert all(re.fullmatch(pattern, label) for label in labels), labels


def y_ticks(lines: list[str]) -> list[tuple[int, str]]:
    """(row, label) of the count ticks, rows counted from the top."""
    return [(i, line.split("┤")[0].strip()) for i, line in enumerate(lines) if "┤" in line]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["age", "fare", "scanned_at", "booked_on", "born"])
def test_count_ticks_are_evenly_spaced(profile: TableProfile, name: str, width: int) -> None:
    lines = chart(profile, name, width)
    ticks = [*y_ticks(lines), (len(lines) - 2, "0")]
    rows = [row for row, _ in ticks]
    counts = [int(label.replace(",", "")) for _, label in ticks]
    assert len({b - a for a, b in itertools.pairwise(rows)}) == 1
    assert len({a - b for a, b in itertools.pairwise(counts)}) == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_describe_text_draws_every_kind(profile: TableProfile, width: int) -> None:
    text = render_profile(profile, width=width, color=False, fmt="text")
    assert "\x1b[" not in text and all(len(line) <= width for line in text.splitlines())
    for name in CHART_KINDS.values():
        col = profile.column(name)
        assert col is not None
        assert render_column_chart(col, width, chart_lines(col, 12), False) in text


def test_colour_only_paints_the_bars(profile: TableProfile) -> None:
    for name in CHART_KINDS.values():
        col = profile.column(name)
        assert col is not None
        plain = render_column_chart(col, 80, 12, color=False)
        coloured = render_column_chart(col, 80, 12, color=True)
        assert "\x1b[36m" in coloured
        assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_chart_choice_per_kind(profile: TableProfile) -> None:
    kinds = {name: type(choose_chart(profile.column(name))) for name in CHART_KINDS.values()}  # type: ignore[arg-type]
    assert kinds == {
        "year": ValueBars,
        "pclass": ValueBars,
        "survived": ValueBars,
        "age": Bins,
        "fare": Bins,
        "scanned_at": Bins,
        "booked_on": Bins,
        "born": Bins,
        "name": ValueBars,
    }


def test_middle_ellipsis_keeps_both_ends() -> None:
    assert middle_ellipsis("Passenger Andersson number 12", 15) == "Passeng…mber 12"
    assert middle_ellipsis("short", 15) == "short"


@settings(max_examples=200, deadline=None)
@given(
    low=st.floats(-1e9, 1e9, allow_nan=False),
    span=st.floats(1e-6, 1e10, allow_nan=False),
    room=st.integers(2, 30),
)
def test_number_ticks_never_repeat(low: float, span: float, room: int) -> None:
    ticks = number_ticks(low, low + span, room)
    labels = [t.label for t in ticks]
    assert len(ticks) <= room
    assert len(set(labels)) == len(labels)
    gaps = [b.position - a.position for a, b in itertools.pairwise(ticks)]
    rounding = 4 * math.ulp(max(abs(low), abs(low + span)))  # what floats there can hold
    assert all(abs(gap - gaps[0]) <= 1e-6 * gaps[0] + rounding for gap in gaps)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1)),
    seconds=st.floats(60, 200 * 365 * 86400),
    room=st.integers(3, 20),
)
def test_date_ticks_never_repeat(start: dt.datetime, seconds: float, room: int) -> None:
    ticks, _unit = date_ticks(start, start + dt.timedelta(seconds=seconds), room)
    labels = [t.label for t in ticks]
    assert 1 <= len(ticks) <= room
    assert len(set(labels)) == len(labels)


@settings(max_examples=200, deadline=None)
@given(peak=st.integers(1, 10**9), rows=st.integers(3, 40))
def test_count_ticks_cover_the_peak_evenly(peak: int, rows: int) -> None:
    top, ticks = count_ticks(peak, rows)
    assert top >= peak
    assert len({b.position - a.position for a, b in itertools.pairwise(ticks)}) == 1
    assert len({t.label for t in ticks}) == len(ticks)


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(st.integers(0, 10**6), min_size=1, max_size=60),
    width=st.integers(20, 160),
    height=st.integers(5, 30),
)
def test_bins_never_hide_a_value(counts: list[int], width: int, height: int) -> None:
    edges = [float(i) for i in range(len(counts) + 1)]
    lines = histogram_lines(Bins(edges, counts, dates=False), width, height, color=False)
    bottom = lines[-3]
    offset = bottom.index("┤" if "┤" in bottom else "│") + 1
    plot = bottom[offset:]
    plot_width = len(lines[-2]) - offset
    group = -(-len(counts) // plot_width)  # more bins than columns: neighbours summed
    merged = [sum(counts[i : i + group]) for i in range(0, len(counts), group)]
    columns = [round(i * group * plot_width / len(counts)) for i in range(len(merged))]
    for count, column in zip(merged, columns, strict=True):
        filled = column < len(plot) and plot[column] != " "
        assert filled == (count > 0), (count, column, plot)
    assert all(len(line) <= width for line in lines)


@pytest.mark.parametrize(
    ("name", "boundary"),
    [
        ("scanned_at", lambda t: t.second == 0 and t.minute % 5 == 0),
        ("booked_on", lambda t: (t.hour, t.minute, t.weekday()) == (0, 0, 0)),  # Mondays
        ("born", lambda t: (t.month, t.day, t.hour) == (1, 1, 0) and t.year % 5 == 0),
    ],
)
def test_datetime_bins_are_calendar_units(
    profile: TableProfile, frame: pd.DataFrame, name: str, boundary: object
) -> None:
    col = profile.column(name)
    assert col is not None and col.histogram is not None
    edges = [pd.Timestamp(e) for e in col.histogram.edges]
    assert all(boundary(t) for t in edges), edges  # type: ignore[operator]
    assert len(edges) - 1 <= 20
    counts = pd.cut(frame[name], pd.DatetimeIndex(edges), right=False).value_counts(sort=False)
    assert col.histogram.counts == counts.tolist()


@pytest.fixture(scope="module")
def chart_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("charts-cli") / "charts.db"
    write_sqlite(chart_frame(), path, "passengers").dispose()
    return path


@pytest.mark.parametrize("width", WIDTHS)
def test_profile_command_prints_the_same_charts(
    chart_table: Path, profile: TableProfile, width: int
) -> None:
    """`ddtui profile` (describe's text for any table) draws each kind as the TUI does."""
    env = {**os.environ, "COLUMNS": str(width), "PYTHONPATH": str(ROOT)}
    env.pop("NO_COLOR", None)
    command = [
        sys.executable,
        "-m",
        "ddtui.cli",
        "profile",
        f"sqlite:///{chart_table}",
        "passengers",
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout  # piped: no colour
    for name in CHART_KINDS.values():
        col = profile.column(name)
        assert col is not None
        assert render_column_chart(col, width, chart_lines(col, 12), False) in done.stdout, name


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(CHART_KINDS))
def test_chart_snapshot(profile: TableProfile, kind: str, width: int, snapshot) -> None:
    """Each kind of chart as text, at 80 and 120 columns (`--snapshot-update` to accept)."""
    assert "\n".join(chart(profile, CHART_KINDS[kind], width)) == snapshot


def test_labels_that_differ_only_inside_stay_apart() -> None:
    # A shared start and a shared end: the cut moves, then ranks tell them apart.
    inside = [f"https://example.com/{c}/report-2024.csv" for c in ("alpha", "beta", "gamma")]
    shown = distinct_labels(inside, 16)
    assert len(set(shown)) == 3 and all(len(label) <= 16 for label in shown)
    same_ends = ["x" * 20 + c + "y" * 20 for c in "abc"]
    ranked = distinct_labels(same_ends, 10)
    assert len(set(ranked)) == 3 and ranked[0].startswith("#1 ")
