"""Run `ddtui ARGS` as the user `nobody`; see fault_support.run_ddtui_unprivileged.

Once the process is `nobody` it may no longer read the interpreter's library (it lives under
root's home), so everything the command will import is imported first, as root, by running a
command that fails harmlessly; then the process drops to `nobody` and runs the real one.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys

import jinja2.sandbox  # noqa: F401  (ddtui logs renders Airflow's filename template)

# Imported now, while root may still read them.
from ddtui.cli import app, main

NOBODY = 65534

quiet = (contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()))
# An in-memory database is no metastore: this exits 4 once Typer, pydantic, SQLAlchemy's
# SQLite dialect and ddtui's settings, db and metastore modules are loaded.
with quiet[0], quiet[1], contextlib.suppress(SystemExit, Exception):
    app(["dags", "--metastore", "sqlite:///:memory:"], standalone_mode=False)

os.setgroups([])
os.setgid(NOBODY)
os.setuid(NOBODY)
sys.argv = ["ddtui", *sys.argv[1:]]
main()
