"""Mean and std of values whose squares would overflow a double: scaled by a power of two."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa

Expr = sa.ColumnElement[Any]
INF = math.inf


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
