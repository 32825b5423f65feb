"""The `ddtui` command line: the typer app (`main`), `describe` and `logs` printers."""

from ddtui.cli.main import app, main

__all__ = ["app", "main"]
