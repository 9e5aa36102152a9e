"""A fault-injecting HTTP/1.1 proxy on loopback: drops, delays, resets after send, 500s, 429s.

Each request is read whole, then a seeded die picks its fate:

  pass            forwarded; the answer relayed
  drop            the connection closed before anything is forwarded
  delay           forwarded after a pause
  reset_after     forwarded and answered by the server, then the client gets a TCP reset
                  instead of the answer (the server did the work; the client cannot know)
  error_500       answered 500 without reaching the server
  throttle_429    answered 429 with `Retry-After: 1` without reaching the server

Every client connection carries one request (the proxy answers `Connection: close`), so
each retry rolls the die again. Counts per fate are kept for the test to assert on. A
WebSocket handshake rolls the die too; once through, the socket is tunnelled until either side
closes it or the plan cuts the network (`drop` 1.0).
"""

from __future__ import annotations

import random
import select
import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

FATES = ("pass", "drop", "delay", "reset_after", "error_500", "throttle_429")


@dataclass
class FaultPlan:
    """Probability of each fate but `pass` (the rest); `enabled` False passes everything."""

    drop: float = 0.0
    delay: float = 0.0
    reset_after: float = 0.0
    error_500: float = 0.0
    throttle_429: float = 0.0
    delay_s: tuple[float, float] = (0.2, 1.5)
    enabled: bool = True
    seed: int = 0
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def choose(self) -> str:
        if not self.enabled:
            return "pass"
        roll = self.rng.random()
        for fate in FATES[1:]:
            chance = float(getattr(self, fate))
            if roll < chance:
                return fate
            roll -= chance
        return "pass"


def _read_request(connection: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        body += chunk
    if _is_upgrade(head):  # a WebSocket handshake: relayed as it is, then tunnelled
        return head + b"\r\n\r\n" + body
    lines = [
        line
        for line in head.split(b"\r\n")
        if not line.lower().startswith((b"connection:", b"keep-alive:"))
    ]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


def _is_upgrade(head: bytes) -> bool:
    return any(line.lower().startswith(b"upgrade:") for line in head.split(b"\r\n")[1:])


def _canned(status: str, headers: str = "") -> bytes:
    body = b'{"error":"proxy","message":"injected fault","field":null,"code":"fault"}'
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{headers}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


class FaultProxy:
    """Listens on 127.0.0.1:<port> and forwards to `upstream` with the plan's faults."""

    def __init__(self, upstream: tuple[str, int], plan: FaultPlan) -> None:
        self.upstream = upstream
        self.plan = plan
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _fate(self) -> str:
        with self._lock:
            fate = self.plan.choose()
            self.counts[fate] += 1
            return fate

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(self.upstream, timeout=60) as upstream:
            upstream.sendall(request)
            answer = b""
            while chunk := upstream.recv(65536):
                answer += chunk
            return answer

    def _cut(self) -> bool:
        return self.plan.enabled and self.plan.drop >= 1.0

    def _tunnel(self, client: socket.socket, request: bytes) -> None:
        """A WebSocket (the till's live link): bytes both ways until either side closes or
        the plan cuts the network (every request dropped); a cut also ends live tunnels."""
        with socket.create_connection(self.upstream, timeout=10) as upstream:
            upstream.sendall(request)
            other = {client: upstream, upstream: client}
            while not self._cut():
                readable, _, _ = select.select(list(other), [], [], 0.5)
                for source in readable:
                    chunk = source.recv(65536)
                    if not chunk:
                        return
                    other[source].sendall(chunk)

    def _handle(self, client: socket.socket) -> None:
        try:
            request = _read_request(client)
            if request is None:
                return
            fate = self._fate()
            if fate == "drop":
                return
            if fate == "error_500":
                client.sendall(_canned("500 Internal Server Error"))
                return
            if fate == "throttle_429":
                client.sendall(_canned("429 Too Many Requests", "Retry-After: 1\r\n"))
                return
            if fate == "delay":
                with self._lock:
                    pause = self.plan.rng.uniform(*self.plan.delay_s)
                time.sleep(pause)
            if _is_upgrade(request.partition(b"\r\n\r\n")[0]):
                self._tunnel(client, request)
                return
            answer = self._forward(request)
            if fate == "reset_after":
                # SO_LINGER 0: close() sends RST, the answer is lost after the server acted.
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            client.sendall(answer)
        except OSError:
            return  # the client or server went away mid-way: that is what we test
        finally:
            client.close()
