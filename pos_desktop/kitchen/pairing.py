"""Pairing a kitchen screen with the cloud, and keeping its access token fresh.

The refresh token lives in the OS keyring (`pos_desktop.credentials`, shared with the terminal);
only non-secret facts (server, tenant, outlet, device id, station) go to `kitchen.json` in the
data folder. Access tokens are kept in memory and refreshed on demand; the refresh rotates the
refresh token, so the new one is saved before anything else happens.
"""

from __future__ import annotations

import json
import platform
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

import httpx
from pydantic import ValidationError

from pos_desktop.config import APP_VERSION
from pos_desktop.credentials import DeviceCredentials
from shared.protocol import (
    CatalogPageV1,
    ErrorV1,
    OutletV1,
    PairRequestV1,
    PairResponseV1,
    TokenPairV1,
    TokenRefreshV1,
)

CONFIG_FILE: Final = "kitchen.json"
TIMEOUT_S: Final = 10.0


class PairingError(Exception):
    """Pairing or token refresh failed; the message is for the person at the screen."""


@dataclass(frozen=True)
class KitchenDevice:
    """What a paired kitchen screen knows about itself (nothing secret)."""

    server_url: str
    tenant_slug: str
    outlet_id: str
    outlet_code: str
    device_id: str
    station: str | None = None


def config_path(data_dir: Path) -> Path:
    return data_dir / CONFIG_FILE


def load_device(data_dir: Path) -> KitchenDevice | None:
    """The paired device of this data folder, None when it was never paired."""
    path = config_path(data_dir)
    if not path.exists():
        return None
    return KitchenDevice(**json.loads(path.read_text(encoding="utf-8")))


def save_device(data_dir: Path, device: KitchenDevice) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = config_path(data_dir)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(device), indent=2), encoding="utf-8")
    temporary.replace(path)


def _error_text(response: httpx.Response) -> str:
    try:
        error = ErrorV1.model_validate(response.json())
    except (ValueError, ValidationError):
        return f"HTTP {response.status_code}"
    return f"{error.message} ({error.code})"


def pair_kitchen(
    *,
    data_dir: Path,
    server_url: str,
    code: str,
    station: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> KitchenDevice:
    """Trade a one-time pairing code for device credentials; refuse a code made for a terminal."""
    request = PairRequestV1(code=code, device_name=platform.node()[:120], app_version=APP_VERSION)
    with httpx.Client(
        base_url=server_url.rstrip("/"), timeout=TIMEOUT_S, transport=transport
    ) as http:
        try:
            response = http.post("/api/pair/", json=request.model_dump(mode="json"))
        except httpx.HTTPError as exc:
            raise PairingError(f"cannot reach {server_url}: {exc}") from exc
    if response.status_code != 200:
        raise PairingError(f"pairing refused: {_error_text(response)}")
    paired = PairResponseV1.model_validate(response.json())
    if paired.device_kind != "kitchen":
        raise PairingError(
            f"that code pairs a {paired.device_kind}, not a kitchen screen; make a kitchen code"
        )
    DeviceCredentials(data_dir).store_tokens(access=paired.access, refresh=paired.refresh)
    device = KitchenDevice(
        server_url=server_url.rstrip("/"),
        tenant_slug=paired.tenant_slug,
        outlet_id=str(paired.outlet_id),
        outlet_code=paired.outlet_code,
        device_id=str(paired.terminal_id),
        station=station,
    )
    save_device(data_dir, device)
    return device


class TokenKeeper:
    """Hands out the current access token; `refresh()` trades the stored refresh token.

    Called from the socket thread, so the refresh is serialised by a lock.
    """

    def __init__(
        self,
        *,
        data_dir: Path,
        device: KitchenDevice,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._credentials = DeviceCredentials(data_dir)
        self._device = device
        self._transport = transport
        self._access: str | None = None
        self._lock = threading.Lock()

    def access_token(self) -> str:
        with self._lock:
            if self._access is None:
                # The stored token may have expired; the socket's 401/403 then asks refresh().
                self._access = self._credentials.access_token()
            if self._access is None:
                self._refresh_locked()
            assert self._access is not None
            return self._access

    def refresh(self) -> None:
        with self._lock:
            self._refresh_locked()

    def _refresh_locked(self) -> None:
        refresh = self._credentials.refresh_token()
        if refresh is None:
            raise PairingError("this kitchen screen is not paired; run `kiosk-kitchen pair`")
        body = TokenRefreshV1(refresh=refresh).model_dump(mode="json")
        with httpx.Client(
            base_url=self._device.server_url, timeout=TIMEOUT_S, transport=self._transport
        ) as http:
            try:
                response = http.post("/api/auth/token/refresh/", json=body)
            except httpx.HTTPError as exc:
                raise PairingError(f"cannot reach the server: {exc}") from exc
        if response.status_code != 200:
            raise PairingError(f"token refresh refused: {_error_text(response)}")
        tokens = TokenPairV1.model_validate(response.json())
        self._credentials.store_tokens(access=tokens.access, refresh=tokens.refresh)
        self._access = tokens.access


def fetch_outlet_settings(
    *,
    device: KitchenDevice,
    tokens: TokenKeeper,
    max_pages: int = 20,
    transport: httpx.BaseTransport | None = None,
) -> OutletV1 | None:
    """This screen's outlet from the catalog feed (for its timer colours); None if not found.

    The screen reads only the outlet row and stops at the first page holding it, so a large
    catalog costs a few pages at start-up at most.
    """
    cursor = ""
    url = f"/api/{device.tenant_slug}/sync/catalog/"
    with httpx.Client(base_url=device.server_url, timeout=TIMEOUT_S, transport=transport) as http:
        for _ in range(max_pages):
            headers = {"Authorization": f"Bearer {tokens.access_token()}"}
            response = http.get(url, params={"since": cursor, "limit": 1000}, headers=headers)
            if response.status_code == 401:
                tokens.refresh()
                continue
            if response.status_code != 200:
                return None
            page = CatalogPageV1.model_validate(response.json())
            for change in page.changes:
                if change.entity == "outlet" and str(change.id) == device.outlet_id:
                    if change.deleted:
                        return None
                    outlet = change.typed_data()
                    assert isinstance(outlet, OutletV1)
                    return outlet
            if not page.has_more:
                return None
            cursor = page.next_cursor
    return None
