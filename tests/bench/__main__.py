"""`nox -s bench` / `python -m tests.bench`: ddtui against the tools users use today.

Options: --quick (fewer repetitions, 100 DAGs, 100k/500k rows), --only NAME[,NAME]
(startup, tasklist, memory, profile-sqlite, profile-sqlite-large, sample, responsive,
profile-pg, profile-duckdb, log-open),
--pyinstrument DIR (one extra run of each ddtui probe under pyinstrument),
--json PATH (the figures as JSON), --build-only (make the fixtures and stop).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path

from tests.bench.cases import CASES, Bench
from tests.bench.fixtures import Fixtures, fixture_key
from tests.bench.measure import REPO
from tests.bench.report import render


def _git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "ddtui"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + (" (ddtui/ has uncommitted changes)" if dirty else "")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller data")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only these figures: {', '.join(CASES)}",
    )
    parser.add_argument(
        "--pyinstrument",
        type=Path,
        metavar="DIR",
        help="profile one extra run of each ddtui probe into DIR",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures as JSON")
    parser.add_argument("--build-only", action="store_true", help="build the fixtures and stop")
    parser.add_argument("--cache", type=Path, help="fixture cache (default ~/.cache/ddtui-bench)")
    args = parser.parse_args(argv)
    names = [n for item in args.only for n in item.split(",") if n]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown --only {unknown}; choose from {', '.join(CASES)}")
    args.names = names or list(CASES)
    return args


def _build(fixtures: Fixtures, quick: bool) -> None:
    n_dags = [100] if quick else [1000, 100]
    for n in n_dags:
        fixtures.metastore("sqlite", n)
    for rows in [100_000] if quick else [1_000_000, 100_000]:
        fixtures.data_table("sqlite", rows)
    if fixtures.pg_available():
        for n in n_dags:
            fixtures.metastore("postgresql", n)
        for rows in [500_000] if quick else [5_000_000, 500_000]:
            fixtures.data_table("postgresql", rows)
    if find_spec("duckdb_engine") is not None:
        fixtures.data_table("duckdb", 500_000 if quick else 5_000_000)


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    fixtures = Fixtures(args.cache / fixture_key() if args.cache else None)
    command = "python -m tests.bench " + " ".join(sys.argv[1:] if argv is None else argv)
    print(f"ddtui benchmark — {command.strip()}")
    print(f"  fixtures: {fixtures.cache} (key {fixtures.key})", flush=True)
    build_started = time.monotonic()
    _build(fixtures, args.quick)
    build_seconds = time.monotonic() - build_started
    built_now = fixtures.build_seconds
    print(
        f"  fixtures ready in {build_seconds:.0f} s"
        + (" (built now)" if built_now else " (cached)")
    )
    if args.build_only:
        _print_build_times(fixtures)
        return 0
    # An installed ddtui comes with its bytecode compiled (pip does it); a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would otherwise compile ddtui's modules at every start.
    compileall.compile_dir(REPO / "ddtui", quiet=1)
    bench = Bench(fixtures, quick=args.quick, pyinstrument_dir=args.pyinstrument)
    load_before = os.getloadavg()
    for name in args.names:
        print(f"- {name}", flush=True)
        CASES[name](bench)
    load_after = os.getloadavg()
    print()
    print(f"ddtui benchmark results ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {command.strip()})")
    print(
        f"commit {_git_revision()}; Python {platform.python_version()}, "
        f"apache-airflow {metadata.version('apache-airflow')}, "
        f"pandas {metadata.version('pandas')}; "
        f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after; {time.monotonic() - started:.0f} s in all"
    )
    print()
    print(render(bench))
    print()
    _print_build_times(fixtures)
    if args.json:
        _write_json(args.json, bench, command)
    missed = [f.what.strip() for f in bench.figures if f.met is False]
    if missed:
        print(f"\n{len(missed)} target(s) missed: " + "; ".join(missed))
    return 0


def _print_build_times(fixtures: Fixtures) -> None:
    times = fixtures.recorded_build_seconds()
    listed = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in times.items())
    print(f"Fixture build times (when built; cached since): {listed}")


def _write_json(path: Path, bench: Bench, command: str) -> None:
    data = {
        "command": command,
        "figures": [
            {
                "what": f.what.strip(),
                "unit": f.unit,
                "ddtui": f.ddtui.values,
                "baseline": f.baseline.values if f.baseline else None,
                "ratio": f.ratio,
                "target": f.target,
                "met": f.met,
            }
            for f in bench.figures
        ],
        "growth": [
            {"what": g.what, "small": g.small.values, "large": g.large.values, "growth": g.growth}
            for g in bench.growth
        ],
        "notes": bench.notes,
    }
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
