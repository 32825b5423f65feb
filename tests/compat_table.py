"""Print the compatibility matrix `nox -s compat` measured, as the README's Markdown table.

Usage: ``python tests/compat_table.py REPORT`` (the JSON lines that
tests/integration/test_compat.py wrote).
Exits 1 when a cell failed or is missing, so the nox session fails with the table shown.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BACKENDS = {"sqlite": "SQLite", "postgres": "PostgreSQL", "mariadb": "MariaDB"}


def cell_text(cell: dict) -> str:
    """`works`, or the exit status of each command that failed, or what went wrong."""
    if cell["works"]:
        return "works"
    failed = {name: code for name, code in cell["exits"].items() if code != 0}
    if "build" in failed:
        return "metastore build failed"
    if failed:
        codes = sorted(set(failed.values()))
        return "exit " + "/".join(str(code) for code in codes) + f" ({', '.join(failed)})"
    return "wrong output: " + (cell["failures"][0][:60] if cell["failures"] else "?")


def main(argv: list[str]) -> int:
    path = Path(argv[1])
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    cells = {(c["release"], c["backend"]): c for c in map(json.loads, lines)}
    if not cells:
        print("compat: no cell ran (see the pytest output above)")
        return 1
    releases = sorted({r for r, _ in cells}, key=lambda v: tuple(map(int, v.split("."))))
    print("| Airflow | " + " | ".join(BACKENDS.values()) + " |")
    print("|---|" + "---|" * len(BACKENDS))
    for release in releases:
        row = [cell_text(cells[release, b]) if (release, b) in cells else "-" for b in BACKENDS]
        print(f"| {release} | " + " | ".join(row) + " |")
    return 0 if all(c["works"] for c in cells.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
