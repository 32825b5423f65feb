"""The `ddtui` command: the terminal UI, and text views for scripts and pipes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

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

# Options the main command shares with its subcommands: `ddtui --metastore URL dags` is
# `ddtui dags --metastore URL` (see `_pass_options_to`).
SHARED_OPTIONS = {
    "metastore": "--metastore",
    "data_url": "--data-url",
    "data_conn": "--data-conn",
    "allow_source": "--allow-source",
    "timeout": "--timeout",
}
TUI_OPTIONS = {
    "dag": "--dag",
    "task": "--task",
    "run": "--run",
    "refresh": "--refresh",
    "log": "--log",
}
_NOT_GIVEN = ("DEFAULT", "DEFAULT_MAP")


def _agrees_with_before(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """A shared option given both before and after the command must say the same."""
    before = ctx.parent.params.get(param.name or "") if ctx.parent is not None else None
    if before and value and value != before:
        flag = SHARED_OPTIONS.get(param.name or "", param.name)
        raise typer.BadParameter(
            f"{flag} was given twice, before and after the command, with different values"
        )
    return value


# The arguments every per-task command takes, written once.
DagArg = Annotated[str, typer.Argument(metavar="DAG_ID", help="DAG id.")]
TaskArg = Annotated[str, typer.Argument(metavar="TASK_ID", help="Task id.")]
RunOpt = Annotated[
    str | None, typer.Option("--run", metavar="RUN_ID", help="Run id (default: latest).")
]
MetastoreOpt = Annotated[
    str | None,
    typer.Option(
        "--metastore",
        callback=_agrees_with_before,
        metavar="URL",
        help="SQLAlchemy URL of the Airflow metastore. "
        "Default: as Airflow resolves it (env, airflow.cfg, $AIRFLOW_HOME/airflow.db).",
        show_default=False,
    ),
]
DataUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--data-url",
        callback=_agrees_with_before,
        metavar="URL",
        help="SQLAlchemy URL of the database holding bare output-table names "
        "(default: $DDTUI_DATA_URL).",
        show_default=False,
    ),
]
DataConnOpt = Annotated[
    str | None,
    typer.Option(
        "--data-conn",
        callback=_agrees_with_before,
        metavar="CONN_ID",
        help="Airflow connection id of that database, looked up as Airflow does (secrets "
        "backend, AIRFLOW_CONN_<ID>, the metastore). Default: the task's own conn_id, "
        "$DDTUI_DATA_CONN, [ddtui] data_conn.",
        show_default=False,
    ),
]

TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        callback=_agrees_with_before,
        metavar="SECONDS",
        envvar="DDTUI_TIMEOUT",
        min=0.5,
        help="Give up (exit 7) on a database that has not answered a statement within SECONDS "
        "(+2 s for its own reply; connecting: at most 5 s). Default: $DDTUI_METASTORE_TIMEOUT "
        "or 30 for the metastore, $DDTUI_DATA_TIMEOUT or 300 for output tables.",
        show_default=False,
    ),
]
AllowSourceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-source",
        callback=_agrees_with_before,
        metavar="URL",
        help="Also read output tables that metastore data (XComs, assets) places in this "
        "database or SQLite file/directory (repeatable; also $DDTUI_ALLOW_SOURCES). Others "
        "are shown, never connected to.",
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(func: F) -> F:
    """Print DdtuiErrors as `ddtui: message` with their exit code, never a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DdtuiError as exc:
            # The last line of defence: messages may quote ids, names and values from data.
            typer.echo(f"ddtui: {safe_text(exc)}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def open_configured_metastore(metastore_url: str | None, timeout: float | None = None) -> Any:
    """The metastore; `timeout` (--timeout) overrides $DDTUI_METASTORE_TIMEOUT."""
    from ddtui.metastore import open_metastore
    from ddtui.settings import resolve_metastore_url

    resolved = resolve_metastore_url(metastore_url)
    return open_metastore(resolved.value, source=resolved.source, statement_timeout_s=timeout)


def data_sources(timeout: float | None) -> Any:
    """The data sources' engines; `timeout` (--timeout) overrides $DDTUI_DATA_TIMEOUT."""
    from ddtui.datasource import DataSources

    return DataSources(timeout)


def configured_data(
    store: Any, data_url: str | None, data_conn: str | None, allow_source: list[str] | None
) -> Any:
    """The data sources the user configured, the metastore among them."""
    from ddtui.settings import resolve_data_settings

    metastore_url = store.engine.url.render_as_string(hide_password=False)
    return resolve_data_settings(
        data_url,
        data_conn,
        allow_sources=allow_source or (),
        metastore_url=metastore_url,
        metastore_engine=store.engine,
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
        sources=data_sources(timeout),
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
        if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") not in _NOT_GIVEN
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
) -> None:
    """Validate the deep link before the screen opens, then run the app."""
    from ddtui.lookup import find_target

    if dag_id:
        find_target(store, dag_id, task_id, run_id)
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise DdtuiError("the terminal UI needs a terminal; use `ddtui dags` or `ddtui describe`")
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
    ).run()


@app.command("dags")
@one_line_errors
def dags_command(metastore: MetastoreOpt = None, timeout: TimeoutOpt = None) -> None:
    """List the DAGs with tags, paused state and latest run, as text."""
    from ddtui.render.listings import format_dag_list

    store = open_configured_metastore(metastore, timeout)
    typer.echo(format_dag_list(store.info, store.list_dags()))


@app.command("tasks")
@one_line_errors
def tasks_command(
    dag: DagArg,
    run: RunOpt = None,
    metastore: MetastoreOpt = None,
    data_url: DataUrlOpt = None,
    data_conn: DataConnOpt = None,
    allow_source: AllowSourceOpt = None,
    timeout: TimeoutOpt = None,
) -> None:
    """List a DAG's tasks in dependency order with their state and output table, as text."""
    from ddtui.lookup import find_target
    from ddtui.render.listings import format_task_list

    store = open_configured_metastore(metastore, timeout)
    data = configured_data(store, data_url, data_conn, allow_source)
    target = find_target(store, dag, None, run)
    typer.echo(format_task_list(target.structure, target.run, data))


@app.command("describe")
@one_line_errors
def describe_command(
    dag: DagArg,
    task: TaskArg,
    run: RunOpt = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", "-c", metavar="NAME", help="Only this column (repeatable)."),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="text, json or markdown.", show_default=True
        ),
    ] = "text",
    sample: Annotated[
        int | None,
        typer.Option(
            "--sample", metavar="N", min=1, help="Profile a sample of N rows (fast, labelled)."
        ),
    ] = None,
    exact: Annotated[
        bool, typer.Option("--exact", help="Profile every row (the default).")
    ] = False,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            metavar="RUN_ID|previous",
            help="Also compare with another run's output (drift); `previous` = the previous "
            "successful run.",
        ),
    ] = None,
    record: Annotated[
        bool,
        typer.Option("--record", help="Store the profile in the local profile history."),
    ] = False,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="watch|drift",
            help="With --compare: exit with code 8 when the verdict reaches this level.",
        ),
    ] = None,
    metastore: MetastoreOpt = None,
    data_url: DataUrlOpt = None,
    data_conn: DataConnOpt = None,
    allow_source: AllowSourceOpt = None,
    timeout: TimeoutOpt = None,
) -> None:
    """Print the profile of a task's output table: describe metrics, missing, distinct,
    histograms, head and tail. JSON output is stable (it has a schema_version)."""
    from ddtui.cli.describe import run_describe

    if output_format not in ("text", "json", "markdown"):
        raise typer.BadParameter("--format must be text, json or markdown")
    if sample and exact:
        raise typer.BadParameter("--sample and --exact exclude each other")
    if fail_on not in (None, "watch", "drift"):
        raise typer.BadParameter("--fail-on must be watch or drift")
    if fail_on and not compare:
        raise typer.BadParameter("--fail-on needs --compare")
    store = open_configured_metastore(metastore, timeout)
    code = run_describe(
        store,
        configured_data(store, data_url, data_conn, allow_source),
        sources=data_sources(timeout),
        dag_id=dag,
        task_id=task,
        run_id=run,
        columns=column or None,
        output_format=output_format,
        sample_rows=sample,
        compare=compare,
        record=record,
        fail_on=fail_on,
    )
    raise typer.Exit(code)


@app.command("profile")
@one_line_errors
def profile_command(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="Database URL (postgresql://..., sqlite:////path.db), absolute SQLite path, "
            "or Airflow connection id.",
        ),
    ],
    table: Annotated[str, typer.Argument(metavar="TABLE", help="Table name (or schema.table).")],
    schema: Annotated[
        str | None, typer.Option("--schema", metavar="SCHEMA", help="The table's schema.")
    ] = None,
    where_partition: Annotated[
        list[str] | None,
        typer.Option(
            "--where-partition",
            "-w",
            metavar="COLUMN=VALUE",
            help="Profile only the rows where COLUMN equals VALUE (repeatable: AND). The value "
            "is bound as a parameter, converted to the column's type (dates as YYYY-MM-DD).",
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", "-c", metavar="NAME", help="Only this column (repeatable)."),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="text, json or markdown.", show_default=True
        ),
    ] = "text",
    sample: Annotated[
        int | None,
        typer.Option(
            "--sample", metavar="N", min=1, help="Profile a sample of N rows (fast, labelled)."
        ),
    ] = None,
    approx: Annotated[
        bool,
        typer.Option(
            "--approx",
            help="Estimate quartiles and distinct counts with the database's approximate "
            "aggregates where it has them (DuckDB; labelled, exact: false).",
        ),
    ] = False,
    metastore: MetastoreOpt = None,
    timeout: TimeoutOpt = None,
) -> None:
    """Profile any table of a data source, or one partition of it, as `describe` prints a
    task's output (text, json or markdown). Read-only, with the data timeout."""
    from ddtui.cli.describe import use_color
    from ddtui.cli.profile import parse_partition, run_profile, source_url

    if output_format not in ("text", "json", "markdown"):
        raise typer.BadParameter("--format must be text, json or markdown")
    if sample and approx:
        raise typer.BadParameter("--sample and --approx exclude each other")
    partition = parse_partition(where_partition)
    url, origin = source_url(source, metastore)
    code = run_profile(
        data_sources(timeout), url, origin, table, schema=schema, partition=partition,
        columns=column or None, sample_rows=sample, output_format=output_format,
        color=use_color(), approx=approx,
    )  # fmt: skip
    raise typer.Exit(code)


@app.command("logs")
@one_line_errors
def logs_command(
    dag: DagArg,
    task: TaskArg,
    run: RunOpt = None,
    try_number: Annotated[
        int | None,
        typer.Option("--try", metavar="N", min=1, help="Try number (default: the latest)."),
    ] = None,
    map_index: Annotated[
        int | None,
        typer.Option(
            "--map-index",
            metavar="I",
            help="Map index of a mapped task (default: the first failed, else the first).",
        ),
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep printing what a running try appends.")
    ] = False,
    grep: Annotated[
        str | None,
        typer.Option("--grep", metavar="TEXT", help="Only records containing TEXT (any case)."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="text or json (one per line).")
    ] = "text",
    metastore: MetastoreOpt = None,
    timeout: TimeoutOpt = None,
) -> None:
    """Print the log of a task try, read from the files Airflow wrote on this host
    (where [logging] base_log_folder and log_filename_template say)."""
    from ddtui.cli.logs import run_logs

    if output_format not in ("text", "json"):
        raise typer.BadParameter("--format must be text or json")
    run_logs(
        open_configured_metastore(metastore, timeout),
        dag_id=dag,
        task_id=task,
        run_id=run,
        try_number=try_number,
        map_index=map_index,
        follow=follow,
        grep=grep,
        output_format=output_format,
    )


@app.command("demo")
@one_line_errors
def demo_command(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Build the demo home again from scratch.")
    ] = False,
    dag: Annotated[
        str | None, typer.Option("--dag", metavar="DAG_ID", help="Open on this DAG.")
    ] = None,
    task: Annotated[
        str | None, typer.Option("--task", metavar="TASK_ID", help="Also select this task.")
    ] = None,
    print_env: Annotated[
        bool,
        typer.Option(
            "--print-env", help="Only build, then print the shell lines that point ddtui at it."
        ),
    ] = False,
) -> None:
    """Build a demo Airflow home with real Airflow (first time: a few minutes), then open it."""
    from ddtui.demo.home import default_demo_home, ensure_demo_home
    from ddtui.settings import DataSettings

    if rebuild:
        import shutil

        shutil.rmtree(default_demo_home(), ignore_errors=True)

    def say(line: str) -> None:
        typer.echo(f"demo: {line}", err=True)

    home = ensure_demo_home(progress=say)
    from ddtui.demo.history import seed_demo_history
    from ddtui.drift.history import ProfileHistory

    seed_demo_history(home, ProfileHistory(), say)
    if print_env or not sys.stdout.isatty():
        for name, value in home.env().items():
            typer.echo(f"export {name}={value}")
        typer.echo(f"# then: ddtui   (metastore {home.metastore_url})")
        return
    store = open_configured_metastore(home.metastore_url)
    data = DataSettings(home.data_url, "the demo home")
    run_tui(store, data, dag_id=dag, task_id=task, run_id=None, refresh_seconds=10.0)


def main() -> None:
    """Console-script entry point."""
    # Typer reads NO_COLOR itself; keep the environment as the user set it.
    os.environ.setdefault("TYPER_USE_RICH", "0")
    app()
