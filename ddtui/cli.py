"""The `ddtui` command."""

from __future__ import annotations


def main() -> None:
    raise SystemExit("ddtui: not built yet")
