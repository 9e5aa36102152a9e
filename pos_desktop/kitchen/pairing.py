"""Pairing a kitchen screen with the cloud, and keeping its access token fresh.

The refresh token lives in the OS keyring (`pos_desktop.credentials`, shared with the terminal);
only non-secret facts (server, tenant, outlet, device id, station) go to `kitchen.json` in the
data folder. HTTP calls (pair, refresh, catalog page) are the terminal's own sync client; a
refresh rotates the pair, which is saved before anything else happens.
"""

from __future__ import annotations

import json
import platform
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

import httpx

from pos_desktop.credentials import DeviceCredentials
from pos_desktop.kitchen.client import NOT_AUTHORISED
from pos_desktop.sync.client import (
    DeviceNotAuthorized,
    RejectedError,
    SyncClient,
    SyncError,
    pair,
)
from shared.protocol import CatalogPageV1, OutletV1

CONFIG_FILE: Final = "kitchen.json"


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


def pair_kitchen(
    *,
    data_dir: Path,
    server_url: str,
    code: str,
    station: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> KitchenDevice:
    """Trade a one-time pairing code for device credentials; refuse a code made for a terminal."""
    try:
        paired = pair(
            server_url.rstrip("/"),
            code,
            device_name=platform.node()[:120],
            device_kind="kitchen",
            transport=transport,
        )
    except RejectedError as exc:  # e.g. a till's code: the server names the right app
        raise PairingError(f"pairing refused: {exc.reason}") from exc
    except SyncError as exc:
        raise PairingError(f"pairing failed: {exc}") from exc
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
    """Hands out the current access token; `refresh()` rotates the pair stored in the keyring.

    Called from the socket thread and the start-up thread, so calls are serialised by a lock.
    """

    def __init__(
        self,
        *,
        data_dir: Path,
        device: KitchenDevice,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._credentials = DeviceCredentials(data_dir)
        self._http = SyncClient(
            device.server_url, device.tenant_slug, self._credentials, transport=transport
        )
        self._lock = threading.Lock()

    def access_token(self) -> str:
        """The stored token (it may have expired: the socket's 401/403 then asks `refresh`)."""
        with self._lock:
            return self._credentials.access_token() or self._refresh_locked()

    def refresh(self) -> None:
        with self._lock:
            self._refresh_locked()

    def _refresh_locked(self) -> str:
        try:
            return self._http.refresh()
        except DeviceNotAuthorized as exc:  # revoked or paired again: no retry will help
            raise PairingError(NOT_AUTHORISED) from exc
        except SyncError as exc:
            raise PairingError(f"the access token could not be renewed: {exc}") from exc

    def catalog_page(self, since: str, limit: int) -> CatalogPageV1:
        with self._lock:
            try:
                return self._http.catalog_page(since, limit)
            except SyncError as exc:
                raise PairingError(f"catalog not loaded: {exc}") from exc


def fetch_outlet_settings(
    *, device: KitchenDevice, tokens: TokenKeeper, max_pages: int = 20
) -> OutletV1 | None:
    """This screen's outlet from the catalog feed (for its timer colours); None if not found.

    The screen reads only the outlet row and stops at the first page holding it, so a large
    catalog costs a few pages at start-up at most.
    """
    cursor = ""
    for _ in range(max_pages):
        page = tokens.catalog_page(cursor, 1000)
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
