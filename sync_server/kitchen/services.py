"""Writes of the kitchen: tickets for an order, cook actions, cancelled lines, order ready.

Every write takes the outlet's sequence counter row lock first and tickets second, in that
order everywhere, so writers of one outlet queue instead of deadlocking, and sequences commit
in the order they were handed out. Screens are nudged only after the transaction commits.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from shared.protocol import KitchenItemV1
from sync_server.catalog.models import Category, Product
from sync_server.common.tenancy import next_versions, tenant_atomic, tenant_atomic_joined
from sync_server.kitchen.models import (
    OPEN_STATUSES,
    KitchenAction,
    KitchenOrderReady,
    KitchenSequence,
    KitchenTicket,
    TicketStatus,
)
from sync_server.kitchen.selectors import kitchen_ticket_wire
from sync_server.tenants.models import Outlet, Tenant

log = logging.getLogger("kiosk.kitchen")

FALLBACK_STATION: Final = "kitchen"
STATION_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_.-]+")
CHANGED_EVENT: Final = "kitchen.changed"
"""Channels message type of the nudge; the consumer's handler is `kitchen_changed`."""


class KitchenError(Exception):
    """A refused kitchen action; `status` is the HTTP status, `code` the machine-readable one."""

    def __init__(self, message: str, *, code: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.field = field


@dataclass(frozen=True)
class KitchenLine:
    """One order line as the kitchen needs it. `station` wins when set; otherwise the product's
    station, then its category's, then the outlet default are tried, in that order."""

    line_id: uuid.UUID
    name: str
    quantity: int
    modifiers: tuple[str, ...] = ()
    note: str = ""
    station: str | None = None
    product_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None


def station_code(raw: str | None) -> str:
    """A station name as a wire code (`[A-Za-z0-9_.-]`, at most 40): the catalog lets owners
    type any text ("Hot line"), the protocol and Channels group names do not."""
    code = STATION_UNSAFE.sub("-", (raw or "").strip()).strip("-")[:40]
    return code or FALLBACK_STATION


def outlet_group(outlet_id: uuid.UUID) -> str:
    """Channels group of every screen of an outlet that shows all stations."""
    return f"kitchen.{outlet_id.hex}"


def station_group(outlet_id: uuid.UUID, station: str) -> str:
    """Channels group of the screens of one station."""
    return f"kitchen.{outlet_id.hex}.{station}"


# --- sequence and notification --------------------------------------------------------------


def _lock_counter(outlet: Outlet) -> KitchenSequence:
    """The outlet's counter row, locked until commit (made on first use, race-free)."""
    KitchenSequence.objects.bulk_create(
        [KitchenSequence(tenant_id=outlet.tenant_id, outlet=outlet)], ignore_conflicts=True
    )
    counter: KitchenSequence = KitchenSequence.objects.select_for_update().get(outlet=outlet)
    return counter


def _take(counter: KitchenSequence, count: int = 1) -> int:
    """Hand out `count` sequences from the locked counter; returns the first one."""
    first = counter.last_sequence + 1
    counter.last_sequence += count
    KitchenSequence.objects.filter(pk=counter.pk).update(last_sequence=counter.last_sequence)
    return first


def _lock_and_take(outlet: Outlet, count: int) -> int:
    """Lock the outlet's counter and hand out `count` sequences in one statement (UPDATE ...
    RETURNING: the row lock is taken by the same statement); the first one. The row is made on
    first use, race-free. Same lock order as `_lock_counter` + `_take`: counter, then tickets."""
    connection = connections[router.db_for_write(KitchenSequence)]
    table = connection.ops.quote_name(KitchenSequence._meta.db_table)
    outlet_field = KitchenSequence._meta.get_field("outlet")
    outlet_param = outlet_field.get_db_prep_value(outlet.id, connection)
    sql = (
        f"UPDATE {table} SET last_sequence = last_sequence + %s, updated_at = %s "
        "WHERE outlet_id = %s RETURNING last_sequence"
    )
    for _ in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, [count, timezone.now(), outlet_param])
            row = cursor.fetchone()
        if row is not None:
            return int(row[0]) - count + 1
        KitchenSequence.objects.bulk_create(
            [KitchenSequence(tenant_id=outlet.tenant_id, outlet=outlet)], ignore_conflicts=True
        )
    raise RuntimeError(f"no kitchen counter for outlet {outlet.id}")


def _nudge_after_commit(outlet_id: uuid.UUID, tickets: Sequence[KitchenTicket]) -> None:
    """Tell the outlet's screens after commit, carrying the changed tickets.

    The message says which outlet sequences it covers (`after` < s <= `sequence`): a consumer
    that has sent exactly up to `after` forwards the tickets at once; any other consumer reads
    the gap from the database. Channel layers deliver at most once, so a lost message only
    delays a ticket until the next one or the consumer's periodic check.
    """
    sequences = [ticket.sequence for ticket in tickets]
    wire = [kitchen_ticket_wire(ticket).model_dump(mode="json") for ticket in tickets]
    span = {"type": CHANGED_EVENT, "after": min(sequences) - 1, "sequence": max(sequences)}
    messages = {outlet_group(outlet_id): {**span, "tickets": wire}}
    for station in sorted({ticket.station for ticket in tickets}):
        mine = [raw for raw in wire if raw["station"] == station]
        messages[station_group(outlet_id, station)] = {**span, "tickets": mine}

    async def send_all(layer: Any) -> None:
        for group, message in messages.items():
            try:
                await layer.group_send(group, message)
            except Exception:  # the commit stands; screens catch up on their next check
                log.exception("kitchen nudge to %s failed", group)

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            # One hop into the event loop for every group of the change, not one per group.
            try:
                async_to_sync(send_all)(layer)
            except Exception:  # the commit stands; screens catch up on their next check
                log.exception("kitchen nudge for outlet %s failed", outlet_id)

    transaction.on_commit(send)


# --- tickets for an order -------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogStations:
    """Stations a caller has already read from the catalog (the order ingest reads them once per
    batch): product id -> (the product's own station, its category id), and category id -> the
    category's station. Read with tombstones, like `_catalog_stations` does."""

    products: Mapping[uuid.UUID, tuple[str, uuid.UUID | None]]
    categories: Mapping[uuid.UUID, str]


def _read_catalog_stations(lines: Sequence[KitchenLine]) -> CatalogStations:
    """What `_catalog_stations` needs for these lines: two queries, whatever their number."""
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


def _catalog_stations(
    lines: Sequence[KitchenLine], catalog: CatalogStations | None = None
) -> list[str]:
    """Each line's own station, else its product's, else its category's ("" when none names one).

    The category is the product's as the server knows it; a line whose product is unknown here
    falls back to the category the terminal sent. Without `catalog` it is read (two queries).
    """
    if catalog is None:
        catalog = _read_catalog_stations(lines)
    stations = []
    for line in lines:
        if line.station:
            stations.append(line.station)
            continue
        product = catalog.products.get(line.product_id) if line.product_id else None
        category_id = product[1] if product is not None else line.category_id
        stations.append(
            (product[0] if product is not None else "")
            or (catalog.categories.get(category_id, "") if category_id else "")
        )
    return stations


def _station_of_lines(*, outlet: Outlet, lines: Sequence[KitchenLine]) -> list[str]:
    default = outlet.default_kitchen_station or FALLBACK_STATION
    return [station_code(station or default) for station in _catalog_stations(lines)]


def kitchen_lines_routed(
    lines: Sequence[KitchenLine], *, catalog: CatalogStations | None = None
) -> list[KitchenLine]:
    """The lines some station claims (the line's own, its product's or its category's), with
    that station filled in. Lines nobody claims (retail: bottled water) make no ticket; the
    outlet default only catches lines handed to `kitchen_tickets_create_for_order` directly.
    `catalog`: the stations the caller already read (else they are read here)."""
    return [
        replace(line, station=station)
        for line, station in zip(lines, _catalog_stations(lines, catalog), strict=True)
        if station
    ]


def _items_by_station(
    outlet: Outlet, lines: Sequence[KitchenLine]
) -> dict[str, list[dict[str, object]]]:
    """The ticket items of each station, in line order, cut to the wire's limits so every
    stored ticket can be sent."""
    by_station: dict[str, list[dict[str, object]]] = {}
    for line, station in zip(lines, _station_of_lines(outlet=outlet, lines=lines), strict=True):
        item = KitchenItemV1(
            line_id=line.line_id,
            name=line.name.strip()[:200] or "item",
            quantity=max(1, line.quantity),
            modifiers=tuple(m.strip()[:200] for m in line.modifiers if m.strip()),
            note=line.note[:1000],
        )
        by_station.setdefault(station, []).append(item.model_dump(mode="json"))
    return by_station


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
    _nudge_after_commit(outlet.id, tickets)
    return tickets


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
        if outlet.tenant_id != tenant.id:
            raise KitchenError("outlet of another tenant", code="tenant_mismatch", status=403)
        if not lines:
            return []
        by_station = _items_by_station(outlet, lines)
        if order_is_new:
            first = _lock_and_take(outlet, len(by_station))
        else:
            counter = _lock_counter(outlet)
            existing = list(KitchenTicket.objects.filter(outlet=outlet, order_id=order_id))
            if existing:
                return existing
            first = _take(counter, len(by_station))
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
        if outlet.tenant_id != tenant.id:
            raise KitchenError("outlet of another tenant", code="tenant_mismatch", status=403)
        stationed = [
            (order, by_station)
            for order in orders
            if order.lines and (by_station := _items_by_station(outlet, order.lines))
        ]
        if not stationed:
            return []
        first = _lock_and_take(outlet, sum(len(by_station) for _, by_station in stationed))
        return _insert_tickets(tenant=tenant, outlet=outlet, orders=stationed, first=first)


# --- cook actions ---------------------------------------------------------------------------


def _apply(ticket: KitchenTicket, action: str, line_id: uuid.UUID | None) -> bool:
    """Change the locked ticket for one action; False when it is already in that state."""
    now = timezone.now()
    if action == "start":
        if ticket.status != TicketStatus.NEW:
            return False
        ticket.status, ticket.started_at = TicketStatus.STARTED, now
        return True
    if action == "bump":
        if ticket.status not in OPEN_STATUSES:
            return False
        ticket.status, ticket.done_at = TicketStatus.DONE, now
        return True
    if action == "recall":
        if ticket.status != TicketStatus.DONE:
            return False
        ticket.status = TicketStatus.STARTED if ticket.started_at else TicketStatus.NEW
        ticket.done_at = None
        return True
    if action == "bump_item":
        item = next((i for i in ticket.items if i["line_id"] == str(line_id)), None)
        if item is None:
            raise KitchenError("no such line on this ticket", code="unknown_line", field="line_id")
        if item["done"] or ticket.status not in OPEN_STATUSES:
            return False
        item["done"] = True
        if all(i["done"] or i["cancelled_quantity"] >= i["quantity"] for i in ticket.items):
            ticket.status, ticket.done_at = TicketStatus.DONE, now
        return True
    raise KitchenError(f"unknown action {action!r}", code="unknown_action", field="action")


def _save_change(ticket: KitchenTicket, counter: KitchenSequence) -> None:
    ticket.sequence = _take(counter)
    ticket.save()
    _refresh_order_ready(ticket)
    _nudge_after_commit(ticket.outlet_id, [ticket])


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


def kitchen_ticket_act(
    *,
    tenant: Tenant,
    ticket_id: uuid.UUID,
    action: str,
    request_id: uuid.UUID | None = None,
    line_id: uuid.UUID | None = None,
    outlet_id: uuid.UUID | None = None,
    station: str | None = None,
) -> KitchenTicket:
    """Start, bump, recall or bump one item; idempotent by request id, and by state.

    `outlet_id`/`station` limit a screen to its own tickets. A repeated request id returns the
    ticket as it stands without changing it again.
    """
    with tenant_atomic(tenant):
        found = KitchenTicket.objects.filter(id=ticket_id).select_related("outlet").first()
        if found is None or (outlet_id is not None and found.outlet_id != outlet_id):
            raise KitchenError("no such ticket", code="not_found", status=404, field="ticket_id")
        if station and found.station != station:
            raise KitchenError(
                "that ticket belongs to another station", code="station_mismatch", status=403
            )
        counter = _lock_counter(found.outlet)
        if request_id is not None:
            prior = KitchenAction.objects.filter(request_id=request_id).first()
            if prior is not None:
                if prior.ticket_id != ticket_id or prior.action != action:
                    raise KitchenError(
                        "request id reused for another action", code="conflict", status=409
                    )
                current: KitchenTicket = KitchenTicket.objects.get(id=ticket_id)
                return current
        ticket: KitchenTicket = KitchenTicket.objects.select_for_update().get(id=ticket_id)
        if _apply(ticket, action, line_id):
            _save_change(ticket, counter)
        if request_id is not None:
            try:
                with transaction.atomic():
                    KitchenAction(
                        tenant=tenant,
                        request_id=request_id,
                        ticket=ticket,
                        action=action,
                        line_id=line_id,
                    ).save()
            except IntegrityError as exc:  # the same id used at another outlet meanwhile
                raise KitchenError(
                    "request id reused for another action", code="conflict", status=409
                ) from exc
        return ticket


def kitchen_ticket_start(
    *, tenant: Tenant, ticket_id: uuid.UUID, request_id: uuid.UUID | None = None
) -> KitchenTicket:
    return kitchen_ticket_act(
        tenant=tenant, ticket_id=ticket_id, action="start", request_id=request_id
    )


def kitchen_ticket_bump(
    *, tenant: Tenant, ticket_id: uuid.UUID, request_id: uuid.UUID | None = None
) -> KitchenTicket:
    return kitchen_ticket_act(
        tenant=tenant, ticket_id=ticket_id, action="bump", request_id=request_id
    )


def kitchen_ticket_recall(
    *, tenant: Tenant, ticket_id: uuid.UUID, request_id: uuid.UUID | None = None
) -> KitchenTicket:
    return kitchen_ticket_act(
        tenant=tenant, ticket_id=ticket_id, action="recall", request_id=request_id
    )


def kitchen_ticket_bump_item(
    *, tenant: Tenant, ticket_id: uuid.UUID, line_id: uuid.UUID, request_id: uuid.UUID | None = None
) -> KitchenTicket:
    return kitchen_ticket_act(
        tenant=tenant,
        ticket_id=ticket_id,
        action="bump_item",
        line_id=line_id,
        request_id=request_id,
    )


def kitchen_ticket_recall_last(
    *,
    tenant: Tenant,
    outlet_id: uuid.UUID,
    station: str | None,
    request_id: uuid.UUID | None = None,
) -> KitchenTicket:
    """Undo the most recent bump of a station (of the whole outlet when station is None)."""
    with tenant_atomic(tenant):
        if request_id is not None:
            prior = KitchenAction.objects.filter(request_id=request_id).first()
            if prior is not None:
                # A replay answers with the ticket it recalled, but only to a caller of the same
                # outlet (and station): another screen's request id gets nothing of its ticket.
                recalled: KitchenTicket | None = KitchenTicket.objects.filter(
                    id=prior.ticket_id
                ).first()
                if (
                    recalled is None
                    or prior.action != "recall"
                    or recalled.outlet_id != outlet_id
                    or (station and recalled.station != station)
                ):
                    raise KitchenError(
                        "request id reused for another action", code="conflict", status=409
                    )
                return recalled
        done = KitchenTicket.objects.filter(outlet_id=outlet_id, status=TicketStatus.DONE)
        if station:
            done = done.filter(station=station)
        last = done.order_by("-done_at", "-sequence").first()
        if last is None:
            raise KitchenError("nothing to recall", code="nothing_to_recall", status=409)
        return kitchen_ticket_act(
            tenant=tenant, ticket_id=last.id, action="recall", request_id=request_id
        )


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
        counter = _lock_counter(first.outlet)
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
                _save_change(ticket, counter)
        return tickets
