"""The till's live link: one WebSocket to the cloud, held from its own thread with backoff.

Pushes are nudges for the sync engine: `catalog_changed` makes it pull the feed now (and again
shortly while the till's version is still below the pushed one: the feed serves a row only once
no older transaction is running), `order_ready` makes it pull the ready cursor now,
`device_revoked` turns the till to "pair again". The link's pings drive the online light: an
answered ping is an authenticated answer (the socket was opened with the device's token and
the server drops it when the pairing ends); a ping unanswered for `hang_s` is a hang, the link
is dropped and the light goes off. While the link is down the engine polls as before.

The engine is reached only through `LinkedEngine`, so this module knows nothing of Qt, and
tests can hand it a fake.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, Final, Protocol
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.sync.client import ClientConnection, connect

from pos_desktop.config import APP_VERSION
from pos_desktop.retry import REFUSED_RETRY_S, full_jitter_delay
from pos_desktop.store.db import Database
from pos_desktop.store.uow import UnitOfWork
from pos_desktop.sync.client import DeviceNotAuthorized, SyncClient
from pos_desktop.sync.self_report import self_report
from shared.protocol_link import (
    LINK_HANG_S,
    LINK_HEARTBEAT_S,
    LinkCatalogChangedV1,
    LinkDeviceRevokedV1,
    LinkOrderReadyV1,
    LinkServerMessageV1,
    LinkStatusRequestV1,
    LinkStatusV1,
    LinkWelcomeV1,
)

log = logging.getLogger(__name__)

SERVER_MESSAGE: Final[TypeAdapter[LinkServerMessageV1]] = TypeAdapter(LinkServerMessageV1)
POLL_S: Final = 0.2
"""How long one receive waits before the thread looks at its heartbeat again."""
STATUS_MIN_GAP_S: Final = 10.0
"""A status that changed (a sale, a sync) is reported at most this often."""
CATALOG_RETRY_S: Final = 0.25
CATALOG_RETRY_CAP_S: Final = 4.0
CATALOG_RETRIES: Final = 12
"""After a catalog push the till pulls again, 0.25 s then doubling to 4 s, about 40 s in all,
while its version is below the pushed one. The feed holds a row back while an older write of
the same business's catalog is still open (a bulk import in the back office, say), and a
pull may fail: the first pull after a push is enough otherwise."""
LINKED_CATALOG_INTERVAL_S: Final = 600.0
LINKED_READY_INTERVAL_S: Final = 120.0
"""While the link is up the engine polls this rarely: pushes say when to pull; these polls
only catch a lost push (a linked idle till makes 0.6 HTTP requests a minute)."""


class LinkedEngine(Protocol):
    """What the link needs of the sync engine (`pos_desktop.sync.engine.SyncEngine`)."""

    client: SyncClient
    database: Database

    @property
    def state(self) -> Any: ...

    def wake(self, *, catalog: bool = False, ready: bool = False) -> None: ...

    def link_up(self) -> None: ...

    def link_alive(self) -> None: ...

    def link_down(self) -> None: ...

    def link_refused(self, reason: str) -> None: ...


class LinkHung(Exception):
    """A ping stayed unanswered for `hang_s`: the server (or the path to it) hangs."""


def link_socket_url(server_url: str, tenant_slug: str) -> str:
    """`ws(s)://host/ws/<tenant>/link/` from the server's http(s) address."""
    url = httpx.URL(server_url.rstrip("/") + f"/ws/{quote(tenant_slug)}/link/")
    return str(url.copy_with(scheme="wss" if url.scheme == "https" else "ws"))


class TillLink:
    """Keeps the till's link open from a daemon thread until `stop()`."""

    def __init__(
        self,
        engine: LinkedEngine,
        *,
        heartbeat_s: float = LINK_HEARTBEAT_S,
        hang_s: float = LINK_HANG_S,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.heartbeat_s = heartbeat_s
        self.hang_s = hang_s
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self._rng = rng or random.Random()
        self._clock = clock
        self._stop = threading.Event()
        self._retry = threading.Event()
        self._thread: threading.Thread | None = None
        self._socket: ClientConnection | None = None
        self.connections = 0
        """Sockets opened so far (tests and benchmarks read it)."""
        self.pushes: Counter[str] = Counter()
        """Pushes received, by type."""
        self.up = False

    @property
    def url(self) -> str:
        client = self.engine.client
        return link_socket_url(client.server_url, client.tenant_slug)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="till-link", daemon=True)
        self._thread.start()

    def retry_now(self) -> None:
        """Cut the reconnect delay short: the engine heard the server answer again."""
        self._retry.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._retry.set()
        socket = self._socket
        if socket is not None:
            socket.close()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    # --- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            refused = False
            try:
                self._session()
                attempt = 0  # it was up: the next try starts from the base delay
            except DeviceNotAuthorized as exc:
                refused = True
                self.engine.link_refused(str(exc))
            except LinkHung:
                log.info("link hung: no answer to a ping in %.0f s", self.hang_s)
            except (OSError, WebSocketException, TimeoutError, ValidationError) as exc:
                log.info("link down: %r", exc)
            except Exception:  # a bug must not end the link for good
                log.exception("link session failed")
            finally:
                self._socket = None
                if self.up:
                    self.up = False
                    self.engine.link_down()
            if self._stop.is_set():
                break
            delay = full_jitter_delay(
                attempt, base_s=self.backoff_base_s, cap_s=self.backoff_cap_s, rng=self._rng
            )
            attempt += 1
            if self._retry.wait(REFUSED_RETRY_S if refused else delay) and not refused:
                attempt = 0  # the server is back: start the backoff afresh
            self._retry.clear()

    def _session(self) -> None:
        """Open the socket (refreshing the token once if refused), then serve it until it ends."""
        client = self.engine.client
        token = client.tokens.access_token() or client.refresh()
        for attempt in range(2):
            try:
                socket = connect(
                    self.url,
                    additional_headers={"Authorization": f"Bearer {token}"},
                    open_timeout=5,
                    close_timeout=1,
                    ping_interval=None,  # our own pings, timed by the heartbeat below
                    proxy=None,
                )
            except InvalidStatus as exc:
                if exc.response.status_code not in (401, 403) or attempt:
                    if exc.response.status_code in (401, 403):
                        raise DeviceNotAuthorized("the server refuses this till's link") from exc
                    raise
                token = client.refresh(stale=token)  # DeviceNotAuthorized when refused too
                continue
            with socket:
                self._socket = socket
                if self._stop.is_set():
                    return
                self.connections += 1
                self._serve(socket)
            return

    def _serve(self, socket: ClientConnection) -> None:
        welcome = SERVER_MESSAGE.validate_json(socket.recv(timeout=5))
        if not isinstance(welcome, LinkWelcomeV1):
            raise WebSocketException(f"expected welcome, got {welcome.type}")
        status_every_s = float(welcome.status_every_s)
        self.up = True
        self.engine.link_up()
        sent_status = self._send_status(socket)
        status_at = self._clock()
        pinged_at, pong = self._clock(), socket.ping()
        alive_noted = False
        # Pull until the newest pushed version; a till with no catalog yet until it has one.
        catalog_target = max(welcome.catalog_version, int(self.engine.state.catalog_version == 0))
        catalog_tries, catalog_retry_at = 0, self._clock() + CATALOG_RETRY_S
        while not self._stop.is_set():
            now = self._clock()
            if pong.is_set():
                if not alive_noted:
                    self.engine.link_alive()
                    alive_noted = True
                if now - pinged_at >= self.heartbeat_s:
                    pinged_at, pong, alive_noted = now, socket.ping(), False
            elif now - pinged_at > self.hang_s:
                raise LinkHung()
            if now - status_at >= status_every_s or (
                now - status_at >= STATUS_MIN_GAP_S and self._status_key() != sent_status
            ):
                sent_status, status_at = self._send_status(socket), now
            state = self.engine.state
            if (
                catalog_target
                and state.catalog_version < catalog_target
                and now >= catalog_retry_at
                and (catalog_tries < CATALOG_RETRIES or state.catalog_version == 0)
            ):  # a till with no catalog at all cannot sell: it keeps asking
                catalog_retry_at = now + min(
                    CATALOG_RETRY_CAP_S, CATALOG_RETRY_S * 2**catalog_tries
                )
                catalog_tries += 1
                self.engine.wake(catalog=True)
            try:
                raw = socket.recv(timeout=POLL_S)
            except TimeoutError:
                continue
            message = SERVER_MESSAGE.validate_json(raw)
            self.pushes[message.type] += 1
            if isinstance(message, LinkCatalogChangedV1):
                catalog_target = max(catalog_target, message.catalog_version)
                catalog_tries, catalog_retry_at = 0, self._clock() + CATALOG_RETRY_S
                self.engine.wake(catalog=True)
            elif isinstance(message, LinkOrderReadyV1):
                self.engine.wake(ready=True)
            elif isinstance(message, LinkDeviceRevokedV1):
                raise DeviceNotAuthorized(
                    "this till was paired again elsewhere: pair it again"
                    if message.reason == "repaired"
                    else "this till was revoked: a manager must pair it again"
                )
            elif isinstance(message, LinkStatusRequestV1):
                sent_status, status_at = self._send_status(socket), self._clock()

    def _status_key(self) -> tuple[int, int, int]:
        state = self.engine.state
        return (state.pending, state.needs_attention, state.catalog_version)

    def _send_status(self, socket: ClientConnection) -> tuple[int, int, int]:
        """Report the till's status; returns what was reported, to see when it changes."""
        key = self._status_key()
        with UnitOfWork(self.engine.database.session_factory) as uow:
            own = self_report(uow.session)  # as each pushed batch says them (TillStatusV1)
        status = LinkStatusV1(
            app_version=APP_VERSION,
            pending_sales=key[0],
            needs_attention=key[1],
            catalog_version=own.catalog_version,
            last_sale_at=own.last_sale_at,
        )
        socket.send(status.model_dump_json())
        return key
