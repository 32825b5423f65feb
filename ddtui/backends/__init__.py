"""One backend per database: what each can do (capabilities) and how ddtui reads it.

`backend_for(engine_or_url)` is the only place dialects are told apart: code elsewhere
asks the backend (`backend.capabilities.pushes_down`, `backend.begin_read_only(conn)`, ...).
"""

from ddtui.backends.base import Backend, Budget, Capabilities
from ddtui.backends.expressions import SqlExpressions
from ddtui.backends.registry import (
    SCHEME_DIALECTS,
    backend_for,
    dialect_for_scheme,
    known_backend,
)

__all__ = [
    "SCHEME_DIALECTS",
    "Backend",
    "Budget",
    "Capabilities",
    "SqlExpressions",
    "backend_for",
    "dialect_for_scheme",
    "known_backend",
]
