"""Pure helpers of the TUI: formatting, grouping, fuzzy matching, error texts, progress."""

from __future__ import annotations

from datetime import UTC, datetime

from ddtui.errors import (
    ConfigError,
    DataSourceError,
    MetastoreError,
    MetastoreTimeoutError,
    QueryTimeoutError,
    one_line,
)
from ddtui.metastore import DagSummary
from ddtui.render.values import format_duration
from ddtui.tui.backend import progress_fraction
from ddtui.tui.dag_tree import TOP_FOLDER, UNTAGGED, fuzzy_match, group_dags
from ddtui.tui.errors import error_message
from ddtui.tui.format import compact_count, format_number, state_text
from ddtui.usecases.tasks import mapped_state


def dag(dag_id: str, tags: tuple[str, ...] = (), path: str = "x.py") -> DagSummary:
    return DagSummary(dag_id, dag_id, tags, False, False, "", None, None, path, None)


def test_states_are_words_not_only_colours() -> None:
    assert state_text("success").plain == "✓ ok"
    assert state_text("upstream_failed").plain == "! upstream"
    assert state_text(None).plain == "· none"


def test_mapped_state_prefers_the_most_alarming() -> None:
    assert mapped_state(["success", "failed", "running"]) == "failed"
    assert mapped_state(["success", "running"]) == "running"
    assert mapped_state([]) is None


def test_durations_and_numbers() -> None:
    assert format_duration(None) == "-"
    assert format_duration(3.25) == "3.2s"
    assert format_duration(75) == "1m15s"
    assert format_duration(3 * 3600 + 120) == "3h02m"
    assert format_number(1234567) == "1 234 567"
    # The task list's Rows column is 7 wide: a count must never be cut.
    counts = [0, 891, 99_999, 100_000, 432_525, 999_499, 999_999, 1_000_000, 12_345_678]
    assert [compact_count(n) for n in counts] == [
        "0", "891", "99 999", "100k", "433k", "999k", "1.0M", "1.0M", "12.3M",
    ]  # fmt: skip
    assert compact_count(999_960_000_000) == "1.0T"
    assert all(len(compact_count(10**k - 1)) <= 7 for k in range(1, 16))
    assert format_number(0.000123456789) == "0.000123457"
    assert format_number(float("nan")) == "NaN"
    assert format_number(datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=UTC)) == "2024-01-02 03:04:05"


def test_group_by_tag_lists_a_dag_under_each_tag() -> None:
    groups = group_dags([dag("a", ("x", "y")), dag("b"), dag("c", ("y",))], "tag")
    assert list(groups) == ["x", "y", UNTAGGED]
    assert [d.dag_id for d in groups["y"]] == ["a", "c"]


def test_group_by_folder() -> None:
    groups = group_dags([dag("a", path="team/a.py"), dag("b", path="b.py")], "folder")
    assert list(groups) == ["team", TOP_FOLDER]


def test_fuzzy_match_scores_and_marks_letters() -> None:
    score, text = fuzzy_match("ttn", "titanic")
    assert score > 0 and text.plain == "titanic" and text.spans
    assert fuzzy_match("zzz", "titanic")[0] == 0


def test_error_texts_say_what_to_do() -> None:
    assert "press r" in error_message("dags", "refused").plain
    timeout = QueryTimeoutError("statement timeout")
    assert "later" in error_message("profile", one_line(timeout), error=timeout).plain
    config = ConfigError("SQLite database not found: /x")
    assert "--data-url" in error_message("profile", one_line(config), error=config).plain
    missing = DataSourceError("no such table: t")
    assert "dropped" in error_message("profile", one_line(missing), error=missing).plain
    assert "metastore" in error_message("dag", one_line(MetastoreError("x")), "d").plain
    busy = MetastoreTimeoutError("metastore m: canceling statement due to statement timeout")
    assert "busy or a table is locked" in error_message("dags", one_line(busy), error=busy).plain
    assert one_line(ValueError("bad\nsecond line")) == "ValueError: bad"


def test_progress_callbacks_of_several_shapes() -> None:
    assert progress_fraction(0.25, "streaming") == (0.25, "streaming")
    assert progress_fraction(5, 10) == (0.5, "")
    assert progress_fraction() == (None, "")
