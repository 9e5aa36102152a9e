"""Kitchen tickets of orders: one per station with items, numbered by the outlet's sequence in
the order's own transaction, and voided or refunded quantities taken off them again."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from sync_server.catalog.models import Category, Product
from sync_server.common.errors import ErrorCategory, Refused
from sync_server.common.tenancy import next_versions, tenant_atomic, tenant_atomic_joined
from sync_server.kitchen.error_codes import KitchenErrorCode
from sync_server.kitchen.models import (
    OPEN_STATUSES,
    KitchenOrderReady,
    KitchenSequence,
    KitchenTicket,
    TicketStatus,
)
from sync_server.kitchen.sequences import lock_and_take, lock_counter, nudge_after_commit, take
from sync_server.kitchen.stations import CatalogStations, KitchenLine, items_by_station
from sync_server.tenants.models import Outlet, Tenant


def read_catalog_stations(lines: Sequence[KitchenLine]) -> CatalogStations:
    """The catalog stations these lines need (`stations.line_stations`): two queries, whatever
    their number; read with tombstones."""
    product_ids = {line.product_id for line in lines if not line.station and line.product_id}
    products = (
        {
            row[0]: (row[1], row[2])
            for row in Product.with_tombstones.filter(id__in=product_ids).values_list(
                "id", "kitchen_station", "category_id"
            )
        }
        if product_ids
        else {}
    )
    category_ids = {
        category_id for _, category_id in products.values() if category_id is not None
    } | {
        line.category_id
        for line in lines
        if not line.station and line.category_id and line.product_id not in products
    }
    categories = (
        dict(
            Category.with_tombstones.filter(id__in=category_ids).values_list(
                "id", "kitchen_station"
            )
        )
        if category_ids
        else {}
    )
    return CatalogStations(products=products, categories=categories)


def _items_by_station(
    outlet: Outlet, lines: Sequence[KitchenLine]
) -> dict[str, list[dict[str, object]]]:
    """The ticket items of each station, stations read from the catalog where lines name none."""
    return items_by_station(
        lines,
        catalog=read_catalog_stations(lines),
        default_station=outlet.default_kitchen_station,
    )


@dataclass(frozen=True)
class KitchenOrder:
    """An order as its tickets need it (the batch ingest hands several over at once)."""

    order_id: uuid.UUID
    receipt_number: str
    lines: Sequence[KitchenLine]
    table: str = ""
    customer_name: str = ""
    printed_offline: bool = False
    ordered_at: datetime | None = None
    """The sale's time at the till (the order's `created_at`)."""


def _insert_tickets(
    *,
    tenant: Tenant,
    outlet: Outlet,
    orders: Sequence[tuple[KitchenOrder, dict[str, list[dict[str, object]]]]],
    first: int,
) -> list[KitchenTicket]:
    """Store the tickets (sequences from `first` on, in order) and each order's ready row,
    nudge the screens after commit. Bulk inserts skip `save()`, so the rows get their
    versions here, all in one round trip."""
    ticket_count = sum(len(by_station) for _, by_station in orders)
    versions = iter(next_versions(ticket_count + len(orders)))
    sequences = iter(range(first, first + ticket_count))
    tickets = [
        KitchenTicket(
            tenant=tenant,
            outlet=outlet,
            order_id=order.order_id,
            receipt_number=order.receipt_number,
            station=station,
            sequence=next(sequences),
            table=order.table,
            customer_name=order.customer_name,
            items=items,
            already_printed=order.printed_offline,
            ordered_at=order.ordered_at,
            version=next(versions),
        )
        for order, by_station in orders
        for station, items in sorted(by_station.items())
    ]
    KitchenTicket.objects.bulk_create(tickets)
    KitchenOrderReady.objects.bulk_create(
        [
            KitchenOrderReady(
                tenant=tenant,
                outlet=outlet,
                order_id=order.order_id,
                receipt_number=order.receipt_number,
                version=next(versions),
            )
            for order, _ in orders
        ]
    )
    nudge_after_commit(outlet.id, tickets)
    return tickets


def _check_outlet(tenant: Tenant, outlet: Outlet) -> None:
    if outlet.tenant_id != tenant.id:
        raise Refused(
            "outlet of another tenant",
            code=KitchenErrorCode.TENANT_MISMATCH,
            category=ErrorCategory.PERMISSION_DENIED,
        )


def kitchen_tickets_create_for_order(
    *,
    tenant: Tenant,
    outlet: Outlet,
    order_id: uuid.UUID,
    receipt_number: str,
    table: str = "",
    customer_name: str = "",
    lines: Sequence[KitchenLine],
    printed_offline: bool = False,
    order_is_new: bool = False,
    ordered_at: datetime | None = None,
) -> list[KitchenTicket]:
    """One ticket per station that has items, in the caller's transaction (or a new one).

    Idempotent by order: a replayed order gets its existing tickets back, nothing new.
    `printed_offline` marks the tickets "already printed" so no station cooks them twice.
    `order_is_new`: the caller inserted the order in this same transaction (the ingest, after
    its INSERT ... ON CONFLICT created it), so no ticket of it can exist and the look-up is
    skipped. Inside the caller's transaction of this tenant no savepoint is taken.
    """
    with tenant_atomic_joined(tenant):
        _check_outlet(tenant, outlet)
        if not lines:
            return []
        by_station = _items_by_station(outlet, lines)
        if order_is_new:
            first = lock_and_take(outlet, len(by_station))
        else:
            counter = lock_counter(outlet)
            existing = list(KitchenTicket.objects.filter(outlet=outlet, order_id=order_id))
            if existing:
                return existing
            first = take(counter, len(by_station))
        order = KitchenOrder(
            order_id=order_id,
            receipt_number=receipt_number,
            lines=lines,
            table=table,
            customer_name=customer_name,
            printed_offline=printed_offline,
            ordered_at=ordered_at,
        )
        return _insert_tickets(
            tenant=tenant, outlet=outlet, orders=[(order, by_station)], first=first
        )


def kitchen_tickets_create_for_new_orders(
    *, tenant: Tenant, outlet: Outlet, orders: Sequence[KitchenOrder]
) -> list[KitchenTicket]:
    """The tickets of orders the caller has just inserted in its transaction (the batch
    ingest): one counter bump, one versions call, two bulk inserts and one nudge for them
    all, sequences handed out in the orders' order. No ticket of a new order can exist, so
    nothing is looked up. Inside the caller's transaction of this tenant, no savepoint."""
    with tenant_atomic_joined(tenant):
        _check_outlet(tenant, outlet)
        stationed = [
            (order, by_station)
            for order in orders
            if order.lines and (by_station := _items_by_station(outlet, order.lines))
        ]
        if not stationed:
            return []
        first = lock_and_take(outlet, sum(len(by_station) for _, by_station in stationed))
        return _insert_tickets(tenant=tenant, outlet=outlet, orders=stationed, first=first)


def ticket_save_change(ticket: KitchenTicket, counter: KitchenSequence) -> None:
    """Store a changed ticket under a new sequence (screens that reconnect see it), refresh its
    order's ready row and nudge the screens after commit; the counter is locked already."""
    ticket.sequence = take(counter)
    ticket.save()
    _refresh_order_ready(ticket)
    nudge_after_commit(ticket.outlet_id, [ticket])


def _refresh_order_ready(ticket: KitchenTicket) -> None:
    """An order is ready when each of its tickets is done or cancelled and one was cooked."""
    statuses = set(
        KitchenTicket.objects.filter(order_id=ticket.order_id).values_list("status", flat=True)
    )
    ready = TicketStatus.DONE in statuses and statuses <= {
        TicketStatus.DONE,
        TicketStatus.CANCELLED,
    }
    record = KitchenOrderReady.objects.filter(order_id=ticket.order_id).first()
    if record is None or (record.ready_at is not None) == ready:
        return
    record.ready_at = timezone.now() if ready else None
    record.save(update_fields=["ready_at"])


# --- voids and refunds ----------------------------------------------------------------------


def kitchen_tickets_cancel_lines(
    *,
    tenant: Tenant,
    order_id: uuid.UUID,
    cancelled: Mapping[uuid.UUID, int] | None = None,
) -> list[KitchenTicket]:
    """Take voided or refunded quantities off an order's tickets (None: the whole order).

    Quantities add up across calls (capped at what was ordered), so the caller calls once per
    void or refund event; the event ingest's own idempotency keeps a replay from counting twice.
    A ticket whose every item is cancelled before it was cooked becomes `cancelled`.
    """
    with tenant_atomic(tenant):
        first = KitchenTicket.objects.filter(order_id=order_id).select_related("outlet").first()
        if first is None:
            return []
        counter = lock_counter(first.outlet)
        tickets = list(KitchenTicket.objects.select_for_update().filter(order_id=order_id))
        for ticket in tickets:
            changed = False
            for item in ticket.items:
                wanted = (
                    item["quantity"]
                    if cancelled is None
                    else item["cancelled_quantity"] + cancelled.get(uuid.UUID(item["line_id"]), 0)
                )
                wanted = min(item["quantity"], wanted)
                if wanted != item["cancelled_quantity"]:
                    item["cancelled_quantity"], changed = wanted, True
            everything_cancelled = all(
                i["cancelled_quantity"] >= i["quantity"] for i in ticket.items
            )
            if everything_cancelled and ticket.status in OPEN_STATUSES:
                ticket.status, changed = TicketStatus.CANCELLED, True
            if changed:
                ticket_save_change(ticket, counter)
        return tickets
