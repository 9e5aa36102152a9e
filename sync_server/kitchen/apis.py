"""HTTP face of the kitchen: the same idempotent actions as the socket, and the ticket list
for the kitchen-speed report. Views validate, call one service or selector, serialise."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.protocol import KitchenTicketV1
from sync_server.accounts.models import User
from sync_server.common.apis import TenantAccess, TenantApi
from sync_server.common.pagination import StandardPagination
from sync_server.devices.auth import Device
from sync_server.kitchen import schema as _schema  # noqa: F401  (registers the auth scheme)
from sync_server.kitchen.auth import (
    KITCHEN_ROLES,
    SOCKET_TICKET_LIFETIME_S,
    KitchenJWTAuthentication,
    socket_ticket_issue,
)
from sync_server.kitchen.error_codes import KitchenErrorCode
from sync_server.kitchen.models import KitchenTicket, TicketStatus
from sync_server.kitchen.selectors import kitchen_speed, kitchen_ticket_list, kitchen_ticket_wire
from sync_server.kitchen.services import kitchen_ticket_act, kitchen_ticket_recall_last
from sync_server.tenants.models import TerminalKind

ACTIONS: frozenset[str] = frozenset({"start", "bump", "recall", "bump_item"})


class KitchenAccess(BasePermission):
    """A kitchen screen of this tenant, or a kitchen-capable user of it (TenantAccess rules)."""

    message = "your role may not work the kitchen"

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if isinstance(user, Device):
            tenant = getattr(view, "tenant", None)
            if tenant is None or user.tenant_id != tenant.id:
                raise exceptions.PermissionDenied(
                    "this is not your tenant", code=KitchenErrorCode.TENANT_MISMATCH
                )
            return user.kind == TerminalKind.KITCHEN
        if not TenantAccess().has_permission(request, view):
            return False
        return isinstance(user, User) and user.role in KITCHEN_ROLES


class KitchenApi(TenantApi):
    authentication_classes = [KitchenJWTAuthentication]
    permission_classes = [IsAuthenticated, KitchenAccess]

    def outlet_limit(self) -> uuid.UUID | None:
        """A device, or a user bound to an outlet, works only that outlet's tickets."""
        user = self.request.user
        if isinstance(user, Device):
            return user.outlet_id
        return user.outlet_id if isinstance(user, User) else None


class TicketActionInput(serializers.Serializer[Any]):
    request_id = serializers.UUIDField(required=False, allow_null=True)
    line_id = serializers.UUIDField(required=False, allow_null=True)


class RecallLastInput(serializers.Serializer[Any]):
    request_id = serializers.UUIDField(required=False, allow_null=True)
    station = serializers.RegexField(r"^[A-Za-z0-9_.-]{1,40}$", required=False)


class TicketFilter(serializers.Serializer[Any]):
    outlet = serializers.UUIDField(required=False)
    station = serializers.CharField(required=False, max_length=40)
    status = serializers.ChoiceField(choices=TicketStatus.choices, required=False)
    created_from = serializers.DateTimeField(required=False)
    created_to = serializers.DateTimeField(required=False)


class TicketRow(serializers.ModelSerializer[KitchenTicket]):
    """A row of the kitchen-speed report."""

    outlet_id = serializers.UUIDField()
    prep_seconds = serializers.SerializerMethodField()

    class Meta:
        model = KitchenTicket
        fields = [
            "id",
            "order_id",
            "outlet_id",
            "receipt_number",
            "station",
            "sequence",
            "status",
            "already_printed",
            "created_at",
            "started_at",
            "done_at",
            "prep_seconds",
        ]

    def get_prep_seconds(self, ticket: KitchenTicket) -> int | None:
        """Seconds from the ticket reaching the kitchen to its bump (None while open)."""
        if ticket.done_at is None:
            return None
        return int((ticket.done_at - ticket.created_at).total_seconds())


@extend_schema_view(
    post=extend_schema(
        operation_id="kitchen_ticket_action",
        request=TicketActionInput,
        responses=KitchenTicketV1,
        description="start, bump, recall or bump_item; idempotent by request_id and by state",
    )
)
class TicketActionApi(KitchenApi):
    """POST `kitchen/tickets/<id>/<action>/` with optional `request_id` (and `line_id` for
    bump_item): the ticket as it now stands. Repeating a request id changes nothing twice."""

    InputSerializer = TicketActionInput

    def post(self, request: Request, tenant_slug: str, pk: uuid.UUID, action: str) -> Response:
        if action not in ACTIONS:
            raise exceptions.NotFound("no such kitchen action")
        body = self.InputSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        if action == "bump_item" and not body.validated_data.get("line_id"):
            raise exceptions.ValidationError({"line_id": ["line_id is required for bump_item"]})
        ticket = kitchen_ticket_act(
            tenant=self.current_tenant,
            ticket_id=pk,
            action=action,
            request_id=body.validated_data.get("request_id"),
            line_id=body.validated_data.get("line_id"),
            outlet_id=self.outlet_limit(),
        )
        return Response(kitchen_ticket_wire(ticket).model_dump(mode="json"))


@extend_schema_view(
    post=extend_schema(
        operation_id="kitchen_recall_last", request=RecallLastInput, responses=KitchenTicketV1
    )
)
class RecallLastApi(KitchenApi):
    """POST `kitchen/outlets/<outlet_id>/recall/` (`station` optional): undo the last bump."""

    InputSerializer = RecallLastInput

    def post(self, request: Request, tenant_slug: str, outlet_id: uuid.UUID) -> Response:
        body = self.InputSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        limit = self.outlet_limit()
        if limit is not None and limit != outlet_id:
            raise exceptions.NotFound("no such outlet")
        ticket = kitchen_ticket_recall_last(
            tenant=self.current_tenant,
            outlet_id=outlet_id,
            station=body.validated_data.get("station"),
            request_id=body.validated_data.get("request_id"),
        )
        return Response(kitchen_ticket_wire(ticket).model_dump(mode="json"))


@extend_schema_view(
    get=extend_schema(
        operation_id="kitchen_ticket_list",
        parameters=[TicketFilter],
        responses=TicketRow(many=True),
    )
)
class TicketListApi(KitchenApi):
    """GET `kitchen/tickets/`: a page of tickets with their times, for the kitchen-speed report."""

    pagination_class = StandardPagination  # the schema then describes the page object
    FilterSerializer = TicketFilter
    OutputSerializer = TicketRow

    def get(self, request: Request, tenant_slug: str) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        limit = self.outlet_limit()
        outlet = filters.validated_data.get("outlet")
        if limit is not None and outlet not in (None, limit):
            raise exceptions.PermissionDenied(
                "not your outlet", code=KitchenErrorCode.OUTLET_MISMATCH
            )
        tickets = kitchen_ticket_list(
            tenant=self.current_tenant,
            outlet_id=outlet or limit,
            station=filters.validated_data.get("station", ""),
            status=filters.validated_data.get("status", ""),
            created_from=filters.validated_data.get("created_from"),
            created_to=filters.validated_data.get("created_to"),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(tickets, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class SpeedRow(serializers.Serializer[Any]):
    station = serializers.CharField()
    done = serializers.IntegerField()
    open = serializers.IntegerField()
    median_prep_seconds = serializers.IntegerField(allow_null=True)
    p90_prep_seconds = serializers.IntegerField(allow_null=True)


class SpeedFilter(serializers.Serializer[Any]):
    outlet = serializers.UUIDField(required=False)
    created_from = serializers.DateTimeField(required=False)
    created_to = serializers.DateTimeField(required=False)


@extend_schema_view(
    get=extend_schema(
        operation_id="kitchen_speed", parameters=[SpeedFilter], responses=SpeedRow(many=True)
    )
)
class SpeedApi(KitchenApi):
    """GET `kitchen/speed/`: per station, tickets bumped and open, median and p90 prep time."""

    def get(self, request: Request, tenant_slug: str) -> Response:
        filters = SpeedFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        limit = self.outlet_limit()
        outlet = filters.validated_data.get("outlet")
        if limit is not None and outlet not in (None, limit):
            raise exceptions.PermissionDenied(
                "not your outlet", code=KitchenErrorCode.OUTLET_MISMATCH
            )
        rows = kitchen_speed(
            tenant=self.current_tenant,
            outlet_id=outlet or limit,
            created_from=filters.validated_data.get("created_from"),
            created_to=filters.validated_data.get("created_to"),
        )
        return Response(SpeedRow([asdict(row) for row in rows], many=True).data)


class SocketTicketOutput(serializers.Serializer[Any]):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="seconds the ticket stays redeemable")


@extend_schema_view(
    post=extend_schema(
        operation_id="kitchen_socket_ticket", request=None, responses={201: SocketTicketOutput}
    )
)
class SocketTicketApi(KitchenApi):
    """POST `kitchen/socket-ticket/`: a single-use ticket that opens one kitchen socket within
    30 s as the caller (`ws .../kitchen/<outlet>/?ticket=...`), for clients that cannot send
    an Authorization header on a WebSocket; the socket still checks tenant, outlet and role."""

    def post(self, request: Request, tenant_slug: str) -> Response:
        ticket = socket_ticket_issue(raw_token=str(request.auth))
        body = {"ticket": ticket, "expires_in": SOCKET_TICKET_LIFETIME_S}
        return Response(SocketTicketOutput(body).data, status=201)
