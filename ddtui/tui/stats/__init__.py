"""The stats pane: the selected task's output table in tabs (describe, histograms, head/tail)."""

from ddtui.tui.stats.pane import StatsPane

__all__ = ["StatsPane"]
