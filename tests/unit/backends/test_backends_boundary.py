"""Only ddtui/backends tells databases apart: no dialect name is compared anywhere else."""

from __future__ import annotations

import ast
from pathlib import Path

import ddtui

PACKAGE = Path(ddtui.__file__).parent
BACKENDS = PACKAGE / "backends"
# What a dialect, driver or URL scheme is called (SQLAlchemy's and Airflow's spellings).
DIALECT_NAMES = frozenset(
    {"sqlite", "postgres", "postgresql", "mysql", "mariadb", "duckdb", "mssql", "oracle"}
)
# Attributes whose values are dialect names: comparing them at all is asking the wrong place.
DIALECT_ATTRIBUTES = frozenset({"drivername"})
DIALECT_CALLS = frozenset({"get_backend_name", "get_driver_name"})


def _names_a_dialect(node: ast.AST) -> bool:
    """A string constant that is a dialect name (or starts like one: "sqlite:"), or a
    literal collection holding one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        word = node.value.lower().split("+", 1)[0].split(":", 1)[0]
        return word in DIALECT_NAMES
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        return any(_names_a_dialect(element) for element in node.elts)
    return False


def _reads_a_dialect(node: ast.AST) -> bool:
    """`x.dialect.name`, `x.drivername`, `url.get_backend_name()`."""
    if isinstance(node, ast.Attribute):
        if node.attr in DIALECT_ATTRIBUTES:
            return True
        if node.attr == "name" and isinstance(node.value, ast.Attribute):
            return node.value.attr == "dialect"
        return False
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in DIALECT_CALLS
    return False


def dialect_checks(source: str) -> list[int]:
    """Line numbers where `source` tells dialects apart by name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_names_a_dialect(s) for s in sides) or any(_reads_a_dialect(s) for s in sides):
                found.append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"startswith", "endswith"}
            # "sqlite:///f.db".startswith(...) is fine; url.startswith("sqlite") is a check.
            and any(_names_a_dialect(arg) for arg in node.args)
        ):
            found.append(node.lineno)
    return found


def _is_pipeline(path: Path) -> bool:
    """The demo's DAG files: pipelines Airflow runs, written as a user would (no ddtui)."""
    return any(part in {"demo_dags", "dags"} for part in path.relative_to(PACKAGE).parts)


def test_no_dialect_name_is_compared_outside_the_backends() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if BACKENDS not in path.parents and not _is_pipeline(path)
        for line in dialect_checks(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "ask ddtui.backends instead: " + ", ".join(offenders)


def test_the_scan_finds_each_form_of_dialect_check() -> None:
    checks = (
        'if conn.dialect.name == "sqlite": pass',
        'if engine.dialect.name in {"mysql", "mariadb"}: pass',
        'if url.get_backend_name() != "sqlite": pass',
        'if backend == "postgresql": pass',
        'if dialect.startswith("sqlite"): pass',
        'if parsed.drivername.startswith("postgres:"): pass',
    )
    for check in checks:
        assert dialect_checks(check) == [1], check
    assert dialect_checks('url = f"sqlite:///{path}"\nname = engine.dialect.name') == []
