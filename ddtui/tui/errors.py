"""Turn a failure into the text its pane shows: what went wrong and what to do next."""

from __future__ import annotations

from rich.text import Text

from ddtui.errors import (
    ConfigError,
    MetastoreError,
    MetastoreTimeoutError,
    QueryTimeoutError,
)
from ddtui.metastore.serialized import CorruptDagError
from ddtui.terminal_text import safe_text


def _hint(kind: str, error: BaseException | None) -> str:
    if kind == "no-output":
        return (
            "ddtui looks for the run's XCom return value, the task's output_table "
            "attribute, then an SQL outlet asset."
        )
    if kind == "unreadable":
        return ""
    if isinstance(error, CorruptDagError):
        return "Airflow writes it again when it next parses the DAG file; other DAGs read as usual."
    if isinstance(error, MetastoreTimeoutError):
        return "The metastore is busy or a table is locked: press r to try again later."
    if kind in ("dags", "dag") or isinstance(error, MetastoreError):
        return "Check that the metastore is reachable, then press r to retry."
    if isinstance(error, QueryTimeoutError):
        return "The table is large or the server is busy: press r to try again later."
    if isinstance(error, ConfigError):
        return "Check --data-url / --data-conn / DDTUI_DATA_URL, then press r."
    return (
        "The table may have been dropped or renamed, or its database is unreachable. "
        "Press r to retry once it is back."
    )


def error_message(
    kind: str, reason: str, dag_id: str | None = None, error: BaseException | None = None
) -> Text:
    """`kind`: dags | dag | profile | no-output | unreadable."""
    titles = {
        "dags": "Could not read the DAG list.",
        "dag": f"Could not read DAG {safe_text(dag_id)}." if dag_id else "Could not read the DAG.",
        "profile": "Could not read the output table.",
        "no-output": "No output table found for this task.",
        "unreadable": "The output table is known, but ddtui cannot read it.",
    }
    text = Text()
    text.append(titles[kind], style="bold" if kind == "no-output" else "bold red")
    text.append("\n" + safe_text(reason))
    hint = _hint(kind, error)
    if hint:
        text.append(f"\n{hint}", style="italic")
    return text
