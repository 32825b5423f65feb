"""The data layer stays free of Textual and plotext, and the CLI starts light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

DATA_LAYER = [
    "ddtui.settings",
    "ddtui.db",
    "ddtui.metastore",
    "ddtui.outputs",
    "ddtui.datasource",
    "ddtui.lookup",
    "ddtui.textviews",
    "ddtui.profile",
    "ddtui.drift",
]


def imported_after(statement: str) -> set[str]:
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("module", DATA_LAYER)
def test_data_layer_imports_neither_textual_nor_plotext_nor_airflow(module: str) -> None:
    loaded = imported_after(f"import {module}")
    for forbidden in ("textual", "plotext", "airflow"):
        assert forbidden not in loaded, f"{module} imports {forbidden}"


def test_cli_import_does_not_load_pandas_or_textual() -> None:
    # `ddtui dags` and `--help` should not pay for pandas or Textual.
    loaded = imported_after("import ddtui.cli")
    assert "pandas" not in loaded
    assert "textual" not in loaded
