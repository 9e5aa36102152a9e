"""The live link, v1: the messages of a till's one WebSocket to the cloud (pushes, heartbeats).

Socket: ``/ws/<tenant_slug>/link/`` with the paired device's access token in the
`Authorization: Bearer` header, or ``?ticket=`` from ``POST /api/<tenant>/link/socket-ticket/``
(single use, 30 s) where a client cannot set headers. Never a token in the URL.

The server says `welcome` once the device is checked, then pushes `catalog_changed` (with the
new version), `order_ready`, `device_revoked` (then closes) and `status_request`. The till sends
`status` on connect, when something in it changes and at least every `status_every_s`; its
WebSocket pings, answered by the server, are what keeps the till's online light on.

Pushes are nudges, never the only copy: the catalog feed cursor and the ready cursor stay the
truth, so a lost push costs a delay, never data.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints

from shared.protocol import Count, OrderReadyV1, Version, VersionedPayload

LINK_HEARTBEAT_S: Final = 3.0
"""How often a till pings the server on its link; an unanswered ping for `LINK_HANG_S` is a
hang, so the light goes off within `LINK_HEARTBEAT_S + LINK_HANG_S` (well under 10 s)."""
LINK_HANG_S: Final = 4.0
LINK_STATUS_EVERY_S: Final = 60.0
"""A till reports its status at least this often (the back office calls a device online when
it heard from it in the last two minutes)."""

RevokeReason = Literal["revoked", "repaired"]


class LinkWelcomeV1(VersionedPayload):
    """The device was checked and the link is open; what the server expects of the till."""

    type: Literal["welcome"] = "welcome"
    terminal_id: UUID
    status_every_s: Annotated[int, Field(strict=True, ge=5, le=3600)] = int(LINK_STATUS_EVERY_S)
    server_time: AwareDatetime
    catalog_version: Version = 0
    """The tenant's newest catalog version the server pushed (0: unknown): a till below it
    pulls until it has it, so a change pushed while its link was down is not waited for."""


class LinkCatalogChangedV1(VersionedPayload):
    """A catalog row of the tenant changed: pull the feed now (until `catalog_version`)."""

    type: Literal["catalog_changed"] = "catalog_changed"
    catalog_version: Version


class LinkOrderReadyV1(VersionedPayload):
    """An order this till sold is ready: pull the ready cursor now (the notice is a copy)."""

    type: Literal["order_ready"] = "order_ready"
    order: OrderReadyV1


class LinkDeviceRevokedV1(VersionedPayload):
    """This device's credentials no longer count (revoked, or the terminal paired again): the
    server closes the link after it; only a manager pairing the till again helps."""

    type: Literal["device_revoked"] = "device_revoked"
    reason: RevokeReason


class LinkStatusRequestV1(VersionedPayload):
    """Report your status now (the back office asks)."""

    type: Literal["status_request"] = "status_request"


class LinkStatusV1(VersionedPayload):
    """The till's heartbeat status, kept per device for the back office's sync health."""

    type: Literal["status"] = "status"
    app_version: Annotated[str, StringConstraints(max_length=40)] = ""
    pending_sales: Count = 0
    needs_attention: Count = 0
    last_sale_at: AwareDatetime | None = None
    catalog_version: Version = 0


LinkServerMessageV1 = Annotated[
    LinkWelcomeV1
    | LinkCatalogChangedV1
    | LinkOrderReadyV1
    | LinkDeviceRevokedV1
    | LinkStatusRequestV1,
    Field(discriminator="type"),
]
LinkClientMessageV1 = LinkStatusV1
"""One kind of message goes up today; a new one joins as a discriminated union."""
