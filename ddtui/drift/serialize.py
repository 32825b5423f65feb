"""TableProfile <-> JSON for the profile history (JSON only: nothing is ever pickled)."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import decimal
import json
import math
import uuid
from typing import Any

from ddtui.profile.models import ColumnProfile, Histogram, TableProfile

_COLUMN_FIELDS = {f.name for f in dataclasses.fields(ColumnProfile)}
_TABLE_FIELDS = {f.name for f in dataclasses.fields(TableProfile)}


def json_default(value: Any) -> Any:
    """What `json.dumps` cannot encode by itself, as the closest JSON value."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "base64:" + base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def json_safe(value: Any) -> Any:
    """`value` with NaN and infinities replaced by None, so the output is strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """Strict, compact JSON (no NaN), encoding datetimes, decimals and bytes as text."""
    try:
        return json.dumps(value, default=json_default, separators=(",", ":"), allow_nan=False)
    except ValueError:  # a NaN or infinity somewhere: the slower path that turns them to null
        pass
    # Round-trip through the encoder first so numpy floats are seen by json_safe as floats.
    plain = json.loads(json.dumps(value, default=json_default, allow_nan=True))
    return json.dumps(json_safe(plain), separators=(",", ":"), allow_nan=False)


def json_ready(value: Any) -> Any:
    """`value` as plain JSON types (what `dumps` would write), NaN and infinities as None."""
    return json.loads(dumps(value))


def profile_to_json(profile: TableProfile, *, keep_rows: bool = False) -> str:
    """The profile as JSON; head and tail rows are left out unless `keep_rows`."""
    data = profile.to_dict()
    if not keep_rows:
        data["head"], data["tail"] = [], []
    return dumps(data)


def profile_from_dict(data: dict[str, Any]) -> TableProfile:
    """Rebuild a TableProfile from `TableProfile.to_dict()` output (unknown keys ignored).

    Values JSON cannot hold come back as text: datetimes as ISO strings, bytes as base64.
    """
    columns = [_column_from_dict(c) for c in data.get("columns", [])]
    fields = {k: v for k, v in data.items() if k in _TABLE_FIELDS and k != "columns"}
    return TableProfile(columns=columns, **fields)


def _column_from_dict(data: dict[str, Any]) -> ColumnProfile:
    fields = {k: v for k, v in data.items() if k in _COLUMN_FIELDS}
    histogram = fields.get("histogram")
    if isinstance(histogram, dict):
        fields["histogram"] = Histogram(list(histogram["edges"]), list(histogram["counts"]))
    fields["top_values"] = [(v[0], v[1]) for v in fields.get("top_values") or []]
    return ColumnProfile(**fields)
