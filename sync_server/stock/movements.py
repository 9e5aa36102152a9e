"""Writing stock movements (imports nothing of the order app, which calls it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime

from sync_server.stock.models import StockMovement
from sync_server.tenants.models import Tenant


def stock_movements_record(
    *,
    tenant: Tenant,
    outlet_id: uuid.UUID,
    reason: str,
    changes: Iterable[tuple[uuid.UUID | None, Mapping[uuid.UUID, int]]],
    at: datetime | None = None,
    user_id: uuid.UUID | None = None,
    note: str = "",
) -> None:
    """One row per (order or None, product, delta) in one INSERT; zero deltas are skipped.

    Call it in the transaction that changes the levels (`orders.services.stock_adjust`)."""
    rows = [
        StockMovement(
            tenant=tenant,
            outlet_id=outlet_id,
            product_id=product_id,
            delta=delta,
            reason=reason,
            order_id=order_id,
            user_id=user_id,
            note=note[:200],
            **({"at": at} if at is not None else {}),
        )
        for order_id, deltas in changes
        for product_id, delta in sorted(deltas.items())
        if delta
    ]
    if rows:
        StockMovement.objects.bulk_create(rows)
