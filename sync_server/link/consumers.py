"""The till link socket: `/ws/<tenant_slug>/link/`, one per paired device.

The consumer holds no timer and reads the database only when the till reports its status or
a revocation nudge arrives, so thousands of idle links cost the server little; the till's
WebSocket pings (answered by the ASGI server) keep its online light honest.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone
from pydantic import ValidationError

from shared.protocol import OrderReadyV1
from shared.protocol_link import (
    LinkCatalogChangedV1,
    LinkDeviceRevokedV1,
    LinkOrderReadyV1,
    LinkStatusRequestV1,
    LinkStatusV1,
    LinkWelcomeV1,
)
from sync_server.common.request_log import note_request
from sync_server.devices.auth import Device
from sync_server.kitchen.consumers import _socket_token
from sync_server.link import presence, push
from sync_server.link.services import link_device, link_device_live, link_status_record

log = logging.getLogger("kiosk.link")

CLOSE_FORBIDDEN: Final = 4403
CLOSE_BAD_MESSAGE: Final = 4400
CLOSE_REVOKED: Final = 4401


def _device(scope: dict[str, Any], tenant_slug: str) -> tuple[Device, int] | None:
    """The socket's live device and the tenant's newest pushed catalog version, or None."""
    device = link_device(raw_token=_socket_token(scope), tenant_slug=tenant_slug)
    return None if device is None else (device, push.pushed_catalog_version(device.tenant_id))


class TillLinkConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """One paired device's link."""

    device: Device
    joined: list[str]

    async def connect(self) -> None:
        self.joined = []
        tenant_slug = self.scope["url_route"]["kwargs"]["tenant_slug"]
        found = await database_sync_to_async(_device)(self.scope, tenant_slug)
        if found is None:
            await self.close(code=CLOSE_FORBIDDEN)  # before accept: the handshake gets a 403
            return
        self.device = device = found[0]
        note_request(self.scope, tenant=device.tenant_slug, device=str(device.terminal_id))
        self.joined = [push.device_group(device.terminal_id), push.tenant_group(device.tenant_id)]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        welcome = LinkWelcomeV1(
            terminal_id=device.terminal_id, server_time=timezone.now(), catalog_version=found[1]
        )
        await self.send(text_data=welcome.model_dump_json())
        await presence.socket_opened(device.terminal_id, self.channel_name)

    async def disconnect(self, code: int) -> None:
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.joined:
            await presence.socket_closed(self.device.terminal_id, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            status = LinkStatusV1.model_validate_json(text_data or bytes_data or b"")
        except ValidationError:
            await self.close(code=CLOSE_BAD_MESSAGE)
            return
        live = await database_sync_to_async(link_status_record)(device=self.device, status=status)
        if not live:
            await self._revoked("revoked")
            return
        await presence.socket_opened(self.device.terminal_id, self.channel_name)  # renewed

    async def _revoked(self, reason: str) -> None:
        message = LinkDeviceRevokedV1(reason="repaired" if reason == "repaired" else "revoked")
        await self.send(text_data=message.model_dump_json())
        await self.close(code=CLOSE_REVOKED)

    # --- pushes (group messages, sent after commits) ---

    async def link_catalog(self, event: dict[str, Any]) -> None:
        message = LinkCatalogChangedV1(catalog_version=int(event["catalog_version"]))
        await self.send(text_data=message.model_dump_json())

    async def link_ready(self, event: dict[str, Any]) -> None:
        order = OrderReadyV1.model_validate(event["order"])
        await self.send(text_data=LinkOrderReadyV1(order=order).model_dump_json())

    async def link_revoked(self, event: dict[str, Any]) -> None:
        # Paired again: the new pairing's own link (if already open) stays.
        if not await database_sync_to_async(link_device_live)(device=self.device):
            await self._revoked(str(event.get("reason", "revoked")))

    async def link_status_request(self, event: dict[str, Any]) -> None:
        await self.send(text_data=LinkStatusRequestV1().model_dump_json())
