"""DataDriver-style helpers for the demo DAGs (copied into the dags folder; ddtui never imports it).

Contract with ddtui's demo builder: the data database the DAGs write their
output tables to is the SQLAlchemy URL in the environment variable
``DDTUI_DEMO_DATA_URL``; when it is unset (a user running plain
``AIRFLOW_HOME=... airflow dags test ...``) it is ``sqlite:///$AIRFLOW_HOME/data.db``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from airflow_compat import BaseOperator

DATA_URL_ENV = "DDTUI_DEMO_DATA_URL"

Transform = Callable[[dict[str, Any], Mapping[str, Any]], Any]


def data_url() -> str:
    """The SQLAlchemy URL of the data database (see the module docstring)."""
    url = os.environ.get(DATA_URL_ENV)
    if url:
        return url
    home = Path(os.environ.get("AIRFLOW_HOME") or Path.home() / "airflow")
    return f"sqlite:///{home / 'data.db'}"


@cache
def data_engine(url: str | None = None) -> Any:
    """One SQLAlchemy engine per process and URL (imported lazily: DAG parsing stays cheap)."""
    import sqlalchemy

    return sqlalchemy.create_engine(url or data_url())


def table_asset_uri(table: str) -> str:
    """An asset URI naming `table` in the data database, e.g. ``sqlite:////abs/data.db/orders``."""
    from urllib.parse import urlsplit

    url = data_url()
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        # sqlite:////abs/path.db -> path "//abs/path.db"; keep the absolute path.
        return f"sqlite:///{url.split(':///', 1)[1]}/{table}"
    if scheme == "postgresql":
        return f"postgres://{parts.hostname}:{parts.port or 5432}{parts.path}/public/{table}"
    if scheme in ("mysql", "mariadb"):
        return f"mysql://{parts.hostname}:{parts.port or 3306}{parts.path}/{table}"
    return f"{scheme}://{parts.netloc}{parts.path}/{table}"


def run_options(context: Mapping[str, Any]) -> dict[str, Any]:
    """The DAG params overlaid with the run's conf (conf wins), plus ``ds`` and ``logical_date``."""
    options = dict(context.get("params") or {})
    dag_run = context.get("dag_run")
    options.update(getattr(dag_run, "conf", None) or {})
    options["ds"] = context.get("ds")
    options["logical_date"] = context.get("logical_date")
    return options


def read_table(name: str) -> Any:
    """Read a whole table of the data database into a DataFrame."""
    import pandas as pd

    return pd.read_sql_table(name, data_engine())


def write_table(frame: Any, name: str) -> str:
    """Replace `name` in the data database with `frame` and return the table name."""
    frame.to_sql(name, data_engine(), if_exists="replace", index=False, chunksize=5_000)
    return name


class DataDriverOperator(BaseOperator):
    """Run `transform(inputs, options)` and write the returned DataFrame to `output_table`.

    `output_table` and `input_tables` are templated (``scores_{{ ds_nodash }}``);
    the operator returns the rendered table name, so it lands in XCom
    ``return_value``, and `output_table` is in the serialized DAG because it
    is a template field.
    """

    template_fields: Sequence[str] = ("output_table", "input_tables")
    ui_color = "#e3f2e1"

    def __init__(
        self,
        *,
        output_table: str,
        transform: Transform,
        input_tables: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.output_table = output_table
        self.input_tables = list(input_tables)
        self.transform = transform

    def execute(self, context: Any) -> str:
        """Read the inputs, run the transform, write and name the output table."""
        inputs = {name: read_table(name) for name in self.input_tables}
        frame = self.transform(inputs, run_options(context))
        self.log.info("writing %d rows x %d columns to %s", *frame.shape, self.output_table)
        return write_table(frame, self.output_table)
