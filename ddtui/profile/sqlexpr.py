"""SQL expressions for push-down, per dialect family, built with SQLAlchemy Core only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

Expr = sa.ColumnElement[Any]
INF = math.inf


@dataclass(frozen=True)
class Flavour:
    """What differs between PostgreSQL and MySQL/MariaDB in the aggregates we need."""

    postgres: bool

    def value(self, column: Expr, kind: str) -> Expr:
        """What the aggregates of a column of this kind see."""
        if kind == "number":
            return self.number(column)
        if kind == "datetime" and self.postgres and not isinstance(column.type, sa.DateTime):
            # Dates as timestamps: one type to compare with timestamp histogram thresholds.
            return sa.cast(column, postgresql.TIMESTAMP())
        return column

    def number(self, column: Expr) -> Expr:
        """The column as pandas reads it: a double, with Postgres' NaN as NULL (missing)."""
        if not self.postgres:
            return self.double(column)  # MySQL/MariaDB store no NaN or infinities
        double = sa.cast(column, postgresql.DOUBLE_PRECISION)
        if isinstance(column.type, sa.Integer):
            return double
        # Postgres counts NaN as a value and sorts it above +Infinity; pandas calls it missing.
        return sa.func.nullif(double, sa.literal(math.nan, postgresql.DOUBLE_PRECISION))

    def double(self, value: Expr) -> Expr:
        """MySQL/MariaDB: `value` as a double, so AVG is not a DECIMAL rounded to 4 places.

        The coercion also stops SQLAlchemy reading DOUBLE columns as 10-place Decimals.
        """
        if self.postgres:
            return value
        return sa.type_coerce(value + sa.literal(0.0, sa.Double()), sa.Double())

    def is_finite(self, value: Expr) -> Expr | None:
        """A predicate true for finite values; None where every value is finite."""
        if not self.postgres:
            return None
        return sa.func.abs(value) < sa.literal(INF, postgresql.DOUBLE_PRECISION)

    def ticks(self, column: Expr) -> Expr:
        """Microseconds since 1970-01-01 (UTC for tz-aware values), as an exact number."""
        if self.postgres:
            return sa.extract("epoch", column) * 1_000_000
        return sa.func.timestampdiff(
            sa.literal_column("MICROSECOND"), sa.literal("1970-01-01 00:00:00"), column
        )

    @property
    def micros_per_epoch_unit(self) -> int:
        """Microseconds in one unit of epoch()."""
        return 1_000_000 if self.postgres else 1

    def epoch(self, column: Expr) -> Expr:
        """Time since 1970-01-01 as an exact number, to sum: seconds on Postgres.

        (Postgres' EXTRACT gives a numeric; multiplying each one by a million to get
        microseconds costs more than the sum itself.)
        """
        return sa.extract("epoch", column) if self.postgres else self.ticks(column)

    def float_ticks(self, column: Expr) -> Expr:
        """ticks() as a double, for histogram buckets."""
        ticks = self.ticks(column)
        return sa.cast(ticks, postgresql.DOUBLE_PRECISION) if self.postgres else ticks

    def text_key(self, column: Expr) -> Expr:
        """What to compare strings by: bytes, as pandas does (MySQL collations fold case)."""
        if self.postgres:
            if isinstance(column.type, sa.Enum):
                return column
            # Deterministic collations compare equal exactly when bytes are equal, so "C"
            # (plain memcmp) gives the same groups and counts, faster than the default.
            return sa.collate(column, "C")
        return sa.cast(column, sa.LargeBinary)

    def flag_count(self, predicate: Expr) -> Expr:
        """COUNT of rows where `predicate` holds (a FILTER is cheaper than a CASE sum)."""
        if self.postgres:
            return sa.func.count().filter(predicate)
        return flag_count(predicate)

    def length(self, column: Expr, binary: bool) -> Expr:
        """Characters of a string (as Python's len), bytes of a binary value."""
        return sa.func.octet_length(column) if binary else sa.func.char_length(column)

    def bucket(self, value: Expr, edges: list[float]) -> Expr:
        """1-based numpy.histogram bin of `value` for these edges (last bin closed)."""
        bins = len(edges) - 1
        if self.postgres:
            # One array parameter: compiling dozens of separate binds per column is slow.
            thresholds = sa.cast(
                sa.bindparam(None, [float(e) for e in edges], postgresql.ARRAY(sa.Double())),
                postgresql.ARRAY(postgresql.DOUBLE_PRECISION),
            )
            # width_bucket(x, thresholds): i where edges[i-1] <= x < edges[i]; max -> bins + 1.
            return sa.func.least(sa.func.width_bucket(value, thresholds), bins)
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


def scaled(value: Expr, scale: float) -> Expr:
    """value / scale, where the division cannot overflow or raise underflow errors.

    Scaling by a power of two is exact, so sums and variances of the scaled values are
    the unscaled ones divided by it; values too small to survive the division add
    nothing visible to such sums and become 0 (Postgres raises on underflow).
    """
    if scale == 1.0:
        return value
    floor = scale * 2.0**-1021
    return sa.case(
        (sa.func.abs(value) < sa.literal(floor, sa.Float), sa.literal(0.0, sa.Float)),
        else_=value / sa.literal(scale, sa.Float),
    )


# Mean and std of values below this magnitude cannot overflow a double, however many rows:
# Postgres' running variance squares n * value - sum (up to ~2 * rows * 2**400), and raises
# once that overflows (at 2**500, from about ten thousand rows on; huge values are scaled
# in a second pass instead, see power_of_two_scale).
MOMENT_SAFE = 2.0**400


def overflow_safe(value: Expr) -> Expr:
    """The value where its square cannot overflow, else NULL (Postgres raises on overflow)."""
    return sa.case((sa.func.abs(value) < sa.literal(MOMENT_SAFE, sa.Double()), value))


def power_of_two_scale(max_abs: float | None) -> float:
    """2**k near the largest finite magnitude when squares could overflow, else 1."""
    if not max_abs or max_abs < MOMENT_SAFE:
        return 1.0
    return 2.0 ** math.frexp(max_abs)[1]
