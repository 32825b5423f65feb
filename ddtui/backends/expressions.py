"""The SQL expressions push-down aggregates are built from, in portable SQL.

Backends override what their database does differently (see `PostgreSQLExpressions`,
`MySQLExpressions`); everything here is SQLAlchemy Core that any dialect compiles.
"""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa

Expr = sa.ColumnElement[Any]


class SqlExpressions:
    """How a database's aggregates see values; portable SQL unless a backend overrides."""

    # Microseconds in one unit of `epoch()`.
    micros_per_epoch_unit: int = 1_000_000

    def value(self, column: Expr, kind: str) -> Expr:
        """What the aggregates of a column of this kind see."""
        if kind == "number":
            return self.number(column)
        return column

    def number(self, column: Expr) -> Expr:
        """The column as pandas reads it: a double (NaN, where stored, as NULL)."""
        return self.double(column)

    def double(self, value: Expr) -> Expr:
        """`value` as a double (so AVG is not a rounded DECIMAL)."""
        return sa.cast(value, sa.Double())

    def approx_quantiles(self, value: Expr, fractions: tuple[float, ...]) -> list[Expr] | None:
        """One aggregate per fraction estimating that quantile (capabilities.approx_percentiles
        names it); None where the database has none."""
        return None

    def order_statistics(self, value: Expr, fractions: list[float]) -> list[Expr] | None:
        """One aggregate per fraction f selecting the value at row ceil(f * n) of the n
        sorted non-NULL values, exactly (capabilities.exact_percentiles names it); None
        where the database has no such selection (the ranks are then found by GROUP BY)."""
        return None

    def approx_distinct(self, value: Expr) -> Expr | None:
        """An estimate of the distinct values (capabilities.approx_distinct); None if none."""
        return None

    def std(self, value: Expr) -> Expr:
        """The sample standard deviation (NaN where a value is infinite, as pandas)."""
        return sa.func.stddev_samp(value)

    def is_finite(self, value: Expr) -> Expr | None:
        """A predicate true for finite values; None where every stored value is finite."""
        return None

    def ticks(self, column: Expr) -> Expr:
        """Microseconds since 1970-01-01 (UTC for tz-aware values), as an exact number.

        Standard SQL has no such function; EXTRACT(EPOCH FROM ...) is the most widely
        understood form (PostgreSQL, Redshift, Snowflake, DuckDB, ...).
        """
        return sa.extract("epoch", column) * 1_000_000

    def epoch(self, column: Expr) -> Expr:
        """Time since 1970-01-01 as an exact number, to sum: seconds (see
        micros_per_epoch_unit), as multiplying each value costs more than the sum."""
        return sa.extract("epoch", column)

    def float_ticks(self, column: Expr) -> Expr:
        """ticks() as a double, for histogram buckets."""
        return sa.cast(self.ticks(column), sa.Double())

    def text_key(self, column: Expr) -> Expr:
        """What to compare strings by, so that groups are pandas' (bytes, not a collation)."""
        return column

    def flag_count(self, predicate: Expr) -> Expr:
        """COUNT of rows where `predicate` holds."""
        return flag_count(predicate)

    def length(self, column: Expr, binary: bool) -> Expr:
        """Characters of a string (as Python's len), bytes of a binary value."""
        return sa.func.octet_length(column) if binary else sa.func.char_length(column)

    def bucket(self, value: Expr, edges: list[float]) -> Expr:
        """1-based numpy.histogram bin of `value` for these edges (last bin closed)."""
        bins = len(edges) - 1
        whens = [(value < double_literal(edge), i) for i, edge in enumerate(edges[1:-1], 1)]
        return sa.case(*whens, else_=bins) if whens else sa.literal(bins)


def double_literal(number: float) -> Expr:
    """A finite float as an exact SQL double literal (repr round-trips; e0 makes it a double)."""
    text = repr(float(number))
    if not math.isfinite(float(number)):
        raise ValueError(f"not a finite number: {text}")
    return sa.literal_column(text if "e" in text else f"{text}e0", sa.Double())


def flag_count(predicate: Expr) -> Expr:
    """COUNT of rows where `predicate` holds (portable: SUM of CASE)."""
    return sa.func.coalesce(sa.func.sum(sa.case((predicate, 1), else_=0)), 0)
