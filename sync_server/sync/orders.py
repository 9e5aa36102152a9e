"""Ingest of orders: check, re-price and build the rows of each order, then store the good
ones of a batch in one transaction, or one by one when that fails.

Every item is validated, checked and re-priced on its own. The good orders of a batch are then
stored in one `tenant_atomic` transaction; if anything in it fails, it is rolled back whole and
every order is stored again in its own transaction, so one bad item never blocks the others.
The order's id is the idempotency key, enforced by the database (INSERT ... ON CONFLICT DO
NOTHING): the same id with the same `canonical_digest` is a `duplicate` answered from what was
stored, with another digest a `conflict` that changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from django.db import IntegrityError, OperationalError, connection
from pydantic import ValidationError

from shared.protocol import (
    ErrorV1,
    ItemResultV1,
    OrderV1,
    TillStatusV1,
    canonical_digest,
    error_from_validation,
)
from sync_server.common.errors import ItemRefused
from sync_server.common.services import same_fields
from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.auth import Device
from sync_server.kitchen.stations import KitchenLine, kitchen_lines_routed
from sync_server.kitchen.tickets import KitchenOrder, kitchen_tickets_create_for_new_orders
from sync_server.orders.models import Order, flags_text
from sync_server.orders.services import OrderRows, orders_store, orders_store_new, stock_adjust
from sync_server.shifts.models import Shift, ShiftStatus
from sync_server.shifts.services import shift_ensure, shift_recount
from sync_server.stock.models import MovementReason
from sync_server.stock.movements import stock_movements_record
from sync_server.sync.batch import OrderBatchContext, batch_context
from sync_server.sync.device_status import device_synced, device_synced_statement
from sync_server.sync.error_codes import SyncErrorCode
from sync_server.sync.repricing import reprice_order
from sync_server.sync.results import guarded, item_error, item_id_of, rejected, stored_results
from sync_server.tenants.models import Tenant

log = logging.getLogger("kiosk.sync")

CLOCK_TOLERANCE: Final = timedelta(minutes=5)


def _check_order(order: OrderV1, context: OrderBatchContext) -> ErrorV1 | None:
    """Refusals that no retry can fix: another terminal's order, foreign products, currency."""
    device = context.device
    if order.terminal_id != device.terminal_id:
        return item_error(
            "the order names another terminal",
            code=SyncErrorCode.WRONG_TERMINAL,
            field="terminal_id",
        )
    if order.outlet_id != device.outlet_id:
        return item_error(
            "the order names another outlet", code=SyncErrorCode.WRONG_OUTLET, field="outlet_id"
        )
    if order.currency != context.tenant.currency:
        return item_error(
            f"the tenant sells in {context.tenant.currency}",
            code=SyncErrorCode.WRONG_CURRENCY,
            field="currency",
        )
    for index, line in enumerate(order.lines):
        if line.product_id is not None and line.product_id not in context.products:
            return item_error(
                "no such product in this tenant",
                code=SyncErrorCode.UNKNOWN_PRODUCT,
                field=f"lines.{index}.product_id",
            )
    known = context.shifts.get(order.shift_id)
    if known is not None and known[0] != device.terminal_id:
        return item_error(
            "the shift belongs to another terminal",
            code=SyncErrorCode.WRONG_SHIFT,
            field="shift_id",
        )
    return None


MAX_STORED_SKEW: Final = 2**31 - 1
"""Bound of `Order.clock_skew_seconds` (an IntegerField), in both directions."""


def _clock_flags(order: OrderV1, context: OrderBatchContext) -> tuple[list[str], int | None]:
    """A clock off by more than 5 minutes: from the request's `Date` header when the terminal
    sent one; otherwise only a sale dated in the future can prove it (offline sales are old)."""
    if context.device_clock_offset is not None:
        skew = context.device_clock_offset
    else:
        ahead = order.created_at - context.received_at
        skew = ahead if ahead > timedelta(0) else timedelta(0)
    # The column is a 32-bit integer: a clock off by more than ~68 years is stored at the bound
    # (still flagged) rather than failing the insert and losing the sale.
    seconds = max(-MAX_STORED_SKEW, min(MAX_STORED_SKEW, int(skew.total_seconds())))
    return (["clock_skew"] if abs(skew) > CLOCK_TOLERANCE else []), (seconds or None)


ORDER_COLUMNS: Final = (
    *("id", "outlet_id", "terminal_id", "shift_id", "receipt_number", "cashier_id"),
    *("customer_id", "customer_name", "table", "note", "currency", "catalog_version"),
    *("subtotal_minor", "discount_minor", "service_charge_minor", "tax_minor"),
    *("rounding_minor", "total_minor", "kitchen_printed_offline"),
)
"""Order columns stored as the wire names them."""
LINE_COLUMNS: Final = (
    *("id", "product_id", "category_id", "sku", "name", "quantity", "unit_price_minor"),
    *("gross_minor", "discount_minor", "net_minor", "tax_minor", "total_minor", "note"),
)
PAYMENT_COLUMNS: Final = (
    *("id", "method", "amount_minor", "tendered_minor", "change_minor", "reference", "paid_at"),
)


def order_rows(
    order: OrderV1, context: OrderBatchContext, flags: list[str], digest: str, **extra: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Column values of the order, its lines and its payments (see `orders_store`)."""
    tenant_id = context.tenant.id
    row = dict(
        **same_fields(order, *ORDER_COLUMNS),
        tenant_id=tenant_id,
        ordered_at=order.created_at,
        received_at=context.received_at,
        flags=flags_text(flags),
        digest=digest,
        details=order.model_dump(
            mode="json", include={"manual_discount", "order_discounts", "tax_lines", "approvals"}
        ),
        **extra,
    )
    lines = [
        dict(
            **same_fields(line, *LINE_COLUMNS),
            tenant_id=tenant_id,
            order_id=order.id,
            position=position,
            modifiers=[m.model_dump(mode="json") for m in line.modifiers],
            discounts=[d.model_dump(mode="json") for d in line.discounts],
            taxes=[t.model_dump(mode="json") for t in line.taxes],
            manual_discount=(
                line.manual_discount.model_dump(mode="json") if line.manual_discount else None
            ),
            kitchen_station=line.kitchen_station or "",
        )
        for position, line in enumerate(order.lines)
    ]
    payments = [
        dict(**same_fields(payment, *PAYMENT_COLUMNS), tenant_id=tenant_id, order_id=order.id)
        for payment in order.payments
    ]
    return row, lines, payments


def _may_reach_the_kitchen(order: OrderV1, context: OrderBatchContext) -> bool:
    """Whether any line, its product or its category names a station, from what the batch read:
    a retail-only order skips the kitchen's own routing query. The kitchen decides the rest."""
    for line in order.lines:
        product = context.products.get(line.product_id) if line.product_id else None
        category_id = product.category_id if product else line.category_id
        if (
            line.kitchen_station
            or (product is not None and product.kitchen_station)
            or category_id in context.stationed_categories
        ):
            return True
    return False


def _kitchen_lines(order: OrderV1, context: OrderBatchContext) -> list[KitchenLine]:
    """Lines the kitchen prepares: those the terminal routed to a station, or whose product or
    category has one (resolved by the kitchen). Retail lines (bottled water) never make a ticket."""
    return kitchen_lines_routed(
        [
            KitchenLine(
                line_id=line.id,
                name=line.name,
                quantity=line.quantity,
                modifiers=tuple(
                    m.name for m in line.modifiers if m.option_id not in context.default_options
                ),
                note=line.note,
                station=line.kitchen_station or None,
                product_id=line.product_id,
                category_id=line.category_id,
            )
            for line in order.lines
        ],
        catalog=context.stations,
    )


@dataclass
class PreparedOrder:
    """An order checked and re-priced, with the rows to store: everything but the writes."""

    order: OrderV1
    digest: str
    flags: list[str]
    rows: OrderRows
    stock: dict[uuid.UUID, int]
    """Units per tracked product it takes out of the outlet's stock (negative)."""
    kitchen: KitchenOrder | None

    def mark_late(self) -> None:
        """Its shift was closed when it arrived: flag it (`_count_late` counts it there)."""
        if "late" not in self.flags:
            self.flags.append("late")
            self.rows.order["flags"] = flags_text(self.flags)  # type: ignore[index]

    def created(self, context: OrderBatchContext) -> ItemResultV1:
        """Its `created` answer, once stored; the batch's later orders then know its shift."""
        context.shifts.setdefault(
            self.order.shift_id,
            (self.order.terminal_id, ShiftStatus.CLOSED if "late" in self.flags else "open"),
        )
        return ItemResultV1(
            id=str(self.order.id),
            status="created",
            flags=tuple(sorted(set(self.flags))),
            received_at=context.received_at,
        )


def order_prepare(*, order: OrderV1, context: OrderBatchContext) -> PreparedOrder | ItemResultV1:
    """Check and re-price one order and build its rows; a refusal is its result. Reads
    nothing: the batch context holds the catalog, the rules and the known shifts."""
    digest = canonical_digest(order)
    refusal = _check_order(order, context)
    if refusal is not None:
        return rejected(str(order.id), refusal)
    flags, skew_seconds = _clock_flags(order, context)
    price = reprice_order(order, rules=context.rules, products=context.products)
    flags += price.flags
    known_shift = context.shifts.get(order.shift_id)
    if known_shift is not None and known_shift[1] == ShiftStatus.CLOSED:
        flags.append("late")
    row, lines, payments = order_rows(
        order,
        context,
        flags,
        digest,
        server_total_minor=price.server_total_minor,
        price_difference_minor=price.difference_minor,
        clock_skew_seconds=skew_seconds,
    )
    stock: dict[uuid.UUID, int] = {}
    for line in order.lines:
        product = context.products.get(line.product_id) if line.product_id else None
        if product is not None and product.track_stock:
            stock[product.id] = stock.get(product.id, 0) - line.quantity
    kitchen_lines = _kitchen_lines(order, context) if _may_reach_the_kitchen(order, context) else []
    kitchen = (
        KitchenOrder(
            order_id=order.id,
            receipt_number=order.receipt_number,
            lines=kitchen_lines,
            table=order.table,
            customer_name=order.customer_name,
            printed_offline=order.kitchen_printed_offline,
            ordered_at=order.created_at,
        )
        if kitchen_lines
        else None
    )
    return PreparedOrder(
        order=order,
        digest=digest,
        flags=flags,
        rows=OrderRows(order=row, lines=lines, payments=payments),
        stock=stock,
        kitchen=kitchen,
    )


def _ensure_unknown_shifts(prepared: Sequence[PreparedOrder], context: OrderBatchContext) -> None:
    """Make the provisional shifts the orders name before their `shift_opened` arrived (in
    the caller's transaction; raises ItemRefused); orders of a closed one are late."""
    for order in prepared:
        shift_id = order.order.shift_id
        if shift_id in context.shifts:
            continue
        shift = shift_ensure(
            tenant=context.tenant,
            shift_id=shift_id,
            outlet_id=order.order.outlet_id,
            terminal_id=order.order.terminal_id,
            opened_at=order.order.created_at,
        )
        context.shifts[shift_id] = (shift.terminal_id, shift.status)
    for order in prepared:
        if context.shifts[order.order.shift_id][1] == ShiftStatus.CLOSED:
            order.mark_late()


def _count_late(prepared: Sequence[PreparedOrder], context: OrderBatchContext) -> None:
    """Count late orders on their closed shifts and recount the shifts' expected cash."""
    late: dict[uuid.UUID, int] = {}
    for order in prepared:
        if "late" in order.flags:
            late[order.order.shift_id] = late.get(order.order.shift_id, 0) + 1
    for shift_id, count in sorted(late.items()):
        shift = Shift.objects.select_for_update().get(id=shift_id)
        shift.late_order_count += count
        shift_recount(tenant=context.tenant, shift=shift)


def _sum_stock(prepared: Sequence[PreparedOrder]) -> dict[uuid.UUID, int]:
    total: dict[uuid.UUID, int] = {}
    for order in prepared:
        for product_id, delta in order.stock.items():
            total[product_id] = total.get(product_id, 0) + delta
    return total


def _fits_one_statement(prepared: Sequence[PreparedOrder], context: OrderBatchContext) -> bool:
    """Whether storing `prepared` writes nothing but the orders, their lines and payments, the
    rollups and the device's status (`orders_store_new`: one round trip on PostgreSQL): every
    shift known and open, no stock tracked, no kitchen ticket. A till's sale in a shop is
    that; the rest (a shift's first sale, stock, the kitchen) takes the transaction."""
    if connection.vendor != "postgresql":
        return False
    for item in prepared:
        shift = context.shifts.get(item.order.shift_id)
        if shift is None or shift[1] == ShiftStatus.CLOSED or item.stock or item.kitchen:
            return False
    return True


def _store_in_one_transaction(
    prepared: Sequence[PreparedOrder], context: OrderBatchContext
) -> dict[uuid.UUID, ItemResultV1]:
    """Store prepared orders (ids distinct) in one transaction: provisional shifts, one
    statement for orders, lines and payments, one stock upsert, one run of kitchen tickets,
    late counts. Orders whose id is stored already get their duplicate/conflict answer.
    Raises whatever failed, with everything rolled back and `context.shifts` as before."""
    if _fits_one_statement(prepared, context) and orders_store_new(
        [item.rows for item in prepared],
        tenant=context.tenant,
        also=[context.pending_status] if context.pending_status is not None else [],
    ):
        context.pending_status = None  # committed with the orders
        return {item.order.id: item.created(context) for item in prepared}
    shifts_before = dict(context.shifts)
    try:
        with tenant_atomic(context.tenant):
            _ensure_unknown_shifts(prepared, context)
            also = [context.pending_status] if context.pending_status is not None else []
            stored = orders_store(
                [item.rows for item in prepared], tenant=context.tenant, also=also
            )
            new = [item for item in prepared if item.order.id in stored]
            stock_adjust(
                tenant=context.tenant, outlet_id=context.outlet.id, changes=_sum_stock(new)
            )
            stock_movements_record(
                tenant=context.tenant,
                outlet_id=context.outlet.id,
                reason=MovementReason.SALE,
                changes=[(item.order.id, item.stock) for item in new],
            )
            kitchen = [item.kitchen for item in new if item.kitchen is not None]
            if kitchen:
                kitchen_tickets_create_for_new_orders(
                    tenant=context.tenant, outlet=context.outlet, orders=kitchen
                )
            _count_late(new, context)
            known = {item.order.id: item.digest for item in prepared if item.order.id not in stored}
            answers = stored_results(Order, known) if known else {}
    except BaseException:
        context.shifts.clear()
        context.shifts.update(shifts_before)  # what the rolled-back transaction made is gone
        raise
    context.pending_status = None  # committed with the orders
    answers.update({item.order.id: item.created(context) for item in new})
    return answers


def order_store_prepared(*, prepared: PreparedOrder, context: OrderBatchContext) -> ItemResultV1:
    """Store one prepared order with its lines, payments, stock and kitchen tickets in its
    own transaction (or nothing of it); a refusal the order itself caused is its answer."""
    order_id = prepared.order.id
    try:
        return _store_in_one_transaction([prepared], context)[order_id]
    except ItemRefused as refused:
        return rejected(
            str(order_id), item_error(refused.message, code=refused.code, field="shift_id")
        )
    except IntegrityError as error:
        # A line or payment id that another order already uses: nothing of this order stays.
        log.info("order %s refused by a constraint: %s", order_id, error)
        return rejected(
            str(order_id),
            item_error(
                "a line or payment id is already used",
                code=SyncErrorCode.DUPLICATE_CHILD_ID,
                field="lines",
            ),
        )


def order_ingest(*, order: OrderV1, context: OrderBatchContext) -> ItemResultV1:
    """Store one validated order with its lines and payments in one transaction (or not)."""
    prepared = order_prepare(order=order, context=context)
    if isinstance(prepared, ItemResultV1):
        return prepared
    return order_store_prepared(prepared=prepared, context=context)


def _store_batch(
    prepared: Sequence[PreparedOrder], context: OrderBatchContext
) -> dict[uuid.UUID, ItemResultV1] | None:
    """Every prepared order of a batch in ONE transaction: one statement for the orders,
    their lines and payments, one stock upsert, one run of kitchen tickets, one commit, one
    nudge. None when anything fails (a child id taken, a refused shift, a deadlock, a bug):
    the transaction is rolled back whole and the caller ingests the orders again one by one
    (`order_ingest`, from the wire: a failed attempt may have flagged some late), so a bad
    order is still rejected alone. A terminal draining its backlog sends 100 at a time;
    order by order, the round trips and commits cost more than everything else together."""
    ids = [item.order.id for item in prepared]
    if len(set(ids)) != len(ids):
        return None  # one id twice in a batch: the careful path answers each copy
    try:
        return _store_in_one_transaction(prepared, context)
    except Exception as error:  # the careful path decides, item by item
        if isinstance(error, IntegrityError | OperationalError | ItemRefused):
            log.info("batch of %d orders stored one by one: %r", len(prepared), error)
        else:  # a bug: every push would quietly pay twice, so say it loudly
            log.exception("batch of %d orders failed; stored one by one", len(prepared))
        return None


def order_batch_ingest(
    *,
    tenant: Tenant,
    device: Device,
    raw_orders: Sequence[Any],
    device_clock_offset: timedelta | None = None,
    note_sync: bool = False,
    till_status: TillStatusV1 | None = None,
) -> list[ItemResultV1]:
    """One result per raw order, in the batch's order.

    Every order is validated, checked and re-priced on its own; the good ones are stored
    together (`_store_batch`), or one by one in their own transactions when that fails.
    `note_sync`: also note the push in the device's status (`device_synced`, with the
    `till_status` it carried), on PostgreSQL in the transaction that stores the orders.
    """
    context, results = _ingest(
        tenant=tenant,
        device=device,
        raw_orders=raw_orders,
        device_clock_offset=device_clock_offset,
        till_status=till_status,
        note_sync=note_sync,
    )
    # On PostgreSQL the status was queued to commit with the orders (`pending_status`, spent
    # once committed); nothing queues it elsewhere (SQLite), nor when no order was valid.
    queued = context is not None and connection.vendor == "postgresql"
    if note_sync and (not queued or (context is not None and context.pending_status is not None)):
        device_synced(tenant=tenant, device=device, till_status=till_status)
    return results


def _ingest(
    *,
    tenant: Tenant,
    device: Device,
    raw_orders: Sequence[Any],
    device_clock_offset: timedelta | None,
    till_status: TillStatusV1 | None,
    note_sync: bool,
) -> tuple[OrderBatchContext | None, list[ItemResultV1]]:
    parsed: list[OrderV1 | ItemResultV1] = []
    for index, raw in enumerate(raw_orders):
        try:
            parsed.append(OrderV1.model_validate(raw))
        except ValidationError as error:
            parsed.append(
                rejected(item_id_of(raw, index), error_from_validation(error, error="rejected"))
            )
    valid = [item for item in parsed if isinstance(item, OrderV1)]
    if not valid:
        return None, [item for item in parsed if isinstance(item, ItemResultV1)]
    context = batch_context(
        tenant=tenant, device=device, orders=valid, device_clock_offset=device_clock_offset
    )
    if note_sync and connection.vendor == "postgresql":
        context.pending_status = device_synced_statement(
            tenant=tenant, device=device, till_status=till_status
        )
    prepared: dict[int, PreparedOrder | ItemResultV1] = {
        index: guarded(str(item.id), order_prepare, order=item, context=context)
        for index, item in enumerate(parsed)
        if isinstance(item, OrderV1)
    }
    ready = [item for item in prepared.values() if isinstance(item, PreparedOrder)]
    attempted = len(ready) > 1
    stored = _store_batch(ready, context) if attempted else None
    results: list[ItemResultV1] = []
    for index, item in enumerate(parsed):
        outcome = prepared.get(index)
        if outcome is None:
            assert isinstance(item, ItemResultV1)
            results.append(item)
        elif isinstance(outcome, ItemResultV1):
            results.append(outcome)
        elif stored is not None:
            results.append(stored[outcome.order.id])
        elif attempted:
            results.append(
                guarded(str(outcome.order.id), order_ingest, order=outcome.order, context=context)
            )
        else:
            results.append(
                guarded(
                    str(outcome.order.id), order_store_prepared, prepared=outcome, context=context
                )
            )
    return context, results
