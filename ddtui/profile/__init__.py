"""Profiles of output tables (no Textual, no plotext here)."""

from ddtui.profile.api import profile_stages, profile_table
from ddtui.profile.control import ProfileCancelled
from ddtui.profile.models import (
    PROFILE_SCHEMA_VERSION,
    ColumnProfile,
    Histogram,
    TableProfile,
    TableSchema,
)
from ddtui.profile.schema import read_schema

__all__ = [
    "PROFILE_SCHEMA_VERSION",
    "ColumnProfile",
    "Histogram",
    "ProfileCancelled",
    "TableProfile",
    "TableSchema",
    "profile_stages",
    "profile_table",
    "read_schema",
]
