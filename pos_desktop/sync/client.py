"""HTTP client of sync protocol v1 (httpx): pairing, token refresh, pushes, catalog pages."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from pos_desktop.config import APP_VERSION, DEFAULT_SYNC, SyncSettings
from pos_desktop.ids import utcnow
from pos_desktop.retry import parse_retry_after
from shared.protocol import (
    BatchResultV1,
    CatalogPageV1,
    DeviceKind,
    ErrorV1,
    EventBatchV1,
    OrderBatchV1,
    OrderReadyV1,
    PairRequestV1,
    PairResponseV1,
    TokenPairV1,
    TokenRefreshV1,
)

TRANSIENT_STATUSES = frozenset({408, 429})
M = TypeVar("M", bound=BaseModel)


class ReadyOrdersPage(BaseModel):
    """The answer of `GET sync/ready/`: this terminal's orders the kitchen finished."""

    orders: tuple[OrderReadyV1, ...] = ()
    server_time: datetime


class SyncError(Exception):
    """Base of what the client raises; the engine decides what each means for the queue."""


class TransientError(SyncError):
    """Try again later: the link or the server is down or busy.

    `offline` means no answer came at all (refused, unreachable, timed out, cut off); an HTTP
    status (5xx, 408, 429) is an answer, so the server is there, only busy or broken.
    """

    def __init__(self, message: str, *, offline: bool, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.offline = offline
        self.retry_after_s = retry_after_s


class RejectedError(SyncError):
    """The server refused the request itself (a 4xx other than 401/408/429)."""

    def __init__(self, status_code: int, error: ErrorV1 | None, text: str) -> None:
        detail = error.message if error else text[:200]
        super().__init__(f"HTTP {status_code}: {detail}")
        self.status_code = status_code
        self.error = error
        self.reason = detail or f"HTTP {status_code}"
        """The server's own words, for a person (the status code left to the logs)."""


class DeviceNotAuthorized(SyncError):
    """The server refuses this device's credentials (revoked, removed, paired again elsewhere):
    it must be paired again by a manager."""


class TokenStore(Protocol):
    """Where tokens live (the OS keyring in production, memory in tests)."""

    def refresh_token(self) -> str | None: ...

    def access_token(self) -> str | None: ...

    def store_tokens(self, *, access: str, refresh: str) -> None: ...


def _timeout(settings: SyncSettings) -> httpx.Timeout:
    return httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s)


def _error_body(response: httpx.Response) -> ErrorV1 | None:
    try:
        return ErrorV1.model_validate_json(response.content)
    except ValidationError:
        return None


def _raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    if status >= 500 or status in TRANSIENT_STATUSES:
        retry_after = parse_retry_after(response.headers.get("Retry-After"), utcnow())
        raise TransientError(f"HTTP {status}", offline=False, retry_after_s=retry_after)
    raise RejectedError(status, _error_body(response), response.text)


def _parse(model: type[M], response: httpx.Response) -> M:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        # A 2xx we cannot read is the server's bug; nothing is acknowledged, try later.
        raise TransientError(f"unreadable {model.__name__}: {exc}", offline=False) from exc


def _send(client: httpx.Client, request: httpx.Request) -> httpx.Response:
    try:
        return client.send(request)
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        # A hung server (accepting connections, never answering) is as offline as a dead one.
        raise TransientError(f"{type(exc).__name__}: {exc}", offline=True) from exc


def pair(
    server_url: str,
    code: str,
    *,
    device_name: str = "",
    device_kind: DeviceKind | None = None,
    settings: SyncSettings = DEFAULT_SYNC,
    transport: httpx.BaseTransport | None = None,
) -> PairResponseV1:
    """Exchange a one-time pairing code for this device's identity and tokens.

    `device_kind` says which app asks, so the server refuses (and leaves unspent) a code that
    was made for the other app.
    """
    body = PairRequestV1(
        code=code, device_name=device_name, app_version=APP_VERSION, device_kind=device_kind
    )
    with httpx.Client(base_url=server_url, timeout=_timeout(settings), transport=transport) as c:
        request = c.build_request(
            "POST",
            "/api/pair/",
            content=body.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )
        response = _send(c, request)
        _raise_for_status(response)
        return _parse(PairResponseV1, response)


class SyncClient:
    """Authenticated calls for one paired terminal; a 401 refreshes the token once and retries."""

    def __init__(
        self,
        server_url: str,
        tenant_slug: str,
        tokens: TokenStore,
        *,
        settings: SyncSettings = DEFAULT_SYNC,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.server_url = server_url
        self.tenant_slug = tenant_slug
        self.tokens = tokens
        self.settings = settings
        self._transport = transport
        self._http = httpx.Client(
            base_url=server_url, timeout=_timeout(settings), transport=transport
        )
        self._refreshing = threading.Lock()  # the probe and a pass may both meet a 401

    def at(self, server_url: str) -> SyncClient:
        """The same terminal's client talking to another address (the manager moved it)."""
        return SyncClient(
            server_url,
            self.tenant_slug,
            self.tokens,
            settings=self.settings,
            transport=self._transport,
        )

    def close(self) -> None:
        self._http.close()

    def refresh(self, *, stale: str | None = None, timeout: float | None = None) -> str:
        """Rotate the token pair and store it before using it (the old refresh is now dead).

        `stale` is the access token the server just refused: when another thread already
        rotated past it, its new token is used instead of spending the refresh token twice.
        """
        with self._refreshing:
            current = self.tokens.access_token()
            if stale is not None and current and current != stale:
                return current
            refresh = self.tokens.refresh_token()
            if not refresh:
                raise DeviceNotAuthorized("this device has no device token; pair it first")
            request = self._http.build_request(
                "POST",
                "/api/auth/token/refresh/",
                content=TokenRefreshV1(refresh=refresh).model_dump_json(),
                headers={"Content-Type": "application/json"},
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
            response = _send(self._http, request)
            if response.status_code in (400, 401, 403):
                raise DeviceNotAuthorized(f"token refresh refused: HTTP {response.status_code}")
            _raise_for_status(response)
            pair_ = _parse(TokenPairV1, response)
            self.tokens.store_tokens(access=pair_.access, refresh=pair_.refresh)
            return pair_.access

    def _authorized(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        params: Any = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        access = self.tokens.access_token() or self.refresh(timeout=timeout)
        for attempt in range(2):
            request = self._http.build_request(
                method,
                path,
                params=params,
                content=body.model_dump_json() if body is not None else None,
                headers={
                    "Authorization": f"Bearer {access}",
                    "Content-Type": "application/json",
                },
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
            response = _send(self._http, request)
            if response.status_code == 401 and attempt == 0:
                access = self.refresh(stale=access, timeout=timeout)
                continue
            if response.status_code == 401:
                raise DeviceNotAuthorized("the server refused a freshly refreshed token")
            _raise_for_status(response)
            return response
        raise AssertionError("unreachable")

    def push_orders(self, batch: OrderBatchV1) -> BatchResultV1:
        """POST a batch of orders; one result per order, in order."""
        path = f"/api/{self.tenant_slug}/sync/orders/"
        return _parse(BatchResultV1, self._authorized("POST", path, body=batch))

    def push_events(self, batch: EventBatchV1) -> BatchResultV1:
        """POST a batch of shift, cash, void and refund events."""
        path = f"/api/{self.tenant_slug}/sync/events/"
        return _parse(BatchResultV1, self._authorized("POST", path, body=batch))

    def catalog_page(self, since: str, limit: int) -> CatalogPageV1:
        """One page of the catalog change feed after the opaque cursor `since`."""
        path = f"/api/{self.tenant_slug}/sync/catalog/"
        params = {"since": since, "limit": limit}
        return _parse(CatalogPageV1, self._authorized("GET", path, params=params))

    def ready_orders(self, since: str | None) -> ReadyOrdersPage:
        """Orders of this terminal every station bumped after `since` (a server time, ISO)."""
        path = f"/api/{self.tenant_slug}/sync/ready/"
        params = {"since": since} if since else None
        return _parse(ReadyOrdersPage, self._authorized("GET", path, params=params))

    def receipt_logo(self, path: str, max_bytes: int) -> bytes:
        """The tenant's receipt logo at `path` (from the feed's tenant settings): PNG bytes.

        An answer that is not a PNG or is larger than `max_bytes` is the server's bug, not a
        logo: TransientError, so the caller keeps what it has and tries again later.
        """
        answer = self._authorized("GET", path)
        if not answer.headers.get("content-type", "").startswith("image/png"):
            raise TransientError("the receipt logo answer is not a PNG", offline=False)
        if len(answer.content) > max_bytes:
            raise TransientError("the receipt logo is larger than a logo", offline=False)
        return answer.content

    def ping(self, timeout_s: float) -> None:
        """An authenticated request that costs the server one token check: "are we online?".

        Returns when the server answered it; raises TransientError (no answer in `timeout_s`,
        or a 5xx), DeviceNotAuthorized (credentials refused) or RejectedError.
        """
        path = f"/api/{self.tenant_slug}/sync/ping/"
        self._authorized("GET", path, timeout=timeout_s)
