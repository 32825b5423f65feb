"""Run several `airflow` commands in one Python process; a script for the demo builder.

Each `airflow dags test` in its own process pays ~15 s of start-up (imports and
Airflow's in-process execution API) for a few seconds of work; this script pays
it once. It uses Airflow's own command-line parser and command functions, so
each command does exactly what `airflow ARGS...` does. ddtui never imports it
(it would import Airflow): `ddtui.demo.airflow_cli` runs it as a script with the
Python that has Airflow installed.

Usage: ``python airflow_runner.py '[["dags", "reserialize"], ["dags", "test", "titanic", ...]]'``.
After each command it prints one line ``DDTUI-RESULT {"index": i, "exit": CODE}``,
where CODE is 0, an exit status, or the message the command exited with.
"""

from __future__ import annotations

import json
import sys
import traceback

RESULT_PREFIX = "DDTUI-RESULT "


def main(argv: list[str]) -> int:
    """Run each command in `argv[1]` (a JSON list of argument lists) and report its exit."""
    commands = json.loads(argv[1])
    from airflow.cli import cli_parser

    parser = cli_parser.get_parser()
    for index, command in enumerate(commands):
        exit_code: int | str
        try:
            args = parser.parse_args(command)
            args.func(args)
            exit_code = 0
        except SystemExit as stop:  # `airflow dags test` exits "DagRun failed" for a failed run
            exit_code = stop.code if isinstance(stop.code, int | str) else 0
        except Exception as error:  # report it and go on: the builder decides what is fatal
            traceback.print_exc()
            exit_code = f"{type(error).__name__}: {error}"
        print(RESULT_PREFIX + json.dumps({"index": index, "exit": exit_code}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
