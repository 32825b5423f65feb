"""Which file holds a task try's log: Airflow's filename template, rendered as Airflow does.

Airflow (FileTaskHandler._render_filename) renders the run's `log_template` row: a Jinja
template with `ti`, `ts` and `try_number` when it holds `{{`, else a `str.format` template.
Templates come from settings and the metastore, so Jinja runs sandboxed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from ddtui.errors import ConfigError
from ddtui.logs.config import LogSettings


@dataclass(frozen=True)
class TryKey:
    """The task instance fields a log filename is made of."""

    dag_id: str
    task_id: str
    run_id: str
    map_index: int
    try_number: int
    logical_date: datetime | None  # Airflow 3 falls back to the run's run_after


@dataclass(frozen=True)
class LogLocation:
    """Where a try's log is on this host, and where remote logging sends it."""

    path: Path
    template: str
    remote: str | None  # e.g. "S3 at s3://bucket/logs" when remote logging is on


def render_log_filename(template: str, key: TryKey) -> str:
    """The relative path Airflow writes this try's log to."""
    date = key.logical_date.isoformat() if key.logical_date else ""
    if "{{" in template:
        return _render_jinja(template, key, date)
    try:
        return template.format(
            dag_id=key.dag_id,
            task_id=key.task_id,
            run_id=key.run_id,
            data_interval_start="",
            data_interval_end="",
            logical_date=date,
            execution_date=date,
            try_number=key.try_number,
        )
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"cannot render log_filename_template {template!r}: {exc}") from None


def _render_jinja(template: str, key: TryKey, date: str) -> str:
    from jinja2 import TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    ti = SimpleNamespace(
        dag_id=key.dag_id,
        task_id=key.task_id,
        run_id=key.run_id,
        map_index=key.map_index,
        try_number=key.try_number,
        logical_date=key.logical_date,
        execution_date=key.logical_date,  # Airflow 2 templates name it so
    )
    try:
        compiled = SandboxedEnvironment().from_string(template)
        return compiled.render(ti=ti, ts=date, try_number=key.try_number)
    except TemplateError as exc:
        raise ConfigError(f"cannot render log_filename_template {template!r}: {exc}") from None


def locate_log(settings: LogSettings, key: TryKey, run_template: str | None) -> LogLocation:
    """The run's own template (from the metastore) wins over the configured one, as in Airflow."""
    template = run_template or settings.filename_template
    relative = render_log_filename(template, key)
    return LogLocation(settings.base_log_folder / relative, template, settings.remote_location)
