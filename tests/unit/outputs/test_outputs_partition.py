"""A task's output may be a partition: XCom `{"table", "partition"}` or `output_partition`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ddtui.config.settings import DataSettings
from ddtui.metastore import RunDetail, RunSummary, TaskNode, XComValue
from ddtui.outputs.resolve import resolve_output
from ddtui.outputs.table_slice import TableSlice

DATA = DataSettings("sqlite:////data/out.db", "--data-url")


def task(**fields: Any) -> TaskNode:
    return TaskNode("t", "Op", None, (), (), fields, (), is_mapped=False)


def run(return_value: object = None, rendered: dict[str, Any] | None = None) -> RunDetail:
    summary = RunSummary(
        "d", "r1", "success", "manual", datetime(2024, 1, 1, tzinfo=UTC), None, None, None
    )
    values = (XComValue("t", -1, return_value),) if return_value is not None else ()
    return RunDetail(summary, (), values, {"t": rendered} if rendered else {})


def test_xcom_object_names_table_schema_and_partition() -> None:
    value = {"table": "events", "schema": "sales", "partition": {"ds": "2024-01-01", "n": 3}}
    ref = resolve_output(task(), run(value), DATA)
    assert (ref.schema, ref.table, ref.source) == ("sales", "events", "xcom")
    assert ref.partition == TableSlice((("ds", "2024-01-01"), ("n", 3)))
    assert ref.shown_name == "sales.events [ds=2024-01-01, n=3]"
    assert "partition ds=2024-01-01, n=3" in ref.reason


def test_xcom_object_without_partition_is_the_whole_table() -> None:
    ref = resolve_output(task(), run({"table": "events"}), DATA)
    assert (ref.table, ref.partition) == ("events", None)


def test_xcom_object_with_a_bad_partition_names_no_table() -> None:
    bad = {"table": "events", "partition": {"ds": ["2024-01-01"]}}
    ref = resolve_output(task(), run(bad), DATA)
    assert not ref.found
    assert "not a single value" in ref.reason


def test_other_xcom_objects_fall_back_to_the_attribute() -> None:
    ref = resolve_output(task(output_table="scores"), run({"rows": 3}), DATA)
    assert (ref.table, ref.source, ref.partition) == ("scores", "output_table", None)


def test_templated_partition_attribute_is_taken_rendered() -> None:
    the_task = task(output_table="events", output_partition={"ds": "{{ ds }}"})
    rendered = {"output_table": "events", "output_partition": {"ds": "2024-01-01"}}
    ref = resolve_output(the_task, run(rendered=rendered), DATA)
    assert (ref.table, ref.partition) == ("events", TableSlice((("ds", "2024-01-01"),)))
    assert "output_partition ds=2024-01-01" in ref.reason


def test_templated_partition_without_a_rendering_is_not_guessed() -> None:
    the_task = task(output_table="events", output_partition={"ds": "{{ ds }}"})
    ref = resolve_output(the_task, None, DATA)
    assert not ref.found
    assert "output_partition" in ref.reason and "template" in ref.reason


def test_fixed_partition_attribute_needs_no_run() -> None:
    ref = resolve_output(task(output_table="events", output_partition={"region": "eu"}), None, DATA)
    assert ref.partition == TableSlice((("region", "eu"),))


def test_same_rows_tells_partitions_apart() -> None:
    day1 = resolve_output(task(), run({"table": "events", "partition": {"ds": "1"}}), DATA)
    day2 = resolve_output(task(), run({"table": "events", "partition": {"ds": "2"}}), DATA)
    again = resolve_output(task(), run({"table": "events", "partition": {"ds": "1"}}), DATA)
    assert not day1.same_rows(day2)
    assert day1.same_rows(again)


def test_xcom_object_returned_as_json_text() -> None:
    text = '{"table": "events", "partition": {"ds": "2024-01-01"}}'
    ref = resolve_output(task(), run(text), DATA)
    assert (ref.table, ref.partition) == ("events", TableSlice((("ds", "2024-01-01"),)))


def test_a_table_named_in_xcom_takes_the_partition_attribute() -> None:
    the_task = task(output_table="events", output_partition={"ds": "{{ ds }}"})
    rendered = {"output_table": "events", "output_partition": {"ds": "2024-01-02"}}
    ref = resolve_output(the_task, run("events", rendered), DATA)
    assert (ref.source, ref.partition) == ("xcom", TableSlice((("ds", "2024-01-02"),)))
    assert ref.reason.startswith("XCom return_value 'events'")
    assert "output_partition ds=2024-01-02" in ref.reason
    # Never the whole table in place of a partition that was not rendered.
    unrendered = resolve_output(the_task, run("events"), DATA)
    assert not unrendered.found
    assert "output_partition" in unrendered.reason
