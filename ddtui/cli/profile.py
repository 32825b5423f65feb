"""`ddtui profile SOURCE TABLE`: any table of a data source, no DAG or task needed.

SOURCE is what the user types, so it is configured the way `--data-url` and `--data-conn`
are: a database URL (or an absolute SQLite path), or an Airflow connection id looked up as
Airflow does. Nothing read from a metastore ever chooses where ddtui connects here.
"""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING, Any, Literal

import typer

from ddtui.errors import ConfigError, DataSourceError
from ddtui.outputs.table_slice import InvalidSliceError, TableSlice
from ddtui.terminal_text import safe_text

if TYPE_CHECKING:
    from ddtui.outputs.data_sources import DataSources
    from ddtui.profile.models import TableProfile

# Version of the JSON document `ddtui profile --format json` prints (see README).
PROFILE_COMMAND_SCHEMA_VERSION = 1


def parse_partition(terms: list[str] | None) -> TableSlice | None:
    """`--where-partition ds=2024-01-01 ...` as a slice; a bad term is a usage error."""
    try:
        return TableSlice.parse(terms or ())
    except InvalidSliceError as exc:
        raise typer.BadParameter(str(exc), param_hint="--where-partition") from None


def source_url(source: str, metastore: str | None) -> tuple[str, str]:
    """(SQLAlchemy URL, where it came from) for a URL, an absolute SQLite path or a conn id."""
    if "://" in source:
        return source, "the command line"
    if source.startswith("/"):
        return f"sqlite:///{source}", "the command line"
    from ddtui.config.settings import resolve_data_settings

    engine = _metastore_engine(metastore)
    try:
        data = resolve_data_settings(data_conn=source, metastore_engine=engine)
    finally:
        if engine is not None:
            engine.dispose()
    if data.url is None:  # pragma: no cover - resolve_data_settings raises for unknown ids
        raise ConfigError(f"connection {source!r} names no database")
    return data.url, data.source


def _metastore_engine(metastore: str | None) -> Any:
    """The metastore's engine when there is one (connections may live there), else None."""
    from ddtui.errors import DdtuiError

    try:
        from ddtui.cli.options import open_configured_metastore

        return open_configured_metastore(metastore).engine
    except DdtuiError:
        return None  # env and secrets-backend connections are still looked up


def run_profile(
    sources: DataSources,
    url: str,
    origin: str,
    table: str,
    *,
    schema: str | None,
    partition: TableSlice | None,
    columns: list[str] | None,
    sample_rows: int | None,
    output_format: str,
    color: bool,
    approx: bool = False,
) -> int:
    """Profile the table (or its partition) and print it; return the exit code."""
    from ddtui.backends.engines import mask_url
    from ddtui.profile import profile_table, read_schema

    engine = sources.engine(url)
    schema, table = _existing(url, table, schema)
    if columns:
        from ddtui.errors import NotFoundError

        known = [name for name, _ in read_schema(engine, table, schema).columns]
        for name in columns:
            if name not in known:
                raise NotFoundError("column", name, known, where=table)
    profile = profile_table(
        engine,
        table,
        schema,
        columns=columns or None,
        mode="sample" if sample_rows else ("approx" if approx else "exact"),
        sample_rows=sample_rows or 10_000,
        partition=partition,
    )
    from ddtui.cli.describe import note_if_not_estimated

    note_if_not_estimated(profile, approx)
    if output_format == "json":
        document = _document(profile, mask_url(url), origin, table, schema, partition)
        typer.echo(json.dumps(document, indent=2, allow_nan=False))
        return 0
    from ddtui.render.profile import render_profile

    fmt: Literal["text", "markdown"] = "markdown" if output_format == "markdown" else "text"
    width = shutil.get_terminal_size((100, 24)).columns
    heading = safe_text(f"source: {mask_url(url)} (from {origin})")
    typer.echo(f"{heading}\n{render_profile(profile, width=width, color=color, fmt=fmt)}")
    return 0


def _existing(url: str, table: str, schema: str | None) -> tuple[str | None, str]:
    """(schema, table): `--schema` as given, else the table the name stands for (a dotted or
    quoted `schema.table` included), else the name as typed (its error names it)."""
    if schema is not None:
        return schema, table
    from ddtui.config.table_names import TableNames

    names = TableNames()
    try:
        found, note = names.find(url, table)
    finally:
        names.close()
    if found is None and note:
        raise DataSourceError(note)
    return found if found is not None else (None, table)


def _document(
    profile: TableProfile,
    masked_url: str,
    origin: str,
    table: str,
    schema: str | None,
    partition: TableSlice | None,
) -> dict[str, Any]:
    from ddtui.render.profile import profile_to_dict

    return {
        "schema_version": PROFILE_COMMAND_SCHEMA_VERSION,
        "source": {"data_source": masked_url, "read_through": origin},
        "table": table,
        "schema": schema,
        "partition": partition.to_dict() if partition else None,
        "profile": profile_to_dict(profile),
    }
