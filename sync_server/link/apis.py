"""HTTP face of the link: a one-use socket ticket for devices, and "report your status"."""

from __future__ import annotations

import uuid
from typing import ClassVar

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from sync_server.common.apis import TenantApi
from sync_server.devices.apis import DeviceTenantApi
from sync_server.kitchen.apis import SocketTicketOutput
from sync_server.kitchen.auth import SOCKET_TICKET_LIFETIME_S, socket_ticket_issue
from sync_server.link import push
from sync_server.tenants.models import Terminal, TerminalKind


@extend_schema_view(
    post=extend_schema(
        operation_id="link_socket_ticket", request=None, responses={201: SocketTicketOutput}
    )
)
class LinkSocketTicketApi(DeviceTenantApi):
    """POST `link/socket-ticket/`: a single-use ticket that opens one link socket within 30 s
    as this device (`ws .../ws/<tenant>/link/?ticket=...`), for clients that cannot send an
    Authorization header on a WebSocket; the socket still checks the device and its tenant."""

    device_kinds = frozenset({TerminalKind.TERMINAL, TerminalKind.KITCHEN})

    def post(self, request: Request, tenant_slug: str) -> Response:
        ticket = socket_ticket_issue(raw_token=str(request.auth))
        body = {"ticket": ticket, "expires_in": SOCKET_TICKET_LIFETIME_S}
        return Response(SocketTicketOutput(body).data, status=201)


@extend_schema_view(
    post=extend_schema(operation_id="link_status_request", request=None, responses={202: None})
)
class StatusRequestApi(TenantApi):
    """POST `link/terminals/<id>/status-request/`: ask the terminal, if linked, to report its
    status now (it lands on the sync health page); 202 whether or not it is linked. Whoever
    may see the terminal may ask (as on the back office's sync health page): it changes
    nothing stored."""

    resource = "terminals"
    method_actions: ClassVar[dict[str, str]] = {"POST": "retrieve"}

    def post(self, request: Request, tenant_slug: str, pk: uuid.UUID) -> Response:
        if not Terminal.objects.filter(id=pk).exists():
            raise exceptions.NotFound("no such terminal")
        push.status_request(pk)
        return Response(status=202)
