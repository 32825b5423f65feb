"""The `ddtui` subcommands: text views for scripts and pipes (dags, tasks, describe, profile,
logs) and the demo. Each registers itself on the app in `ddtui.cli.app`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ddtui.cli.app import app, run_tui
from ddtui.cli.options import (
    AllowSourceOpt,
    ApproxOpt,
    ColumnOpt,
    DagArg,
    DataConnOpt,
    DataUrlOpt,
    FormatOpt,
    MetastoreOpt,
    RunOpt,
    SampleOpt,
    TaskArg,
    TimeoutOpt,
    configured_data,
    data_sources,
    one_line_errors,
    open_configured_metastore,
)


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
    from ddtui.metastore.lookup import find_target
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
    column: ColumnOpt = None,
    output_format: FormatOpt = "text",
    sample: SampleOpt = None,
    exact: Annotated[
        bool, typer.Option("--exact", help="Profile every row (the default).")
    ] = False,
    approx: ApproxOpt = False,
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
    if sum(map(bool, (sample, exact, approx))) > 1:
        raise typer.BadParameter("--sample, --exact and --approx exclude each other")
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
        approx=approx,
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
    column: ColumnOpt = None,
    output_format: FormatOpt = "text",
    sample: SampleOpt = None,
    approx: ApproxOpt = False,
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
    from ddtui.config.settings import DataSettings
    from ddtui.demo.home import default_demo_home, ensure_demo_home

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
