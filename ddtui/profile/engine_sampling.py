"""`--sample N` through the engine's own sampling, where the database has it.

Reading the first N rows of a large table is cheap on a server that stops scanning at the
LIMIT, but shows only the table's first pages, and on BigQuery a `LIMIT` still bills the
whole table. `TABLESAMPLE SYSTEM` reads a share of the storage blocks instead, a little more
than the share N is of the rows, all of them read (a LIMIT would keep the first blocks only):
about N rows from all over the table, at most twice N. A partition is sampled within the
table, then filtered, so about the same share of its rows comes back.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.util import ClauseAdapter

from ddtui.backends import Backend
from ddtui.outputs.table_slice import base_table

# Blocks read, as a multiple of the share of rows wanted (block sampling is lumpy).
OVERSAMPLE = 1.25
# Rows read from the sampled blocks at most, as a multiple of the rows wanted.
MAX_READ = 2
# Below this many rows per sampled row, the first N rows are as good and need no sampling.
MIN_ROWS_PER_SAMPLED_ROW = 10


def engine_samples(backend: Backend, rows: int, sample_rows: int) -> bool:
    """Whether a sample of `sample_rows` of `rows` rows is drawn by the engine here."""
    probe = sa.Table("probe", sa.MetaData(), sa.Column("x", sa.Integer))
    return (
        rows >= MIN_ROWS_PER_SAMPLED_ROW * sample_rows and backend.sampled(probe, 1.0) is not None
    )


def engine_sampled(
    backend: Backend, source: sa.Table | sa.Subquery, rows: int, sample_rows: int
) -> sa.FromClause | None:
    """`source` (a table, or a partition's rows as `TableSlice.rows_of` makes them) as the
    engine samples it for about `sample_rows` rows; None when it cannot or need not."""
    if rows < MIN_ROWS_PER_SAMPLED_ROW * sample_rows:
        return None
    percent = 100.0 * OVERSAMPLE * sample_rows / rows
    if isinstance(source, sa.Table):
        return backend.sampled(source, percent)
    whole = base_table(source)
    sampled = backend.sampled(whole, percent) if whole is not None else None
    if sampled is None:
        return None
    select: Any = source.element
    # The same SELECT ... WHERE, reading the sampled table instead of the whole one.
    adapted: sa.Select[Any] = ClauseAdapter(sampled).traverse(select)
    return adapted.subquery(source.name)
