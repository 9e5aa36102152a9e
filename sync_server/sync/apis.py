"""Device endpoints of sync v1: push orders and events, pull the catalog, ready orders."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from pydantic import BaseModel, ValidationError
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from shared.protocol import (
    MAX_CATALOG_PAGE,
    BatchEnvelopeV1,
    BatchResultV1,
    CatalogPageV1,
    ErrorV1,
    EventBatchV1,
    OrderBatchV1,
    OrderReadyV1,
)
from sync_server.devices.apis import DeviceTenantApi, validation_error_response
from sync_server.sync import feed, selectors, services
from sync_server.sync.device_status import device_seen, device_synced
from sync_server.sync.error_codes import SyncErrorCode
from sync_server.tenants.models import TerminalKind


def _device_clock_offset(request: Request) -> timedelta | None:
    """Terminal clock minus server clock, from an HTTP `Date` header when the terminal sent one."""
    raw = request.headers.get("Date")
    if not raw:
        return None
    try:
        sent = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return sent - timezone.now() if sent.tzinfo else None


def _envelope(request: Request) -> BatchEnvelopeV1 | Response:
    try:
        return BatchEnvelopeV1.model_validate(request.data)
    except ValidationError as error:
        return validation_error_response(error)


class OrderSyncApi(DeviceTenantApi):
    """POST a batch of up to 200 orders -> one result per order (created/duplicate/...)."""

    @extend_schema(
        operation_id="sync_orders",
        request=OrderBatchV1,
        responses={200: BatchResultV1, 400: ErrorV1},
    )
    def post(self, request: Request, tenant_slug: str) -> Response:
        envelope = _envelope(request)
        if isinstance(envelope, Response):
            return envelope
        results = services.order_batch_ingest(
            tenant=self.current_tenant,
            device=self.device,
            raw_orders=envelope.orders,
            device_clock_offset=_device_clock_offset(request),
            note_sync=True,
            till_status=envelope.till_status,
        )
        return Response(BatchResultV1(results=tuple(results)).model_dump(mode="json"))


class EventSyncApi(DeviceTenantApi):
    """POST a batch of shift, cash, void and refund events -> one result per event."""

    @extend_schema(
        operation_id="sync_events",
        request=EventBatchV1,
        responses={200: BatchResultV1, 400: ErrorV1},
    )
    def post(self, request: Request, tenant_slug: str) -> Response:
        envelope = _envelope(request)
        if isinstance(envelope, Response):
            return envelope
        results = services.event_batch_ingest(
            tenant=self.current_tenant, device=self.device, raw_events=envelope.events
        )
        device_synced(
            tenant=self.current_tenant, device=self.device, till_status=envelope.till_status
        )
        return Response(BatchResultV1(results=tuple(results)).model_dump(mode="json"))


class CatalogFeedApi(DeviceTenantApi):
    """GET ?since=<cursor>&limit=<n> -> CatalogPageV1 (terminals and kitchen screens)."""

    device_kinds = frozenset({TerminalKind.TERMINAL, TerminalKind.KITCHEN})

    class FilterSerializer(serializers.Serializer[Any]):
        since = serializers.CharField(required=False, allow_blank=True, max_length=200)
        limit = serializers.IntegerField(
            required=False, min_value=1, max_value=MAX_CATALOG_PAGE, default=feed.DEFAULT_PAGE
        )

    @extend_schema(
        operation_id="sync_catalog",
        parameters=[FilterSerializer],
        responses={200: CatalogPageV1, 400: ErrorV1},
    )
    def get(self, request: Request, tenant_slug: str) -> Response:
        device_seen(tenant=self.current_tenant, device=self.device)
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            page = feed.catalog_page(
                tenant=self.current_tenant,
                device=self.device,
                since=query.validated_data.get("since", ""),
                limit=query.validated_data["limit"],
            )
        except feed.BadCursor as error:
            raise exceptions.ValidationError(
                {"since": [str(error)]}, code=SyncErrorCode.BAD_CURSOR
            ) from error
        return Response(page.model_dump(mode="json"))


class ReadyOrdersV1(BaseModel):
    """The answer of `sync/ready/` (documentation only; built as a plain dict)."""

    protocol_version: int = 1
    orders: list[OrderReadyV1]
    server_time: str


class ReadyOrdersApi(DeviceTenantApi):
    """GET ?since=<ISO time> -> this terminal's orders the kitchen finished since then."""

    class FilterSerializer(serializers.Serializer[Any]):
        since = serializers.DateTimeField(required=False)

    @extend_schema(
        operation_id="sync_ready",
        parameters=[FilterSerializer],
        responses={200: ReadyOrdersV1},
    )
    def get(self, request: Request, tenant_slug: str) -> Response:
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        since: datetime | None = query.validated_data.get("since")
        ready = selectors.orders_ready_for_terminal(
            tenant=self.current_tenant, device=self.device, since=since
        )
        return Response(
            {
                "protocol_version": 1,
                "orders": [item.model_dump(mode="json") for item in ready],
                "server_time": timezone.now().isoformat(),
            }
        )


class DevicePingV1(BaseModel):
    """The answer of `sync/ping/` (documentation only; built as a plain dict)."""

    protocol_version: int = 1
    device_kind: str
    server_time: str


class DevicePingApi(DeviceTenantApi):
    """GET -> a few bytes once the device token is checked: a till's "am I online?" probe.

    Cheap on purpose (the token check, and at most every 30 s a `last_seen_at` write, are its
    only queries): tills ask every few seconds, and
    "online" means an authenticated request was answered, not that a TCP port accepted.
    """

    device_kinds = frozenset({TerminalKind.TERMINAL, TerminalKind.KITCHEN})

    @extend_schema(operation_id="sync_ping", responses={200: DevicePingV1})
    def get(self, request: Request, tenant_slug: str) -> Response:
        device_seen(tenant=self.current_tenant, device=self.device)
        return Response(
            {
                "protocol_version": 1,
                "device_kind": self.device.kind,
                "server_time": timezone.now().isoformat(),
            }
        )
