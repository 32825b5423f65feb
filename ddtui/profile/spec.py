"""What a profile knows of each column before reading it, and the knobs shared by all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ddtui.profile.models import ColumnKind
from ddtui.profile.schema import column_kind, type_name

QUANTILES = (0.25, 0.5, 0.75)


@dataclass(frozen=True)
class ColumnSpec:
    """What we know of a column before reading it."""

    name: str
    kind: ColumnKind
    db_type: str
    is_integer: bool = False  # pandas reads SQL integers as int64 when there are no NULLs
    tz_aware: bool = False  # pandas reads these as datetime64[.., UTC]


@dataclass(frozen=True)
class Settings:
    """Knobs shared by all columns of one profile."""

    bins: int = 20
    top_k: int = 20  # the column view lists 20
    # Quantiles and distinct counts of numbers and datetimes estimated by the database's
    # approximate aggregates where it has them (`--approx`; the profile says so).
    approx: bool = False


def column_specs(columns: Sequence[sa.Column[Any]], dialect: sa.Dialect) -> list[ColumnSpec]:
    """How each column will be profiled."""
    return [
        ColumnSpec(
            name=c.name,
            kind=column_kind(c.type),
            db_type=type_name(c, dialect),
            is_integer=isinstance(c.type, sa.Integer),
            tz_aware=isinstance(c.type, sa.DateTime) and bool(c.type.timezone),
        )
        for c in columns
    ]
