"""A TCP proxy on 127.0.0.1 that a test can freeze, thaw, drop and refuse: network faults for real.

Between ddtui and a real database server it forwards bytes both ways. `freeze()` stops
forwarding while keeping every socket open (a stalled network: the client's kernel still
sees its data acknowledged, so only a client-side watchdog can notice); `drop()` closes
every connection (a server restart); `refuse()` closes them and refuses new ones until
`accept()`. It runs in daemon threads and stops with `close()` (a context manager).
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy.engine import make_url

LOCALHOST = "127.0.0.1"  # the only address tests may use


class TcpProxy:
    """Forwards 127.0.0.1:`port` (ephemeral) to `target`; see the module docstring."""

    def __init__(self, target_host: str, target_port: int) -> None:
        if target_host not in (LOCALHOST, "localhost"):
            raise ValueError(f"the test proxy forwards to {LOCALHOST} only, not {target_host}")
        self.target = (LOCALHOST, target_port)
        self._listener = socket.create_server((LOCALHOST, 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._flowing = threading.Event()
        self._flowing.set()
        self._refusing = False
        self._closed = threading.Event()
        self.connections_made = 0
        self._threads = [threading.Thread(target=self._accept_loop, daemon=True, name="proxy")]
        self._threads[0].start()

    # What a test does -------------------------------------------------------------

    def url_for(self, server_url: str) -> str:
        """`server_url` with its host and port replaced by the proxy's."""
        url = make_url(server_url).set(host=LOCALHOST, port=self.port)
        return url.render_as_string(hide_password=False)

    def freeze(self) -> None:
        """Stop forwarding in both directions; sockets stay open and new ones hang."""
        self._flowing.clear()

    def thaw(self) -> None:
        """Forward again what waited, and what comes next."""
        self._flowing.set()

    def drop(self) -> None:
        """Close every open connection (as a restarting server does); new ones work."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            _close_pair(pair)

    def refuse(self) -> None:
        """Drop every connection and close new ones at once, until `accept()`."""
        self._refusing = True
        self.drop()

    def accept(self) -> None:
        self._refusing = False

    def close(self) -> None:
        """Stop: close the listener and every connection, and wait for the threads."""
        self._closed.set()
        self._flowing.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._listener.close()
        self.drop()
        for thread in list(self._threads):
            thread.join(timeout=5)

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # Forwarding -------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            if self._refusing:
                client.close()
                continue
            # Frozen: a new connection is accepted by the kernel but goes nowhere.
            self._flowing.wait()
            if self._closed.is_set():
                client.close()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            pair = (client, upstream)
            with self._lock:
                self._pairs.append(pair)
                self.connections_made += 1
            thread = threading.Thread(target=self._pump, args=(pair,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _pump(self, pair: tuple[socket.socket, socket.socket]) -> None:
        """Copy bytes both ways until either side closes (holding them while frozen)."""
        client, upstream = pair
        with selectors.DefaultSelector() as selector:
            try:
                selector.register(client, selectors.EVENT_READ, upstream)
                selector.register(upstream, selectors.EVENT_READ, client)
            except (ValueError, OSError):
                return  # dropped before it started
            while not self._closed.is_set():
                if not self._flowing.is_set():
                    self._flowing.wait(0.05)  # frozen: read nothing, so nothing moves
                    if not self._alive(pair):
                        break
                    continue
                try:
                    ready = selector.select(timeout=0.05)
                except (ValueError, OSError):
                    break  # a socket was closed by drop()
                if not self._forward(ready):
                    break
        with self._lock:
            if pair in self._pairs:
                self._pairs.remove(pair)
        _close_pair(pair)

    def _alive(self, pair: tuple[socket.socket, socket.socket]) -> bool:
        with self._lock:
            return pair in self._pairs

    def _forward(self, ready: list[tuple[selectors.SelectorKey, int]]) -> bool:
        for key, _ in ready:
            source: socket.socket = key.fileobj  # type: ignore[assignment]
            try:
                data = source.recv(65536)
                if not data:
                    return False
                if not self._flowing.is_set():
                    # Frozen between select and recv: hold these bytes until thawed.
                    self._flowing.wait()
                key.data.sendall(data)
            except OSError:
                return False
        return True


def _close_pair(pair: tuple[socket.socket, socket.socket]) -> None:
    for sock in pair:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@contextmanager
def proxy_to(server_url: str) -> Iterator[TcpProxy]:
    """A proxy in front of the server of `server_url` (a 127.0.0.1 URL), closed afterwards."""
    url = make_url(server_url)
    default_port = 5432 if url.get_backend_name() == "postgresql" else 3306
    with TcpProxy(url.host or LOCALHOST, url.port or default_port) as proxy:
        yield proxy
