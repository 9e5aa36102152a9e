"""A loopback TCP relay that can cut every connection through it, as a network fault would.

Used between `kiosk-server` and PostgreSQL: `cut()` drops the live connections and refuses
new ones (accepted, then closed at once, as a firewall reset looks to the client) until
`restore()`. Bytes are relayed untouched, so any protocol works through it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

CHUNK = 65536


class TcpCutProxy:
    """Relay 127.0.0.1:<port> to `upstream`; `cut()` and `restore()` the link."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._live: set[socket.socket] = set()
        self._cut = False
        self._closed = False
        self.refused = 0
        """Connections refused while cut (proves the client tried during the outage)."""

    def __enter__(self) -> TcpCutProxy:
        threading.Thread(target=self._accept_loop, daemon=True).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closed = True
        self._listener.close()
        self._drop_all()

    def cut(self) -> None:
        """Drop every live connection and refuse new ones."""
        with self._lock:
            self._cut = True
        self._drop_all()

    def restore(self) -> None:
        """Relay again."""
        with self._lock:
            self._cut = False

    def _drop_all(self) -> None:
        with self._lock:
            live, self._live = self._live, set()
        for sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refuse = self._cut
                if refuse:
                    self.refused += 1
            if refuse:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._live.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(CHUNK):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with self._lock:
                    self._live.discard(sock)
            source.close()
