"""The kitchen screen's WebSocket link: its own thread, hello with the last sequence, reconnect.

The client knows nothing of Qt or of the board. It is handed three callables: one that says the
last sequence the screen has (for `hello`), one that lists actions still unacknowledged (resent
after every reconnect with their original request ids, so the server applies each once), and a
sink for parsed server messages. Link state changes go to `on_online`. The UI bridges these to
Qt signals; tests drive the client against a loopback server.

A screen the server refuses (revoked or paired again in the back office, its business suspended:
pushed as `device_revoked` then a 4401 close, or a 401/403 at the handshake) says so in words
and then only looks again every `REFUSED_RETRY_S`, never a reconnect loop.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
from collections.abc import Callable
from typing import Final
from urllib.parse import quote

from pydantic import TypeAdapter, ValidationError
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException
from websockets.sync.client import ClientConnection, connect

from pos_desktop.retry import REFUSED_RETRY_S, Backoff, RetryPolicy
from pos_desktop.sync.client import DeviceNotAuthorized
from shared.protocol import (
    KitchenActionV1,
    KitchenHelloV1,
    KitchenRevokedV1,
    KitchenServerMessageV1,
    KitchenSocketMessageV1,
)
from shared.protocol_link import LINK_HANG_S, LINK_HEARTBEAT_S

log = logging.getLogger(__name__)

SERVER_MESSAGE: Final[TypeAdapter[KitchenSocketMessageV1]] = TypeAdapter(KitchenSocketMessageV1)
POLL_S: Final = 0.05
"""How long one receive waits before the thread looks at its outgoing queue again."""


def kitchen_socket_url(
    server_url: str, tenant_slug: str, outlet_id: str, station: str | None
) -> str:
    """`ws(s)://host/ws/<tenant>/kitchen/<outlet>/?station=<code>` from the server's http(s) URL."""
    base = server_url.rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base[len("https://") :]
    elif base.startswith("http://"):
        base = "ws://" + base[len("http://") :]
    url = f"{base}/ws/{quote(tenant_slug)}/kitchen/{quote(outlet_id)}/"
    return f"{url}?station={quote(station)}" if station else url


class AuthRejected(Exception):
    """The server refused the token (401/403) even after a refresh."""


NOT_AUTHORISED: Final = "This kitchen screen is no longer authorised: pair it again"
"""The link state of a screen whose credentials the server refuses (revoked, paired again)."""
REVOKED_WORDS: Final = {
    "revoked": "This kitchen screen was revoked in the back office: pair it again",
    "repaired": "This kitchen screen was paired again elsewhere: pair it again to use it here",
    "suspended": "This business is suspended: the kitchen screen stays off until it is resumed",
}
"""What a screen says when the server pushes `device_revoked`, by its reason."""
CLOSE_REVOKED: Final = 4401
"""The server's close code after `device_revoked` (`sync_server.kitchen.consumers`)."""
NO_ANSWER: Final = "the server does not answer"
UNREACHABLE: Final = "the server cannot be reached"


def is_refusal(reason: str) -> bool:
    """Whether a link state `reason` is the server refusing the screen (not a network fault)."""
    return reason == NOT_AUTHORISED or reason in REVOKED_WORDS.values()


def credentials_refused(error: BaseException) -> bool:
    """Whether `error` (or what it was raised from) is the server refusing the credentials."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DeviceNotAuthorized):
            return True
        seen = seen.__cause__
    return False


def link_down_words(error: BaseException) -> str:
    """Why the socket is down, in words for the cook (the exception's name goes to the log)."""
    log.info("kitchen link down: %r", error)
    if isinstance(error, TimeoutError):
        return NO_ANSWER
    if isinstance(error, ConnectionRefusedError):
        return UNREACHABLE
    if isinstance(error, OSError):
        return f"{UNREACHABLE} ({error.strerror or 'network error'})"
    return "the connection to the server broke off"


KITCHEN_RECONNECT = RetryPolicy(base_s=0.5, cap_s=30.0)
"""Reconnect pacing: full jitter from half a second doubling up to 30 s, never giving up."""


class KitchenSocketClient:
    """Keeps one WebSocket to the kitchen endpoint open from a daemon thread until `stop()`."""

    def __init__(
        self,
        *,
        url: str,
        access_token: Callable[[], str],
        refresh_token: Callable[[], None],
        last_sequence: Callable[[], int],
        pending_actions: Callable[[], list[KitchenActionV1]],
        on_message: Callable[[KitchenServerMessageV1], None],
        on_online: Callable[[bool, str], None],
        backoff: RetryPolicy | None = None,
        rng: random.Random | None = None,
        refused_retry_s: float = REFUSED_RETRY_S,
    ) -> None:
        self.url = url
        self._access_token = access_token
        self._refresh_token = refresh_token
        self._last_sequence = last_sequence
        self._pending_actions = pending_actions
        self._on_message = on_message
        self._on_online = on_online
        self._backoff = Backoff(backoff or KITCHEN_RECONNECT, rng=rng)
        self._outgoing: queue.Queue[KitchenActionV1] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._refused_retry_s = refused_retry_s
        self.refused: str | None = None
        """Why the server last refused this screen, in words (None while it is accepted)."""
        self.connections = 0
        """How many times a socket was opened: tests read it to see a reconnect happened."""
        self.attempts = 0
        """How many times a socket was tried: a refused screen must not try often."""

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kitchen-socket", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def send(self, action: KitchenActionV1) -> None:
        """Queue an action; it goes out now if online, else with the resend after reconnect."""
        self._outgoing.put(action)

    # --- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        self._backoff.succeeded()
        self._auth_failures = 0
        while not self._stop.is_set():
            self.attempts += 1
            reason = self._one_session()
            if self._stop.is_set():
                break
            if is_refusal(reason):
                # A later plain 401/403 keeps the words of the push that said why.
                self.refused = reason if reason != NOT_AUTHORISED else self.refused or reason
                self._on_online(False, self.refused)
                self._stop.wait(self._refused_retry_s)
                continue
            self._on_online(False, reason)
            self._stop.wait(self._backoff.failed())

    def _one_session(self) -> str:
        """Connect once and serve until the link ends; returns why the screen is offline now."""
        try:
            token = self._access_token()
        except Exception as exc:  # keyring locked, refresh refused, server down: retry later
            if credentials_refused(exc):
                return NOT_AUTHORISED
            return f"no access token: {exc}"
        try:
            with connect(
                self.url,
                additional_headers={"Authorization": f"Bearer {token}"},
                open_timeout=5,
                close_timeout=1,
                # The live link's heartbeat: a hung server drops the socket, and the screen
                # says it is offline, within ping interval + timeout (about 7 s).
                ping_interval=LINK_HEARTBEAT_S,
                ping_timeout=LINK_HANG_S,
                proxy=None,
            ) as socket:
                self._backoff.succeeded()
                self._auth_failures = 0
                self.refused = None
                self.connections += 1
                revoked = self._serve(socket)
            if revoked is not None:
                return REVOKED_WORDS[revoked.reason]
            return "connection closed"
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status not in (401, 403):
                return f"server refused the socket ({status})"
            self._auth_failures += 1
            try:
                self._refresh_token()
            except Exception as refresh_exc:  # the refresh's own failure is only logged
                log.warning("token refresh failed: %s", refresh_exc)
                if credentials_refused(refresh_exc):
                    return NOT_AUTHORISED
            if self._auth_failures > 3:
                return NOT_AUTHORISED
            return f"server refused the socket ({status})"
        except ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code == CLOSE_REVOKED:  # its message was lost
                return REVOKED_WORDS["revoked"]
            return link_down_words(exc)
        except (OSError, WebSocketException, TimeoutError) as exc:
            return link_down_words(exc)

    def _serve(self, socket: ClientConnection) -> KitchenRevokedV1 | None:
        """Say hello, resend what is unacknowledged, then pump both directions until closed;
        returns the server's revocation if it sent one (it closes the socket after it)."""
        socket.send(KitchenHelloV1(last_sequence=self._last_sequence()).model_dump_json())
        while not self._outgoing.empty():  # everything queued is also pending: resent just below
            self._outgoing.get_nowait()
        for action in self._pending_actions():
            socket.send(action.model_dump_json())
        self._on_online(True, "online")
        while not self._stop.is_set():
            try:
                while True:
                    socket.send(self._outgoing.get_nowait().model_dump_json())
            except queue.Empty:
                pass
            try:
                raw = socket.recv(timeout=POLL_S)
            except TimeoutError:
                continue
            try:
                message = SERVER_MESSAGE.validate_json(raw)
            except ValidationError as exc:
                log.warning("ignored a malformed kitchen message: %s", exc.errors()[:1])
                continue
            if isinstance(message, KitchenRevokedV1):
                log.warning("kitchen screen refused by the server: %s", message.reason)
                return message
            self._on_message(message)
        return None
