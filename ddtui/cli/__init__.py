"""The `ddtui` command line: the app (`app.py`), its shared options (`options.py`), its
subcommands (`commands.py`) and what `describe`, `profile` and `logs` print."""

from ddtui.cli import commands  # noqa: F401  (registers the subcommands on the app)
from ddtui.cli.app import app, main

__all__ = ["app", "main"]
