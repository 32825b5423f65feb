"""The `ddtui` command itself: opens the terminal UI, or hands its options to a command."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from ddtui.cli.options import (
    NOT_GIVEN,
    SHARED_OPTIONS,
    TUI_OPTIONS,
    AllowSourceOpt,
    ApproxOpt,
    DataConnOpt,
    DataUrlOpt,
    MetastoreOpt,
    TimeoutOpt,
    configured_data,
    data_sources,
    one_line_errors,
    open_configured_metastore,
)
from ddtui.errors import DdtuiError
from ddtui.terminal_text import safe_text

app = typer.Typer(
    name="ddtui",
    help=(
        "See what each task of your Airflow pipelines produced: DAGs, runs, task states, "
        "and for each task its output table's describe metrics and histograms.\n\n"
        "Reads the Airflow metastore read-only, the way Airflow finds it "
        "(--metastore, AIRFLOW__DATABASE__SQL_ALCHEMY_CONN, $AIRFLOW_HOME/airflow.cfg)."
    ),
    no_args_is_help=False,
    add_completion=True,  # --install-completion / --show-completion, as Typer provides them
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from ddtui import __version__

        typer.echo(f"ddtui {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
@one_line_errors
def main_command(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
    metastore: MetastoreOpt = None,
    data_url: DataUrlOpt = None,
    data_conn: DataConnOpt = None,
    allow_source: AllowSourceOpt = None,
    dag: Annotated[
        str | None,
        typer.Option("--dag", metavar="DAG_ID", help="Open on this DAG, its task list focused."),
    ] = None,
    task: Annotated[
        str | None,
        typer.Option("--task", metavar="TASK_ID", help="Also select this task and show its stats."),
    ] = None,
    run: Annotated[
        str | None,
        typer.Option("--run", metavar="RUN_ID", help="Select this run id (default: the latest)."),
    ] = None,
    refresh: Annotated[
        float,
        typer.Option(
            "--refresh", metavar="SECONDS", help="Refresh states every SECONDS; 0 disables."
        ),
    ] = 10.0,
    log: Annotated[
        bool, typer.Option("--log", help="With --dag and --task: open the task's log.")
    ] = False,
    approx: ApproxOpt = False,
    timeout: TimeoutOpt = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            help="Say on stderr when a URL names a driver that is not installed and ddtui "
            "reads it with another (postgresql+psycopg2:// with psycopg). Before the command.",
        ),
    ] = False,
) -> None:
    """Open the terminal UI (the default when no command is given)."""
    if verbose:
        from ddtui.backends.base import report_driver_choices

        report_driver_choices(lambda line: typer.echo(f"ddtui: {safe_text(line)}", err=True))
    if ctx.invoked_subcommand is not None:
        shared: dict[str, Any] = {
            "metastore": metastore,
            "data_url": data_url,
            "data_conn": data_conn,
            "allow_source": allow_source or None,
            "approx": approx or None,
        }
        # DDTUI_TIMEOUT reaches every command that takes it; only a written --timeout is passed.
        if getattr(ctx.get_parameter_source("timeout"), "name", "") == "COMMANDLINE":
            shared["timeout"] = timeout
        _pass_options_to(ctx, ctx.invoked_subcommand, shared)
        return
    if (task or run) and not dag:
        raise typer.BadParameter("--task and --run need --dag")
    if log and not task:
        raise typer.BadParameter("--log needs --dag and --task")
    store = open_configured_metastore(metastore, timeout)
    data = configured_data(store, data_url, data_conn, allow_source)
    run_tui(
        store, data, dag_id=dag, task_id=task, run_id=run, refresh_seconds=refresh, open_log=log,
        sources=data_sources(timeout), approx=approx,
    )  # fmt: skip


def _pass_options_to(
    ctx: typer.Context,
    command: str,
    shared: dict[str, Any],
) -> None:
    """Make shared options given before the command its defaults; refuse the others."""
    # By name: Typer carries its own copy of Click, whose ParameterSource is another class.
    tui_only = [
        flag
        for name, flag in TUI_OPTIONS.items()
        if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") not in NOT_GIVEN
    ]
    if tui_only:
        one = len(tui_only) == 1
        raise typer.BadParameter(
            f"{', '.join(tui_only)} {'opens' if one else 'open'} the terminal UI and "
            f"{'does' if one else 'do'} not apply to `ddtui {command}`; "
            f"give {'it' if one else 'them'} without a command"
        )
    given = {name: value for name, value in shared.items() if value is not None}
    subcommand = getattr(ctx.command, "commands", {}).get(command)
    takes = {param.name for param in getattr(subcommand, "params", ())}
    refused = [SHARED_OPTIONS[name] for name in given if name not in takes]
    if refused:
        raise typer.BadParameter(f"`ddtui {command}` does not take {', '.join(refused)}")
    # Click gives a subcommand's options their defaults from the parent's default_map.
    ctx.default_map = {command: given}


def run_tui(
    store: Any,
    data: Any,
    *,
    dag_id: str | None,
    task_id: str | None,
    run_id: str | None,
    refresh_seconds: float,
    open_log: bool = False,
    sources: Any = None,
    approx: bool = False,
) -> None:
    """Validate the deep link before the screen opens, then run the app."""
    from ddtui.metastore.lookup import find_target

    if dag_id:
        find_target(store, dag_id, task_id, run_id)
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise DdtuiError("the terminal UI needs a terminal; use `ddtui dags` or `ddtui describe`")
    from ddtui.tui.prefetch import read_dag_list

    first_dags = read_dag_list(store)  # before Textual and the app are imported
    from ddtui.tui.app import DdtuiApp

    DdtuiApp(
        store,
        data,
        dag_id=dag_id,
        task_id=task_id,
        run_id=run_id,
        refresh_seconds=refresh_seconds,
        open_log=open_log,
        sources=sources,
        approx=approx,
        first_dags=first_dags,
    ).run()


def main() -> None:
    """Console-script entry point."""
    # Typer reads NO_COLOR itself; keep the environment as the user set it.
    os.environ.setdefault("TYPER_USE_RICH", "0")
    app()
