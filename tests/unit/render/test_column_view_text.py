"""The column view's texts (ddtui.render.column_view), checked against pandas."""

from __future__ import annotations

from dataclasses import replace

import pytest
from chart_columns import chart_frame, chart_profile

from ddtui.profile.models import TableProfile
from ddtui.render.chart_text import middle_ellipsis
from ddtui.render.column_view import (
    VALUE_WIDTH,
    quantiles,
    sparkline,
    statistics,
    top_rows,
    trends,
)


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> TableProfile:
    return chart_profile(tmp_path_factory.mktemp("column-view"))


def test_top_rows_are_pandas_value_counts(profile: TableProfile) -> None:
    frame = chart_frame()
    for name in ("pclass", "name", "survived"):
        col = profile.column(name)
        assert col is not None
        expected = frame[name].value_counts().head(20)
        rows = top_rows(col)
        assert [r.count for r in rows] == expected.tolist(), name
        shown = [middle_ellipsis(str(v), VALUE_WIDTH) for v in expected.index]
        assert [r.value for r in rows] == shown, name
        shares = (100 * expected / frame[name].count()).tolist()
        assert [r.percent for r in rows] == pytest.approx(shares), name


def test_statistics_and_quantiles(profile: TableProfile) -> None:
    age = profile.column("age")
    assert age is not None
    stats = dict(statistics(age))
    described = chart_frame()["age"].describe()
    assert stats["count"] == f"{int(described['count']):,}"
    assert stats["mean"] == f"{described['mean']:.6g}"
    assert [label for label, _ in quantiles(age)] == ["min", "25%", "50%", "75%", "max"]
    assert dict(quantiles(age))["50%"] == f"{described['50%']:.6g}"


def test_trends_over_runs(profile: TableProfile) -> None:
    def with_missing(missing: int) -> TableProfile:
        age = profile.column("age")
        assert age is not None
        changed = replace(age, missing=missing)
        return replace(
            profile, columns=[changed if c.name == "age" else c for c in profile.columns]
        )

    runs = [with_missing(0), with_missing(50), with_missing(200)]
    missing = next(t for t in trends(runs, "age") if t.label == "missing %")
    assert sparkline(missing.values) == "▁▃█"  # 0%, 13.5%, 38.5% missing
    assert {t.label for t in trends(runs, "age")} == {"missing %", "distinct", "mean"}
    assert sparkline([1.0, None, 1.0]) == "▄ ▄"  # flat; a gap where a run lacks the column
    assert trends(runs, "no such column") == []
