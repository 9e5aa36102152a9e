"""Stock changed by hand (received, wasted, counted), written with its movement."""

from __future__ import annotations

import uuid

from django.db import transaction

from sync_server.accounts.models import User
from sync_server.orders.models import StockLevel
from sync_server.orders.services import stock_adjust
from sync_server.stock.models import MovementReason
from sync_server.stock.movements import stock_movements_record
from sync_server.tenants.models import Tenant


@transaction.atomic
def stock_adjust_by_hand(
    *,
    tenant: Tenant,
    outlet_id: uuid.UUID,
    product_id: uuid.UUID,
    reason: str,
    quantity: int,
    user: User,
    note: str = "",
) -> int:
    """Received adds `quantity`, wasted takes it out, counted sets the level to it; returns the
    change made (a count that matches changes nothing and records nothing). The level row is
    locked first, so a count and a sale never interleave."""
    if reason == MovementReason.COUNTED:
        level = (
            StockLevel.objects.select_for_update()
            .filter(outlet_id=outlet_id, product_id=product_id)
            .first()
        )
        delta = quantity - (level.quantity if level is not None else 0)
    elif reason == MovementReason.RECEIVED:
        delta = quantity
    elif reason == MovementReason.WASTED:
        delta = -quantity
    else:
        raise ValueError(f"not a hand adjustment: {reason}")
    stock_adjust(tenant=tenant, outlet_id=outlet_id, changes={product_id: delta})
    stock_movements_record(
        tenant=tenant,
        outlet_id=outlet_id,
        reason=reason,
        changes=[(None, {product_id: delta})],
        user_id=user.id,
        note=note,
    )
    return delta
