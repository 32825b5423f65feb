"""What a user takes from ddtui to elsewhere: the command that reopens a view, and a Python
snippet that loads the output table in pandas.

No UI here. The snippet never holds a password: the URL's password is read from an
environment variable instead, so copying it into a notebook or a chat leaks nothing.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ddtui.outputs.resolve import OutputRef

PASSWORD_ENV = "DDTUI_DATA_PASSWORD"  # noqa: S105  (the variable's name, not a password)


def deep_link(dag_id: str, task_id: str | None = None, run_id: str | None = None) -> str:
    """`ddtui --dag D --task T --run R`, each value quoted for a POSIX shell."""
    parts = ["ddtui", "--dag", shlex.quote(dag_id)]
    if task_id:
        parts += ["--task", shlex.quote(task_id)]
    if run_id:
        parts += ["--run", shlex.quote(run_id)]
    return " ".join(parts)


def pandas_snippet(ref: OutputRef) -> str:
    """Python that reads `ref`'s table (or partition) into a pandas DataFrame."""
    import sqlalchemy as sa

    if ref.table is None or ref.data_url is None:
        raise ValueError("the output has no readable table")
    url = sa.make_url(ref.data_url)
    lines = ["import pandas as pd", "import sqlalchemy as sa"]
    if url.password is not None:
        lines.insert(0, "import os")
        # URL.set(password=None) keeps the password: build the URL again without it.
        bare = sa.URL.create(
            url.drivername, url.username, None, url.host, url.port, url.database, url.query
        )
        shown = bare.render_as_string(hide_password=False)
        lines += [
            "",
            f"url = sa.make_url({shown!r}).set(password=os.environ[{PASSWORD_ENV!r}])",
        ]
    else:
        lines += ["", f"url = {url.render_as_string(hide_password=False)!r}"]
    schema = f", schema={ref.schema!r}" if ref.schema else ""
    lines.append(f"frame = pd.read_sql_table({ref.table!r}, sa.create_engine(url){schema})")
    if ref.partition is not None:
        for column, value in ref.partition.conditions:
            lines.append(f"frame = frame[frame[{column!r}] == {value!r}]")
    return "\n".join(lines) + "\n"
