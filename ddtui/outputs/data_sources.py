"""Read-only engines for the databases that hold output tables, one per URL."""

from __future__ import annotations

import threading

from sqlalchemy.engine import Engine

from ddtui.backends.engines import create_readonly_engine
from ddtui.config.settings import DATA_TIMEOUT_ENV, DEFAULT_DATA_TIMEOUT_S, statement_timeout


class DataSources:
    """A small thread-safe cache: workers share one engine (and pool) per data source."""

    def __init__(self, statement_timeout_s: float | None = None) -> None:
        """The statement timeout defaults to $DDTUI_DATA_TIMEOUT, else 300 s."""
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()
        if statement_timeout_s is None:
            statement_timeout_s = statement_timeout(DATA_TIMEOUT_ENV, DEFAULT_DATA_TIMEOUT_S)
        self._timeout = statement_timeout_s

    def engine(self, url: str) -> Engine:
        with self._lock:
            if url not in self._engines:
                self._engines[url] = create_readonly_engine(
                    url, statement_timeout_s=self._timeout, role="data source"
                )
            return self._engines[url]

    def close(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
