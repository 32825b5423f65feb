"""What every `ddtui` command shares: its options written once, one-line errors, and how
the metastore and the data sources are opened from them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from ddtui.errors import DdtuiError
from ddtui.terminal_text import safe_text

# Options the main command shares with its subcommands: `ddtui --metastore URL dags` is
# `ddtui dags --metastore URL` (see `_pass_options_to`).
SHARED_OPTIONS = {
    "metastore": "--metastore",
    "data_url": "--data-url",
    "data_conn": "--data-conn",
    "allow_source": "--allow-source",
    "timeout": "--timeout",
    "approx": "--approx",
}
TUI_OPTIONS = {
    "dag": "--dag",
    "task": "--task",
    "run": "--run",
    "refresh": "--refresh",
    "log": "--log",
}
NOT_GIVEN = ("DEFAULT", "DEFAULT_MAP")


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
# What `describe` and `profile` print, and of which rows.
ColumnOpt = Annotated[
    list[str] | None,
    typer.Option("--column", "-c", metavar="NAME", help="Only this column (repeatable)."),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format", "-f", metavar="FORMAT", help="text, json or markdown.", show_default=True
    ),
]
SampleOpt = Annotated[
    int | None,
    typer.Option(
        "--sample", metavar="N", min=1, help="Profile a sample of N rows (fast, labelled)."
    ),
]
ApproxOpt = Annotated[
    bool,
    typer.Option(
        "--approx",
        help="Estimate quartiles and distinct counts with the database's approximate "
        "aggregates where it has them (DuckDB, Snowflake, BigQuery, Trino, Databricks, "
        "Redshift; labelled approximate, exact: false); elsewhere the profile stays exact.",
    ),
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
    from ddtui.config.settings import resolve_metastore_url
    from ddtui.metastore import open_metastore

    resolved = resolve_metastore_url(metastore_url)
    return open_metastore(resolved.value, source=resolved.source, statement_timeout_s=timeout)


def data_sources(timeout: float | None) -> Any:
    """The data sources' engines; `timeout` (--timeout) overrides $DDTUI_DATA_TIMEOUT."""
    from ddtui.outputs.data_sources import DataSources

    return DataSources(timeout)


def configured_data(
    store: Any, data_url: str | None, data_conn: str | None, allow_source: list[str] | None
) -> Any:
    """The data sources the user configured, the metastore among them."""
    from ddtui.config.settings import resolve_data_settings

    metastore_url = store.engine.url.render_as_string(hide_password=False)
    return resolve_data_settings(
        data_url,
        data_conn,
        allow_sources=allow_source or (),
        metastore_url=metastore_url,
        metastore_engine=store.engine,
    )
