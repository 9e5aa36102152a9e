"""Reads for devices: which of a terminal's orders the kitchen has finished."""

from __future__ import annotations

from datetime import datetime

from shared.protocol import OrderReadyV1
from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.auth import Device
from sync_server.kitchen.selectors import kitchen_orders_ready
from sync_server.orders.models import Order
from sync_server.tenants.models import Tenant


def orders_ready_for_terminal(
    *, tenant: Tenant, device: Device, since: datetime | None
) -> list[OrderReadyV1]:
    """Orders of this terminal that every station bumped after `since` (oldest first)."""
    ready = kitchen_orders_ready(tenant=tenant, outlet_id=device.outlet_id, ready_since=since)
    if not ready:
        return []
    with tenant_atomic(tenant):
        own = set(
            Order.objects.filter(
                id__in=[item.order_id for item in ready], terminal_id=device.terminal_id
            ).values_list("id", flat=True)
        )
    return [item for item in ready if item.order_id in own]
