"""Ingest of events (shifts, cash movements, customers, voids and refunds): each applied
exactly once, its ledger row and its effect in one transaction; a refusal is its answer."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final

from django.db import IntegrityError
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from shared.protocol import (
    CashMovementV1,
    CustomerCreatedV1,
    ItemResultV1,
    OrderRefundedV1,
    OrderVoidedV1,
    ShiftClosedV1,
    ShiftOpenedV1,
    SyncEventV1,
    WireModel,
    canonical_digest,
    error_from_validation,
)
from sync_server.common.errors import ItemRefused
from sync_server.common.services import insert_if_absent
from sync_server.common.tenancy import tenant_atomic
from sync_server.customers.services import customer_create_from_terminal
from sync_server.devices.auth import Device
from sync_server.orders.models import Order
from sync_server.orders.services import order_refund, order_void
from sync_server.shifts.models import Shift
from sync_server.shifts.services import (
    cash_movement_add,
    shift_close,
    shift_open,
    shift_recount_if_closed,
)
from sync_server.sync.error_codes import SyncErrorCode
from sync_server.sync.models import SyncEvent
from sync_server.sync.results import guarded, item_error, item_id_of, rejected, stored_result
from sync_server.tenants.models import Tenant

log = logging.getLogger("kiosk.sync")

EVENT_ADAPTER: Final[TypeAdapter[Any]] = TypeAdapter(SyncEventV1)


def event_apply(*, tenant: Tenant, device: Device, event: WireModel) -> None:
    """The event's effect; raises ItemRefused (a shift, order or customer event refused)
    to reject it."""
    if isinstance(event, ShiftOpenedV1):
        if event.terminal_id != device.terminal_id or event.outlet_id != device.outlet_id:
            raise ItemRefused(
                "the shift names another terminal",
                code=SyncErrorCode.WRONG_TERMINAL,
                field="terminal_id",
            )
        shift_open(tenant=tenant, event=event)
    elif isinstance(event, CashMovementV1):
        cash_movement_add(
            tenant=tenant, event=event, outlet_id=device.outlet_id, terminal_id=device.terminal_id
        )
    elif isinstance(event, ShiftClosedV1):
        shift_close(
            tenant=tenant, event=event, outlet_id=device.outlet_id, terminal_id=device.terminal_id
        )
    elif isinstance(event, CustomerCreatedV1):
        customer_create_from_terminal(tenant=tenant, event=event)
    elif isinstance(event, OrderVoidedV1 | OrderRefundedV1):
        terminal_id = Order.objects.filter(id=event.order_id).values_list("terminal_id", flat=True)
        found = terminal_id.first()
        if found is not None and found != device.terminal_id:
            raise ItemRefused(
                "the order was sold on another terminal",
                code=SyncErrorCode.WRONG_TERMINAL,
                field="order_id",
            )
        if isinstance(event, OrderVoidedV1):
            order = order_void(tenant=tenant, event=event)
        else:
            order = order_refund(tenant=tenant, event=event).order
        shift = Shift.objects.select_for_update().get(id=order.shift_id)
        shift_recount_if_closed(tenant=tenant, shift=shift)


def event_ingest(*, tenant: Tenant, device: Device, event: Any) -> ItemResultV1:
    """Apply one validated event exactly once: its ledger row and its effect commit together."""
    digest = canonical_digest(event)
    received_at = timezone.now()
    try:
        with tenant_atomic(tenant):
            ledger = SyncEvent(
                id=event.id,
                tenant=tenant,
                terminal_id=device.terminal_id,
                kind=event.kind,
                digest=digest,
                received_at=received_at,
            )
            if not insert_if_absent(ledger):
                return stored_result(SyncEvent, event.id, digest)
            event_apply(tenant=tenant, device=device, event=event)
    except ItemRefused as refused:  # shift, order or customer event refused
        return rejected(
            str(event.id), item_error(refused.message, code=refused.code, field=refused.field)
        )
    except IntegrityError as error:
        log.info("event %s refused by a constraint: %s", event.id, error)
        return rejected(
            str(event.id),
            item_error("the event clashes with stored data", code=SyncErrorCode.CONFLICT_ID),
        )
    return ItemResultV1(id=str(event.id), status="created", received_at=received_at)


def event_batch_ingest(
    *, tenant: Tenant, device: Device, raw_events: Sequence[Any]
) -> list[ItemResultV1]:
    """One result per raw event, in the batch's order."""
    results = []
    for index, raw in enumerate(raw_events):
        try:
            event = EVENT_ADAPTER.validate_python(raw)
        except ValidationError as error:
            results.append(
                rejected(item_id_of(raw, index), error_from_validation(error, error="rejected"))
            )
            continue
        results.append(
            guarded(str(event.id), event_ingest, tenant=tenant, device=device, event=event)
        )
    return results
