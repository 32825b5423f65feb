"""The first frame pays only for Textual: pandas, numpy and plotext load with the first profile."""

from __future__ import annotations

import json
import subprocess
import sys


def test_importing_the_app_loads_no_pandas_numpy_or_plotext() -> None:
    code = "import ddtui.tui.app, json, sys; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    for heavy in ("pandas", "numpy", "plotext", "airflow"):
        assert heavy not in loaded, f"ddtui.tui.app imports {heavy} at start-up"
