"""Any other SQLAlchemy dialect: portable SQL only, no session settings ddtui relies on."""

from __future__ import annotations

from ddtui.backends.base import Backend, Capabilities


class GenericBackend(Backend):
    """A dialect ddtui has no module for: profiles pushed down in portable SQL (counts,
    sums, MIN/MAX, grouped values, CASE-bucketed histograms), no session settings."""

    name = "generic"
    capabilities = Capabilities(pushes_down=True, networked=True)
