"""A loopback TCP relay whose link can be cut, slowed or made lossy: for WebSockets.

The HTTP fault proxy (`tests.chaos.proxy`) reads whole requests, which a kitchen screen's
long-lived socket never ends; this relay (`TcpCutProxy` underneath) moves bytes as they come,
so any protocol passes, and `mode` decides what the link does to them:

  pass    bytes relayed as they come
  cut     live connections dropped and new ones refused (`TcpCutProxy.cut`)
  slow    every chunk held back `delay_s` (a congested uplink)
  lossy   a chunk held back now and then (retransmissions) and the connection broken now and
          then (`reset_chance` per chunk)
"""

from __future__ import annotations

import random
import socket
import threading
import time
from typing import Literal

from tests.support.tcp_proxy import TcpCutProxy

LinkMode = Literal["pass", "cut", "slow", "lossy"]


class _FaultySource:
    """A socket whose `recv` passes through the link's current mode (the rest delegated)."""

    def __init__(self, sock: socket.socket, link: FaultLink) -> None:
        self._sock = sock
        self._link = link

    def recv(self, size: int) -> bytes:
        data = self._sock.recv(size)
        if data:
            self._link.afflict()
        return data

    def shutdown(self, how: int) -> None:
        self._sock.shutdown(how)

    def close(self) -> None:
        self._sock.close()

    # The relay keeps its live sockets in a set: the wrapper stands for its socket there.
    def __hash__(self) -> int:
        return hash(self._sock)

    def __eq__(self, other: object) -> bool:
        return other is self or other is self._sock


class FaultLink(TcpCutProxy):
    """Relay 127.0.0.1:<port> to `upstream`; `set_mode` at any time."""

    def __init__(self, upstream: tuple[str, int], *, seed: int = 0) -> None:
        super().__init__(upstream)
        self.mode: LinkMode = "pass"
        self.delay_s = 0.3
        self.reset_chance = 0.05
        self.resets = 0
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()

    def set_mode(self, mode: LinkMode) -> None:
        self.mode = mode
        if mode == "cut":
            self.cut()
        else:
            self.restore()

    def afflict(self) -> None:
        """What the link does to one chunk: hold it back, or break the connection (OSError)."""
        mode = self.mode
        if mode == "slow":
            time.sleep(self.delay_s)
        elif mode == "lossy":
            with self._rng_lock:
                roll = self._rng.random()
            if roll < self.reset_chance:
                self.resets += 1
                raise ConnectionResetError("link lost the connection")
            if roll < 0.3:
                time.sleep(self.delay_s)

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        super()._pump(_FaultySource(source, self), target)  # type: ignore[arg-type]
