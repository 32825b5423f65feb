"""Runs and drift: profile history, value samples, run-to-run comparison and task health.

No Textual and no plotext here; pandas is not needed. The TUI and `ddtui describe --compare`
draw and print what these functions return.
"""

from ddtui.drift.compare import (
    DRIFT_SCHEMA_VERSION,
    ColumnDrift,
    Delta,
    DriftReport,
    HealthFlag,
    KsDetail,
    OverlaidHistogram,
    PsiDetail,
    RunSide,
    SchemaChange,
    Thresholds,
    compare_profiles,
)
from ddtui.drift.health import TaskHealth, dag_badge, task_health
from ddtui.drift.history import (
    HISTORY_ENV,
    HistoryError,
    HistoryKey,
    ProfileHistory,
    StoredProfile,
    default_history_path,
)
from ddtui.drift.report import BADGE_SEVERITY, badge_of_report
from ddtui.drift.runs import (
    PREVIOUS,
    BaselineUnavailableError,
    compare_task_runs,
    history_key,
    previous_successful_run,
    record_profile,
    run_is_latest_writer,
    run_time,
)
from ddtui.drift.samples import DEFAULT_SAMPLE_SIZE, draw_samples
from ddtui.drift.serialize import profile_from_dict

__all__ = [
    "BADGE_SEVERITY",
    "DEFAULT_SAMPLE_SIZE",
    "DRIFT_SCHEMA_VERSION",
    "HISTORY_ENV",
    "PREVIOUS",
    "BaselineUnavailableError",
    "ColumnDrift",
    "Delta",
    "DriftReport",
    "HealthFlag",
    "HistoryError",
    "HistoryKey",
    "KsDetail",
    "OverlaidHistogram",
    "ProfileHistory",
    "PsiDetail",
    "RunSide",
    "SchemaChange",
    "StoredProfile",
    "TaskHealth",
    "Thresholds",
    "badge_of_report",
    "compare_profiles",
    "compare_task_runs",
    "dag_badge",
    "default_history_path",
    "draw_samples",
    "history_key",
    "previous_successful_run",
    "profile_from_dict",
    "record_profile",
    "run_is_latest_writer",
    "run_time",
    "task_health",
]
