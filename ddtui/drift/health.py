"""Data health across runs: a row-count sparkline and one badge per task, rolled up per DAG."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ddtui.drift.compare import Thresholds, compare_profiles
from ddtui.drift.report import BADGE_SEVERITY, Badge, badge_of_report
from ddtui.profile.models import TableProfile

if TYPE_CHECKING:
    from ddtui.drift.compare import DriftReport
    from ddtui.drift.history import StoredProfile


@dataclass
class TaskHealth:
    """What the task list shows for one task: row counts oldest -> newest, and a badge."""

    row_counts: list[int]
    badge: Badge | None = None
    reasons: list[str] = field(default_factory=list)
    report: DriftReport | None = field(default=None, repr=False)  # newest vs the one before

    @property
    def level(self) -> Literal["ok", "watch", "drift"]:
        """'watch' for a watch badge, 'drift' for any other badge (to pick a colour)."""
        if self.badge is None:
            return "ok"
        return "watch" if self.badge == "watch" else "drift"

    def to_dict(self) -> dict[str, Any]:
        return {
            "row_counts": list(self.row_counts),
            "badge": self.badge,
            "level": self.level,
            "reasons": list(self.reasons),
        }


def task_health(
    history: Sequence[TableProfile | StoredProfile],
    thresholds: Thresholds | None = None,
    *,
    runs: int = 20,
) -> TaskHealth:
    """Health of a task from its profiles, newest first (TableProfiles or history entries).

    The badge compares the newest profile with the one before; the sparkline holds the row
    counts of the newest `runs` profiles, oldest first.
    """
    entries = list(history)[:runs]
    profiles = [_profile(e) for e in entries]
    row_counts = [p.row_count for p in reversed(profiles)]
    if len(profiles) < 2:
        return TaskHealth(row_counts)
    report = compare_profiles(
        profiles[1], profiles[0], _samples(entries[1]), _samples(entries[0]), thresholds
    )
    return health_of_report(report, row_counts)


def health_of_report(report: DriftReport, row_counts: list[int]) -> TaskHealth:
    """A task's health from the comparison of its newest run with the one before: the
    badge, and why (table-level findings, then each column that is not ok)."""
    reasons = [h.message for h in report.health]
    reasons += [
        f"{c.name}: {', '.join(c.reasons)}"
        for c in report.columns
        if c.verdict != "ok" and c.reasons
    ]
    return TaskHealth(row_counts, badge_of_report(report), reasons, report)


def dag_badge(task_healths: Iterable[TaskHealth | None]) -> Badge | None:
    """The most severe badge of the DAG's tasks (None when all are healthy or unknown)."""
    worst: Badge | None = None
    for health in task_healths:
        badge = health.badge if health is not None else None
        if badge is not None and (worst is None or BADGE_SEVERITY[badge] > BADGE_SEVERITY[worst]):
            worst = badge
    return worst


def _profile(entry: TableProfile | StoredProfile) -> TableProfile:
    return entry if isinstance(entry, TableProfile) else entry.profile


def _samples(entry: TableProfile | StoredProfile) -> dict[str, list[Any]] | None:
    return None if isinstance(entry, TableProfile) else entry.samples
