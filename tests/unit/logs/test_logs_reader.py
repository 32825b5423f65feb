"""Log settings, filename templates, bounded reads, follow mode, on files in Airflow's format."""

from __future__ import annotations

import importlib.util
import json
import os
import tracemalloc
from pathlib import Path

import pytest
from task_logs_support import TaskLogsHome

from ddtui.errors import ConfigError, LogUnavailableError
from ddtui.logs.config import DEFAULT_FILENAME_TEMPLATE, resolve_log_settings
from ddtui.logs.locate import TryKey, render_log_filename
from ddtui.logs.parse import parse_line
from ddtui.logs.reader import (
    LogFollower,
    check_readable,
    find_line,
    read_after,
    read_before,
    read_last,
)


def airflow_config_yml() -> Path:
    """The installed Airflow's option reference (found without importing Airflow)."""
    spec = importlib.util.find_spec("airflow")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)), "config_templates", "config.yml")


def record(number: int, level: str = "info", **extra: object) -> str:
    """One line as Airflow 3 writes it (structlog JSON)."""
    data = {
        "timestamp": f"2026-12-04T10:00:{number % 60:02d}.000000Z",
        "level": level,
        "event": f"line {number}",
        "logger": "task.stdout",
        **extra,
    }
    return json.dumps(data, separators=(",", ":"))


def key(**changes: object) -> TryKey:
    fields: dict[str, object] = {
        "dag_id": "titanic",
        "task_id": "train",
        "run_id": "manual__2026-01-01T00:00:00+00:00",
        "map_index": -1,
        "try_number": 2,
        "logical_date": None,
    }
    fields.update(changes)
    return TryKey(**fields)  # type: ignore[arg-type]


# Settings ------------------------------------------------------------------------------


def test_settings_come_from_env_then_airflow_cfg_then_defaults(tmp_path: Path) -> None:
    (tmp_path / "airflow.cfg").write_text(
        "[logging]\nbase_log_folder = {AIRFLOW_HOME}/custom-logs\n"
        "log_filename_template = {%% if 1 %%}{{ ti.dag_id }}{%% endif %%}.log\n",
        encoding="utf-8",
    )
    from_cfg = resolve_log_settings({"AIRFLOW_HOME": str(tmp_path)})
    assert from_cfg.base_log_folder == tmp_path / "custom-logs"
    assert from_cfg.filename_template == "{% if 1 %}{{ ti.dag_id }}{% endif %}.log"
    assert str(tmp_path / "airflow.cfg") in from_cfg.source
    from_env = resolve_log_settings(
        {"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__LOGGING__BASE_LOG_FOLDER": "/var/log/af"}
    )
    assert from_env.base_log_folder == Path("/var/log/af")
    assert "AIRFLOW__LOGGING__BASE_LOG_FOLDER" in from_env.source
    defaults = resolve_log_settings({"AIRFLOW_HOME": str(tmp_path / "empty")})
    assert defaults.base_log_folder == tmp_path / "empty" / "logs"
    assert defaults.filename_template == DEFAULT_FILENAME_TEMPLATE
    assert defaults.remote_location is None


def test_default_template_is_the_installed_airflows() -> None:
    import yaml

    spec = yaml.safe_load(airflow_config_yml().read_text(encoding="utf-8"))
    default = spec["logging"]["options"]["log_filename_template"]["default"]
    assert default.replace("%%", "%") == DEFAULT_FILENAME_TEMPLATE


@pytest.mark.parametrize(
    ("settings", "where"),
    [
        ({"REMOTE_BASE_LOG_FOLDER": "s3://bucket/logs"}, "S3 at s3://bucket/logs"),
        ({"REMOTE_BASE_LOG_FOLDER": "gs://b/l"}, "Google Cloud Storage at gs://b/l"),
        ({"REMOTE_BASE_LOG_FOLDER": "wasb-logs"}, "remote storage at wasb-logs"),
        ({}, "a remote log store"),
    ],
)
def test_remote_logging_names_where_logs_live(settings: dict[str, str], where: str) -> None:
    env = {"AIRFLOW_HOME": "/nonexistent", "AIRFLOW__LOGGING__REMOTE_LOGGING": "True"}
    env.update({f"AIRFLOW__LOGGING__{name}": value for name, value in settings.items()})
    assert resolve_log_settings(env).remote_location.startswith(where)  # type: ignore[union-attr]


def test_elasticsearch_remote_logging() -> None:
    env = {
        "AIRFLOW_HOME": "/nonexistent",
        "AIRFLOW__LOGGING__REMOTE_LOGGING": "true",
        "AIRFLOW__ELASTICSEARCH__HOST": "es.internal:9200",
    }
    assert resolve_log_settings(env).remote_location == "Elasticsearch at es.internal:9200"


# Templates -----------------------------------------------------------------------------


def test_default_template_renders_map_index_only_for_mapped_tasks() -> None:
    plain = render_log_filename(DEFAULT_FILENAME_TEMPLATE, key())
    mapped = render_log_filename(DEFAULT_FILENAME_TEMPLATE, key(map_index=3))
    run = "run_id=manual__2026-01-01T00:00:00+00:00"
    assert plain == f"dag_id=titanic/{run}/task_id=train/attempt=2.log"
    assert mapped == f"dag_id=titanic/{run}/task_id=train/map_index=3/attempt=2.log"


def test_format_style_and_dated_templates() -> None:
    from datetime import UTC, datetime

    when = datetime(2024, 1, 2, tzinfo=UTC)
    old = render_log_filename(
        "{dag_id}/{task_id}/{logical_date}/{try_number}.log", key(logical_date=when)
    )
    assert old == "titanic/train/2024-01-02T00:00:00+00:00/2.log"
    jinja = render_log_filename(
        "{{ ti.dag_id }}/{{ ts }}/{{ try_number }}.log", key(logical_date=when)
    )
    assert jinja == "titanic/2024-01-02T00:00:00+00:00/2.log"


@pytest.mark.parametrize(
    "template",
    [
        "{{ ti.__class__.__mro__[1].__subclasses__() }}",  # the sandbox refuses internals
        "{% for %}",
        "{unknown_field}.log",
    ],
)
def test_bad_or_hostile_templates_are_a_config_error(template: str) -> None:
    with pytest.raises(ConfigError, match="cannot render log_filename_template"):
        render_log_filename(template, key())


# Reading -------------------------------------------------------------------------------


def test_windows_before_and_after_cover_the_file_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "attempt=1.log"
    lines = [record(n) for n in range(500)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    last = read_last(path, max_bytes=4096)
    assert last.at_end and not last.at_start
    assert list(last.lines) == lines[-len(last.lines) :]
    seen = list(last.lines)
    part = last
    while not part.at_start:  # scrolling up, one window at a time
        part = read_before(path, part.start, max_bytes=4096)
        seen = list(part.lines) + seen
    assert seen == lines
    forward, offset = [], 0
    while True:
        part = read_after(path, offset, max_bytes=3000)
        if not part.lines:
            break
        forward += part.lines
        offset = part.end
    assert forward == lines


def test_find_line_forwards_and_backwards(tmp_path: Path) -> None:
    path = tmp_path / "attempt=1.log"
    lines = [record(n, "error" if n in (120, 380) else "info") for n in range(500)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    is_error = lambda line: parse_line(line).is_error  # noqa: E731
    first = find_line(path, is_error, block_bytes=2048)
    assert first is not None and read_after(path, first, 200).lines[0] == lines[120]
    second = find_line(path, is_error, first + 1 + len(lines[120]), block_bytes=2048)
    assert second is not None and read_after(path, second, 200).lines[0] == lines[380]
    back = find_line(path, is_error, second, backwards=True, block_bytes=2048)
    assert back == first
    assert find_line(path, lambda line: "nowhere" in line, block_bytes=2048) is None


def test_opening_a_200_mb_log_reads_only_its_end(tmp_path: Path) -> None:
    path = tmp_path / "attempt=1.log"
    block = ("\n".join(record(n) for n in range(10_000)) + "\n").encode()
    with path.open("wb") as handle:
        while handle.tell() < 200 * 1024 * 1024:
            handle.write(block)
    tracemalloc.start()
    try:
        last = read_last(path)
        earlier = read_before(path, last.start)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path.stat().st_size >= 200 * 1024 * 1024
    assert last.at_end and last.lines[-1] == record(9_999)
    assert earlier.end == last.start and len(earlier.lines) > 1000
    assert peak < 8 * 1024 * 1024  # two 1 MB windows and their lines, not 200 MB


def test_follow_sees_appended_lines_and_a_replaced_file(tmp_path: Path) -> None:
    path = tmp_path / "attempt=1.log"
    path.write_text(record(0) + "\n", encoding="utf-8")
    follower = LogFollower(path, read_last(path).end, path.stat().st_ino)

    def poll() -> tuple[tuple[str, ...], bool]:
        part, restarted = follower.poll()
        return part.lines, restarted

    assert poll() == ((), False)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(record(1) + "\n" + record(2)[:20])  # the task is mid-line
    assert poll() == ((record(1),), False)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(record(2)[20:] + "\n")
    assert poll() == ((record(2),), False)
    path.write_text(record(9) + "\n", encoding="utf-8")  # truncated: a new try's file
    assert poll() == ((record(9),), True)
    assert follower.offset == len(record(9)) + 1


def test_missing_and_unreadable_files_say_why(tmp_path: Path) -> None:
    with pytest.raises(LogUnavailableError, match="no such file"):
        check_readable(tmp_path / "attempt=1.log")
    (tmp_path / "dir.log").mkdir()
    with pytest.raises(LogUnavailableError, match="it is a directory"):
        check_readable(tmp_path / "dir.log")
    locked = tmp_path / "locked.log"
    locked.write_text("x\n", encoding="utf-8")
    locked.chmod(0)
    if os.access(locked, os.R_OK):
        pytest.skip("running as root: file permissions do not stop reads")
    with pytest.raises(LogUnavailableError, match="permission denied"):
        check_readable(locked)


def test_real_log_parses_as_json_records(task_logs_home: TaskLogsHome) -> None:
    folder = task_logs_home.log_folder / "dag_id=task_logs"
    log = next(folder.rglob("task_id=flaky/attempt=1.log"))
    entries = [parse_line(line) for line in read_last(log).lines]
    errors = [e for e in entries if e.is_error]
    assert len(errors) == 1 and errors[0].message == "Task failed with exception"
    assert errors[0].traceback[-1] == "RuntimeError: the warehouse did not answer; retrying"
    assert all(e.time and e.level for e in entries)


def test_plain_text_lines_of_airflow_2_keep_their_text() -> None:
    line = "[2024-01-01T00:00:01.000+0000] {taskinstance.py:2905} ERROR - Task failed"
    entry = parse_line(line)
    assert (entry.level, entry.time, entry.message) == (
        "error",
        "2024-01-01T00:00:01.000+0000",
        line,
    )
    assert parse_line("Traceback (most recent call last):").is_error
    assert parse_line("{not json").message == "{not json"
