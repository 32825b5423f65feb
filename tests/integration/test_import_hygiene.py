"""The data layer stays free of Textual and plotext, and the CLI starts light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

DATA_LAYER = [
    "ddtui.config.settings",
    "ddtui.config.connections",
    "ddtui.usecases",
    "ddtui.backends.engines",
    "ddtui.metastore",
    "ddtui.outputs.resolve",
    "ddtui.outputs.data_sources",
    "ddtui.metastore.lookup",
    "ddtui.render.listings",
    "ddtui.profile",
    "ddtui.drift",
    "ddtui.logs.task_log",
    "ddtui.logs.parse",
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


def test_profiling_a_table_does_not_load_pandas(tmp_path) -> None:
    # The first profile on screen must not wait ~0.3 s for pandas: numbers, datetimes and
    # text are summarised with numpy (their equality with pandas is tested elsewhere).
    path = tmp_path / "t.sqlite"
    statement = (
        "import sqlalchemy as sa\n"
        "from ddtui.profile import profile_stages\n"
        f"engine = sa.create_engine('sqlite:///{path}')\n"
        "with engine.begin() as c:\n"
        "    c.exec_driver_sql('CREATE TABLE t (i INTEGER, x FLOAT, s TEXT, d TIMESTAMP,"
        " b BOOLEAN)')\n"
        "    c.exec_driver_sql(\"INSERT INTO t VALUES (1, 0.5, 'a', '2024-01-01 00:00:00', 1),"
        " (2, NULL, NULL, NULL, 0), (3, 2.5, 'b', '2024-02-01 12:00:00.5', NULL)\")\n"
        "stages = list(profile_stages(engine, 't', sample_rows=2))\n"
        "assert [getattr(s, 'exact', None) for s in stages] == [None, False, True], stages\n"
        "assert stages[-1].column('d').mean is not None\n"
    )
    assert "pandas" not in imported_after(statement)
