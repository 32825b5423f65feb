"""The "pushdown" strategy: aggregates computed by the database (see run.py)."""

from ddtui.profile.pushdown.portable import pushdown_queries
from ddtui.profile.pushdown.run import pushdown_profile

__all__ = ["pushdown_profile", "pushdown_queries"]
