"""Any other SQLAlchemy dialect: portable SQL only, no session settings ddtui relies on."""

from __future__ import annotations

from ddtui.backends.base import Backend, Capabilities


class GenericBackend(Backend):
    """A dialect ddtui has no module for: it streams rows, reading through plain SELECTs."""

    name = "generic"
    capabilities = Capabilities(networked=True)
