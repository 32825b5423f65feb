"""The selected table first: the order rule for background work, without Textual."""

from __future__ import annotations

from ddtui.tui.keys import Selection, TableKey
from ddtui.tui.scheduling import SelectedTableFirst


def test_other_reads_wait_for_the_selected_tables_first_stage() -> None:
    order = SelectedTableFirst()
    done: list[str] = []
    order.profile_started()
    order.after_first_stage(lambda: done.append("row counts"))
    order.after_first_stage(lambda: done.append("badges"))
    assert done == []
    order.first_stage_shown()
    assert done == ["row counts", "badges"]
    order.after_first_stage(lambda: done.append("later"))  # nothing pending: runs at once
    assert done[-1] == "later"


def test_health_waits_for_the_profile_to_end_and_runs_once() -> None:
    order = SelectedTableFirst()
    done: list[str] = []

    def health() -> None:
        done.append("health")

    order.profile_started()
    order.after_profile(health)
    order.after_profile(health)  # asked again while the cursor moved: still once
    order.first_stage_shown()
    assert done == []  # the exact profile is still being computed
    order.profile_ended()
    assert done == ["health"]
    assert not order.profiling
    order.after_profile(health)
    assert done == ["health", "health"]


def test_a_profile_that_fails_or_is_not_needed_releases_everything() -> None:
    order = SelectedTableFirst()
    done: list[str] = []
    order.profile_started()
    order.after_first_stage(lambda: done.append("counts"))
    order.after_profile(lambda: done.append("health"))
    order.profile_ended()
    assert done == ["counts", "health"]


def test_without_a_profile_nothing_waits() -> None:
    order = SelectedTableFirst()
    done: list[str] = []
    order.after_first_stage(lambda: done.append("counts"))
    order.after_profile(lambda: done.append("health"))
    assert done == ["counts", "health"]


def test_table_keys_compare_whole_and_by_table() -> None:
    first = TableKey("sqlite:///d.db", "", "scores", "1@2024-06-01")
    again = TableKey("sqlite:///d.db", "", "scores", "2@2024-06-02")
    other = TableKey("sqlite:///d.db", "", "scores_v2", "1@2024-06-01")
    assert first != again and first.same_table(again)
    assert not first.same_table(other) and not first.same_table(None)


def test_a_new_dag_forgets_the_task_and_the_pinned_run() -> None:
    selection = Selection("etl", "load", "manual__1")
    assert selection.with_dag("other") == Selection("other")
    assert selection.with_task("clean") == Selection("etl", "clean", "manual__1")
    assert selection.with_run(None) == Selection("etl", "load")
