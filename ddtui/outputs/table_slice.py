"""A slice of a table: the rows where each named column equals a value (a run's partition).

A task that appends one partition per run names it (XCom `{"table", "partition"}`, or the
`output_partition` attribute); `ddtui profile --where-partition col=value` names one by hand.
Only `col = :value AND ...` is ever built: identifiers are quoted by SQLAlchemy, values are
bound parameters, and no SQL text from the metastore or the command line is executed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from ddtui.errors import DataSourceError

PartitionValue = str | int | float | bool
# More columns than any real partition key has: a longer mapping is data, not a key.
MAX_COLUMNS = 8
MAX_VALUE_LENGTH = 200


class InvalidSliceError(ValueError):
    """A mapping that is not a partition: empty, non-text keys, values that are not scalars."""


@dataclass(frozen=True)
class TableSlice:
    """Equality conditions on columns, in the order they were named."""

    conditions: tuple[tuple[str, PartitionValue], ...]

    @classmethod
    def from_mapping(cls, mapping: object) -> TableSlice:
        """A slice from a JSON object such as `{"ds": "2024-01-01"}`; InvalidSliceError if not."""
        if not isinstance(mapping, Mapping) or not mapping:
            raise InvalidSliceError("a partition maps column names to values")
        if len(mapping) > MAX_COLUMNS:
            raise InvalidSliceError(f"a partition has at most {MAX_COLUMNS} columns")
        conditions: list[tuple[str, PartitionValue]] = []
        for column, value in mapping.items():
            if not isinstance(column, str) or not column or not column.isprintable():
                raise InvalidSliceError(f"partition column {column!r} is not a column name")
            if isinstance(value, float) and not math.isfinite(value):
                raise InvalidSliceError(f"partition value of {column!r} is not finite")
            if not isinstance(value, str | int | float | bool):
                raise InvalidSliceError(f"partition value of {column!r} is not a single value")
            if isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
                raise InvalidSliceError(f"partition value of {column!r} is too long")
            conditions.append((column, value))
        return cls(tuple(conditions))

    @classmethod
    def parse(cls, terms: Iterable[str]) -> TableSlice | None:
        """`["ds=2024-01-01", "region=eu"]` (command-line terms) as a slice; None for none.

        Values stay text here; `where` converts them to the column's type.
        """
        mapping: dict[str, str] = {}
        for term in terms:
            column, equals, value = term.partition("=")
            if not equals or not column.strip():
                raise InvalidSliceError(f"{term!r} is not COLUMN=VALUE")
            if column.strip() in mapping:
                raise InvalidSliceError(f"column {column.strip()!r} is named twice")
            mapping[column.strip()] = value
        return cls.from_mapping(mapping) if mapping else None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.conditions)

    @property
    def label(self) -> str:
        """`ds=2024-01-01, region=eu`: how users see the slice."""
        return ", ".join(f"{column}={_shown(value)}" for column, value in self.conditions)

    def to_dict(self) -> dict[str, PartitionValue]:
        return dict(self.conditions)

    def where(self, table: sa.TableClause | sa.Subquery) -> sa.ColumnElement[bool]:
        """`col = :value AND ...` on `table`'s columns, each value in its column's type."""
        parts: list[sa.ColumnElement[bool]] = []
        for name, value in self.conditions:
            if name not in table.c:
                where = getattr(table, "name", "the table")
                raise DataSourceError(f"no partition column {name!r} in table {where!r}")
            column = table.c[name]
            parts.append(column == _typed(value, name, column.type))
        return sa.and_(*parts)

    def rows_of(self, table: sa.Table) -> sa.Subquery:
        """The slice as a subquery with the table's columns and name, for any
        `SELECT ... FROM` the profile builds (the server pushes the filter into the scan)."""
        return sa.select(*table.columns).where(self.where(table)).subquery(table.name)


def base_table(source: sa.FromClause) -> sa.Table | None:
    """The table a partition's rows (`TableSlice.rows_of`) are read from; the table itself
    for a table; None for anything else."""
    if isinstance(source, sa.Table):
        return source
    if not isinstance(source, sa.Subquery) or not isinstance(source.element, sa.Select):
        return None
    froms = source.element.get_final_froms()
    return froms[0] if len(froms) == 1 and isinstance(froms[0], sa.Table) else None


def _shown(value: PartitionValue) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _typed(value: PartitionValue, name: str, kind: sa.types.TypeEngine[Any]) -> Any:
    """The value as the column's Python type: a partition named in JSON or on the command
    line is text ("2024-01-01", "7"), and drivers bind text to a DATE or INTEGER differently."""
    try:
        if isinstance(kind, sa.DateTime) and isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        if isinstance(kind, sa.Date) and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if isinstance(kind, sa.Boolean) and isinstance(value, str):
            return _boolean(value)
        if isinstance(kind, sa.Integer) and not isinstance(value, bool):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if isinstance(kind, sa.Numeric | sa.Float) and not isinstance(value, bool):
            if isinstance(kind, sa.Float) or not kind.asdecimal:
                return float(value)
            return Decimal(str(value))
        if isinstance(kind, sa.String) and not isinstance(value, str):
            return _shown(value)
    except (ValueError, InvalidOperation):
        raise DataSourceError(
            f"partition value {str(value)!r} is not a {_type_word(kind)} (column {name!r})"
        ) from None
    return value


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"true", "1", "t", "yes"}:
        return True
    if lowered in {"false", "0", "f", "no"}:
        return False
    raise ValueError(text)


def _type_word(kind: sa.types.TypeEngine[Any]) -> str:
    if isinstance(kind, sa.DateTime):
        return "date and time"
    if isinstance(kind, sa.Date):
        return "date"
    if isinstance(kind, sa.Boolean):
        return "boolean"
    if isinstance(kind, sa.Integer):
        return "whole number"
    return "number"
