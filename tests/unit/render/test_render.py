"""Text, markdown and JSON renderings of profiles (no terminal needed)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from datagen import make_mixed_frame

from ddtui.profile import TableProfile, profile_table
from ddtui.render.chart_choice import Bins, ValueBars, choose_chart
from ddtui.render.profile import (
    profile_to_dict,
    profile_to_json,
    render_column_chart,
    render_profile,
)

ANSI = "\x1b["


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TableProfile]:
    path = tmp_path_factory.mktemp("render") / "data.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    frame = make_mixed_frame(2000, seed=7)
    frame["blob"] = [b"\x00abc"] * 2000
    frame["huge"] = np.resize([1.0, np.inf, 3.0, -np.inf], 2000)
    frame.to_sql("mixed", engine, index=False, dtype={"blob": sa.LargeBinary})
    rng = np.random.default_rng(1)
    wide = pd.DataFrame(rng.normal(size=(30, 300)), columns=[f"col_{i}" for i in range(300)])
    wide.to_sql("wide", engine, index=False)
    pd.DataFrame({"x": pd.Series([], dtype=float)}).to_sql("empty", engine, index=False)
    return {
        "mixed": profile_table(engine, "mixed"),
        "sample": profile_table(engine, "mixed", mode="sample", sample_rows=500),
        "wide": profile_table(engine, "wide"),
        "empty": profile_table(engine, "empty"),
    }


@pytest.mark.parametrize("width", [60, 80, 120])
def test_plain_text_fits_and_has_no_escapes(profiles: dict[str, TableProfile], width: int) -> None:
    text = render_profile(profiles["mixed"], width=width, color=False, fmt="text")
    assert ANSI not in text
    assert all(len(line) <= width for line in text.splitlines()), width
    assert text.startswith("mixed: 2,000 rows x 12 columns")
    assert "exact · strategy stream" in text
    for expected in ("mean", "std", "50%", "missing %", "distinct", "head:", "tail:"):
        assert expected in text, (expected, width)
    assert "blob: binary column, not charted" in text
    assert "infinities 1000" in text


def test_color_uses_escapes(profiles: dict[str, TableProfile]) -> None:
    assert ANSI in render_profile(profiles["mixed"], width=100, color=True, fmt="text")


def test_sample_header_and_wide_tables_are_transposed(profiles: dict[str, TableProfile]) -> None:
    sample = render_profile(profiles["sample"], width=100, color=False, fmt="text")
    assert "sample of 500 rows" in sample.splitlines()[1]
    wide = render_profile(profiles["wide"], width=100, color=False, fmt="text")
    lines = wide.splitlines()
    assert lines[3].startswith("column") and "count" in lines[3]  # one row per column
    assert any(line.startswith("col_299 ") for line in lines)
    assert all(len(line) <= 100 for line in lines)
    assert "(charts for the first 40 of 300 columns)" in wide


def test_markdown(profiles: dict[str, TableProfile]) -> None:
    text = render_profile(profiles["mixed"], width=100, color=True, fmt="markdown")
    assert ANSI not in text  # markdown is never coloured
    assert text.startswith("## mixed: 2,000 rows")
    assert "| count |" in text or "| column |" in text
    assert text.count("```") % 2 == 0 and "### head" in text


def test_empty_profile_renders(profiles: dict[str, TableProfile]) -> None:
    text = render_profile(profiles["empty"], width=80, color=False, fmt="text")
    assert "0 rows x 1 columns" in text and "nothing to chart" in text


@pytest.mark.parametrize("name", ["price", "colour", "created", "active", "blob", "huge"])
@pytest.mark.parametrize(("width", "height"), [(30, 8), (72, 14)])
def test_column_chart_size(
    profiles: dict[str, TableProfile], name: str, width: int, height: int
) -> None:
    column = profiles["mixed"].column(name)
    chart = render_column_chart(column, width, height, color=False)
    lines = chart.splitlines()
    assert ANSI not in chart
    assert all(len(line) <= width for line in lines)
    assert len(lines) <= height
    chart_kind = choose_chart(column)
    if isinstance(chart_kind, Bins):  # histograms fill the height
        assert len(lines) == height
    elif isinstance(chart_kind, ValueBars):  # a title, then one line per value
        assert len(lines) == min(height, 1 + len(chart_kind.bars))


def test_charts_do_not_share_state(profiles: dict[str, TableProfile]) -> None:
    columns = [profiles["mixed"].column(n) for n in ("price", "colour", "created")]
    expected = [render_column_chart(c, 50, 10, color=False) for c in columns]
    results: dict[int, list[str]] = {}

    def draw(i: int) -> None:
        results[i] = [render_column_chart(c, 50, 10, color=False) for c in columns]

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r == expected for r in results.values())


def test_json(profiles: dict[str, TableProfile]) -> None:
    text = profile_to_json(profiles["mixed"])
    assert text == profile_to_json(profiles["mixed"])  # stable
    data = json.loads(text)
    assert data["schema_version"] == 1 and data["row_count"] == 2000
    huge = next(c for c in data["columns"] if c["name"] == "huge")
    assert huge["max"] == "inf" and huge["min"] == "-inf" and huge["std"] is None
    created = next(c for c in data["columns"] if c["name"] == "created")
    assert pd.Timestamp(created["min"]) <= pd.Timestamp(created["max"])
    assert created["histogram"]["edges"][0].startswith("2024-01-01")
    json.dumps(profile_to_dict(profiles["mixed"]), allow_nan=False)


def test_render_imports_no_plotext_or_textual_for_column_charts() -> None:
    code = "import ddtui.render.profile, sys; print(sorted(m for m in sys.modules if m.split('.')[0] in ('plotext', 'textual')))"  # noqa: E501
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    # The same probe sees plotext once a chart is drawn, so the empty list above means something.
    out = subprocess.run(
        [sys.executable, "-c", DRAW_ONE_CHART], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["before:", "[]", "chart:", "[]", "figure:", "plotext"]


DRAW_ONE_CHART = """
import sys
import sqlalchemy as sa
from ddtui.profile import profile_table
from ddtui.render.profile import render_column_chart

def loaded():
    return sorted({m.split(".")[0] for m in sys.modules} & {"plotext", "textual"})

engine = sa.create_engine("sqlite://")
with engine.begin() as conn:
    conn.exec_driver_sql("CREATE TABLE t (x REAL)")
    conn.exec_driver_sql("INSERT INTO t VALUES (1.0), (2.0), (2.5)")
column = profile_table(engine, "t").column("x")
print("before:", loaded())
render_column_chart(column, 40, 10, color=False)  # drawn as text, without plotext
print("chart:", loaded())
from ddtui.render.plot import new_figure
new_figure(40, 10, color=False, title="drift charts use plotext")
print("figure:", *loaded())
"""
