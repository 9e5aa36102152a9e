"""A fake raw-TCP (port 9100) receipt printer on loopback, for the printing tests."""

from __future__ import annotations

import socket
import threading


class FakeNetworkPrinter:
    """A raw-TCP "port 9100" printer on 127.0.0.1 that keeps every job's bytes."""

    def __init__(self, port: int = 0) -> None:
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", port))
        self._server.listen(8)
        self._server.settimeout(0.05)
        self.port: int = self._server.getsockname()[1]
        self.jobs: list[bytes] = []
        self._received = threading.Condition()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The printer URL to configure."""
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                connection.settimeout(2.0)
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
            with self._received:
                self.jobs.append(b"".join(chunks))
                self._received.notify_all()

    def wait_for_jobs(self, count: int, timeout_s: float = 5.0) -> list[bytes]:
        """Wait (bounded) until `count` jobs arrived; returns them."""
        with self._received:
            self._received.wait_for(lambda: len(self.jobs) >= count, timeout_s)
            return list(self.jobs)

    def close(self) -> None:
        """Stop listening: later connections are refused."""
        self._stopping.set()
        self._server.close()
        self._thread.join(2.0)
