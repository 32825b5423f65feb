"""Where Airflow writes task logs: `[logging]` settings, read as Airflow reads them.

Same sources as the metastore URL (`AIRFLOW__LOGGING__*`, then airflow.cfg, then
Airflow's defaults), parsed with the standard library: no Airflow import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ddtui.config.airflow_cfg import (
    airflow_config_path,
    airflow_home,
    expand_config_value,
    read_airflow_config,
)

# Airflow 3's default (config_templates/config.yml); Airflow 2.3+ used the same layout.
DEFAULT_FILENAME_TEMPLATE = (
    "dag_id={{ ti.dag_id }}/run_id={{ ti.run_id }}/task_id={{ ti.task_id }}/"
    "{% if ti.map_index >= 0 %}map_index={{ ti.map_index }}/{% endif %}"
    "attempt={{ try_number|default(ti.try_number) }}.log"
)
# What a remote_base_log_folder's scheme says about where the logs are.
REMOTE_KINDS = {
    "s3": "S3",
    "gs": "Google Cloud Storage",
    "wasb": "Azure Blob Storage",
    "cloudwatch": "CloudWatch",
    "stackdriver": "Stackdriver",
    "oss": "Alibaba OSS",
    "hdfs": "HDFS",
}


@dataclass(frozen=True)
class LogSettings:
    """The `[logging]` settings that say where a task try's log is."""

    base_log_folder: Path
    filename_template: str
    remote_logging: bool
    remote_base_log_folder: str  # e.g. s3://bucket/logs; "" when unset
    elasticsearch_host: str  # [elasticsearch] host; "" when unset
    source: str  # where base_log_folder came from

    @property
    def remote_location(self) -> str | None:
        """Where remote logging sends the logs, in words; None when it is off."""
        if not self.remote_logging:
            return None
        folder = self.remote_base_log_folder
        scheme = folder.split("://", 1)[0] if "://" in folder else ""
        if folder:
            kind = REMOTE_KINDS.get(scheme.lower(), "remote storage")
            return f"{kind} at {folder}"
        if self.elasticsearch_host:
            return f"Elasticsearch at {self.elasticsearch_host}"
        return "a remote log store (remote_logging = True, no remote_base_log_folder set)"


def resolve_log_settings(env: Mapping[str, str] | None = None) -> LogSettings:
    """First hit wins per option: AIRFLOW__LOGGING__<OPTION>, airflow.cfg, Airflow's default."""
    env = os.environ if env is None else env
    config_path = airflow_config_path(env)
    present = config_path.exists() or config_path.is_symlink()
    parser = read_airflow_config(config_path) if present else None

    def option(section: str, name: str, default: str) -> tuple[str, str]:
        variable = f"AIRFLOW__{section.upper()}__{name.upper()}"
        if env.get(variable):
            return expand_config_value(env[variable], env), variable
        # Airflow < 2.0 kept the logging options under [core].
        for where in (section, "core") if section == "logging" else (section,):
            if parser is not None and parser.has_option(where, name):
                # Airflow's parser interpolates: `%%` in airflow.cfg stands for `%`.
                raw = parser.get(where, name).replace("%%", "%").strip()
                if raw:
                    return expand_config_value(raw, env), f"{config_path} [{where}]"
        return default, "Airflow's default"

    folder, source = option("logging", "base_log_folder", str(airflow_home(env) / "logs"))
    template, _ = option("logging", "log_filename_template", DEFAULT_FILENAME_TEMPLATE)
    remote, _ = option("logging", "remote_logging", "False")
    remote_folder, _ = option("logging", "remote_base_log_folder", "")
    es_host, _ = option("elasticsearch", "host", "")
    return LogSettings(
        base_log_folder=Path(folder).expanduser(),
        filename_template=template,
        remote_logging=remote.strip().lower() in ("true", "t", "1", "yes", "on"),
        remote_base_log_folder=remote_folder,
        elasticsearch_host=es_host,
        source=f"base_log_folder from {source}",
    )
